#include "syncline/resolver.h"

#include "sync/filter.h"
#include "sync/projection.h"
#include "util/split.h"

namespace syncline {
namespace {

// -1, 0 or 1 comparing two values of a timestamp field: numbers as numbers, strings as text;
// a number is taken as older than a string, and anything else as older than both.
int CompareStamps(const nlohmann::json* a, const nlohmann::json* b) {
  auto rank = [](const nlohmann::json* v) {
    if (v == nullptr) return 0;
    if (v->is_number()) return 1;
    if (v->is_string()) return 2;
    return 0;
  };
  int ra = rank(a), rb = rank(b);
  if (ra != rb) return ra < rb ? -1 : 1;
  if (ra == 0) return 0;
  // Two numbers (integer or not) or two strings: nlohmann's comparison, which never throws.
  return *a < *b ? -1 : (*b < *a ? 1 : 0);
}

}  // namespace

Resolver Resolver::ServerWins() {
  return Resolver("server-wins", [](const std::string&, const MaybeDocument&,
                                    const MaybeDocument& server) { return server; });
}

Resolver Resolver::ClientWins() {
  return Resolver("client-wins", [](const std::string&, const MaybeDocument& local,
                                    const MaybeDocument&) { return local; });
}

Resolver Resolver::Timestamp(std::string field) {
  std::string name = "timestamp:" + field;
  return Resolver(std::move(name), [field = std::move(field)](const std::string&,
                                                              const MaybeDocument& local,
                                                              const MaybeDocument& server) {
    const nlohmann::json* l = local ? FindPath(*local, field) : nullptr;
    const nlohmann::json* s = server ? FindPath(*server, field) : nullptr;
    return CompareStamps(l, s) > 0 ? local : server;
  });
}

Resolver Resolver::MergeFields(std::vector<std::string> client_fields,
                               std::vector<std::string> server_fields) {
  std::string name = "merge:";
  for (size_t i = 0; i < client_fields.size(); ++i) name += (i ? "," : "") + client_fields[i];
  name += "/";
  for (size_t i = 0; i < server_fields.size(); ++i) name += (i ? "," : "") + server_fields[i];
  // Server fields need no step: every field not named for the client comes from the server.
  return Resolver(std::move(name), [client_fields = std::move(client_fields)](
                                       const std::string&, const MaybeDocument& local,
                                       const MaybeDocument& server) -> MaybeDocument {
    if (!local) return server;
    if (!server) return local;
    if (client_fields.empty()) return server;
    return syncline::MergeFields(*server, *local, client_fields);
  });
}

Resolver Resolver::Custom(std::string name, Function fn) {
  return Resolver(std::move(name), std::move(fn));
}

Result<Resolver> Resolver::Parse(const std::string& text) {
  if (text == "server-wins") return ServerWins();
  if (text == "client-wins") return ClientWins();
  if (text.rfind("timestamp:", 0) == 0 && text.size() > 10) return Timestamp(text.substr(10));
  if (text.rfind("merge:", 0) == 0) {
    std::string rest = text.substr(6);
    size_t slash = rest.find('/');
    if (slash == std::string::npos) {
      return Status::InvalidArgument("resolver merge:CLIENT_FIELDS/SERVER_FIELDS needs a '/'");
    }
    return MergeFields(SplitList(rest.substr(0, slash)), SplitList(rest.substr(slash + 1)));
  }
  return Status::InvalidArgument("unknown resolver '" + text +
                                 "': use server-wins, client-wins, timestamp:FIELD or "
                                 "merge:CLIENT_FIELDS/SERVER_FIELDS");
}

}  // namespace syncline
