// CliContext: what every client verb shares: the server, the key, output mode, and printing.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "net/http_client.h"
#include "util/json.h"

namespace syncline {

inline constexpr char kDefaultServer[] = "http://127.0.0.1:8080";
inline constexpr char kLocalDataDir[] = "data";  // `make run`'s data folder

struct CliContext {
  std::string server = kDefaultServer;
  std::string api_key;
  std::string ca_file;  // CAs to trust for an https server, instead of the system's
  bool json = false;

  // A client for `server`; the key comes from --api-key, SYNCLINE_API_KEY or, only when
  // `server` is the node of ./data (IsLocalNode), ./data/admin.key.
  HttpClient Client() const;
  // The key Client() sends ("" for none).
  std::string Key() const;
  // True if `server` is the node whose data folder is ./data: the URL it recorded there.
  bool IsLocalNode() const;

  // A page of a listing (`PATH` ends in '?' or '&'; limit is added): up to `limit` items, and
  // whether more follow (one more is asked for to know).
  struct Page {
    Json items = Json::array();
    bool more = false;
    std::string body;  // the answer as sent (keys in the server's order)
  };
  Result<Page> FetchPage(const std::string& path, int64_t limit) const;

  // Prints JSON on stdout (one line).
  void PrintJson(const Json& j) const;
  // Prints a failure: {"error", "message"} on stderr with --json, else one line
  // ("syncline: MESSAGE (CODE)"). Returns its exit code (usage.h).
  int Fail(const Status& s) const;
  // Prints a command line that cannot run, as Fail does, with a pointer to the usage of
  // `verb_path` ("syncline file put"). Returns kExitUsage.
  int Usage(const std::string& message, const std::string& verb_path) const;
};

// Prints rows as columns aligned by display width under a header row (display.h).
void PrintTable(const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows);

// Calls `send(name, collection)` for each item NAME may denote (display.h, ItemCandidates)
// while the answer is NotFound: what a listing prints as COLLECTION/KEY works as a NAME.
Result<HttpResponse> SendForItem(
    const std::string& name, const std::string& collection,
    const std::function<Result<HttpResponse>(const std::string& name, const std::string& collection)>& send);

// After a listing cut by --limit: how to get the next page (on stderr, so stdout stays rows).
void PrintMoreHint(const std::string& last);

// Asks on the terminal (stderr, stdin); true only for an answer of y or yes.
bool Confirm(const std::string& question);

// "1.5 MiB" and the like.
std::string HumanBytes(double bytes);

// Encodes a file name or document key for a URL path, keeping its '/' separators.
std::string PathOf(const std::string& name);
// "/v1/db/" and the database name, encoded whole (a '/' in it is refused by the server).
std::string DbPath(const std::string& db);

// How the sync and conflict endpoints name an item: a file by name, or a document by key with
// a non-empty collection. As a query ("?name=..&collection=..") and as JSON fields.
std::string ItemQuery(const std::string& name, const std::string& collection);
Json ItemFields(const std::string& name, const std::string& collection);

}  // namespace syncline
