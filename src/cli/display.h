// How the CLI shows things in a terminal: aligned tables, item labels, short version vectors.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/json.h"

namespace syncline {

// Columns a UTF-8 string takes in a terminal: wide (CJK, emoji) characters take two,
// combining marks none. Invalid bytes count one each.
size_t DisplayWidth(std::string_view utf8);

// Rows as columns aligned by display width under a header row, to `out`.
std::string FormatTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows);

// How listings name an item: a file by its name, a document as COLLECTION/KEY. Every verb
// that takes a NAME accepts it back (ItemCandidates).
std::string ItemLabel(const Json& item);

// The items NAME may denote, in the order to try them: (name, collection) pairs. With
// --collection, that document alone; else the file NAME, then, if NAME holds a '/', the
// document KEY of COLLECTION that a listing prints as COLLECTION/KEY.
std::vector<std::pair<std::string, std::string>> ItemCandidates(const std::string& name,
                                                                const std::string& collection);

// A version vector {"<node uuid>": counter, ...} as "3f2a1b2c:3, 9e8d7c6b:1": node ids cut to
// 8 characters, as git shortens hashes (--json keeps them whole). `first_node` (the node
// asked, if known) comes first, then the highest counters: an order that reads the same on
// every run, where node ids are random.
std::string ShortVersionVector(const Json& vv, const std::string& first_node = "");

}  // namespace syncline
