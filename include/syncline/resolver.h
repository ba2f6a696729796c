// Resolver: decides which document a client keeps when its change and the server's collide.
// Every built-in resolver is deterministic (the same inputs give the same document on every
// client), so clients that resolve the same conflict settle on one document.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "syncline/result.h"

namespace syncline {

// A document, or nullopt for a deleted one.
using MaybeDocument = std::optional<nlohmann::json>;

class Resolver {
 public:
  // (collection, local, server) -> the document to keep (nullopt: deleted). Must be
  // deterministic and must not throw.
  using Function = std::function<MaybeDocument(const std::string& collection,
                                               const MaybeDocument& local,
                                               const MaybeDocument& server)>;

  // The default: the server's document.
  static Resolver ServerWins();
  static Resolver ClientWins();
  // The document whose `field` is greater (numbers compare as numbers, strings as text, so an
  // ISO 8601 time works); a document without the field, or deleted, loses; a tie goes to the
  // server.
  static Resolver Timestamp(std::string field);
  // The server's document with `client_fields` taken from the local one (and `server_fields`
  // from the server, which every other field is too). When one side is deleted, the other wins.
  static Resolver MergeFields(std::vector<std::string> client_fields,
                              std::vector<std::string> server_fields);
  static Resolver Custom(std::string name, Function fn);
  // "server-wins", "client-wins", "timestamp:FIELD" or "merge:A,B/C,D" (client fields / server
  // fields); InvalidArgument otherwise.
  static Result<Resolver> Parse(const std::string& text);

  MaybeDocument Resolve(const std::string& collection, const MaybeDocument& local,
                        const MaybeDocument& server) const {
    return fn_(collection, local, server);
  }
  const std::string& name() const { return name_; }

 private:
  Resolver(std::string name, Function fn) : name_(std::move(name)), fn_(std::move(fn)) {}
  std::string name_;
  Function fn_;
};

}  // namespace syncline
