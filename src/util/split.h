// Splitting a list written as text: "a,b,c".
#pragma once

#include <string>
#include <vector>

namespace syncline {

// The items of `text` between `separator`s, empty ones dropped.
std::vector<std::string> SplitList(const std::string& text, char separator = ',');

}  // namespace syncline
