// CliContext: output helpers shared by the client verbs.
#include "cli/cli_context.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/display.h"
#include "cli/usage.h"
#include "net/url.h"

namespace syncline {

namespace {

std::string FirstLine(const std::string& path) {
  std::ifstream f(path);
  std::string line;
  std::getline(f, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

// A node URL as the CLI compares it: no trailing '/', and a wildcard or named loopback host
// (a node listening on 0.0.0.0 records that) as the loopback address the CLI would dial.
std::string Canonical(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  for (auto [from, to] : {std::pair{"//0.0.0.0:", "//127.0.0.1:"}, std::pair{"//localhost:", "//127.0.0.1:"},
                          std::pair{"//[::]:", "//[::1]:"}}) {
    size_t at = url.find(from);
    if (at != std::string::npos) url.replace(at, std::string_view(from).size(), to);
  }
  return url;
}

}  // namespace

std::string CliContext::Key() const {
  if (api_key.empty() && IsLocalNode()) return FirstLine(kLocalDataDir + std::string("/admin.key"));
  return api_key;
}

HttpClient CliContext::Client() const {
  HttpClient client(server, Key());
  if (!ca_file.empty()) client.set_ca_file(ca_file);
  return client;
}

bool CliContext::IsLocalNode() const {
  // The node records its URL beside its key; a folder without one (an older node) is taken
  // to be `make run`'s default only. Never hand the key to another server.
  std::string local = FirstLine(kLocalDataDir + std::string("/url"));
  if (local.empty()) local = kDefaultServer;
  return Canonical(server) == Canonical(local);
}

Result<CliContext::Page> CliContext::FetchPage(const std::string& path, int64_t limit) const {
  constexpr int64_t kMaxLimit = 10000;  // the API's
  int64_t ask = std::min(limit + 1, kMaxLimit);
  SYNCLINE_ASSIGN_OR_RETURN(HttpResponse r, Client().Send("GET", path + "limit=" + std::to_string(ask)));
  Json list = Json::parse(r.body, nullptr, false);
  if (!list.is_array()) return Status::ProtocolError("the server's listing is not a JSON array");
  Page page;
  page.body = std::move(r.body);
  for (auto& item : list) {
    if (static_cast<int64_t>(page.items.size()) == limit) {
      page.more = true;
      break;
    }
    page.items.push_back(std::move(item));
  }
  // At the API's own limit, a full page may or may not be the last.
  if (limit >= kMaxLimit && static_cast<int64_t>(list.size()) == kMaxLimit) page.more = true;
  return page;
}

Result<HttpResponse> SendForItem(
    const std::string& name, const std::string& collection,
    const std::function<Result<HttpResponse>(const std::string& name, const std::string& collection)>& send) {
  auto candidates = ItemCandidates(name, collection);
  Result<HttpResponse> first = Status::Internal("no item to try");
  for (size_t i = 0; i < candidates.size(); ++i) {
    Result<HttpResponse> r = send(candidates[i].first, candidates[i].second);
    if (!r.status().IsNotFound()) return r;  // found, or failed for another reason
    if (i == 0) first = std::move(r);
  }
  return first;  // not found: said of what the user typed
}

void PrintMoreHint(const std::string& last) {
  std::cerr << "(more: continue with --after '" << last << "')\n";
}

void CliContext::PrintJson(const Json& j) const {
  std::cout << j.dump(-1, ' ', false, Json::error_handler_t::replace) << "\n";
}

int CliContext::Fail(const Status& s) const {
  if (json) {
    Json j = {{"error", Status::CodeName(s.code())}, {"message", s.message()}};
    std::cerr << j.dump(-1, ' ', false, Json::error_handler_t::replace) << "\n";
  } else {
    std::cerr << "syncline: " << s.message() << " (" << Status::CodeName(s.code()) << ")\n";
  }
  return ExitCodeFor(s);
}

int CliContext::Usage(const std::string& message, const std::string& verb_path) const {
  (void)Fail(Status::InvalidArgument(message));
  if (!json) std::cerr << "Run '" << verb_path << " --help' for its usage.\n";
  return kExitUsage;
}

void PrintTable(const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows) {
  std::cout << FormatTable(header, rows);
}

std::string HumanBytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) {
    bytes /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
  return buf;
}

std::string PathOf(const std::string& name) { return PercentEncode(name, /*keep_slash=*/true); }

std::string DbPath(const std::string& db) { return "/v1/db/" + PercentEncode(db); }

std::string ItemQuery(const std::string& name, const std::string& collection) {
  std::string q = "?name=" + PercentEncode(name);
  if (!collection.empty()) q += "&collection=" + PercentEncode(collection);
  return q;
}

Json ItemFields(const std::string& name, const std::string& collection) {
  Json j = {{"name", name}};
  if (!collection.empty()) j["collection"] = collection;
  return j;
}

bool Confirm(const std::string& question) {
  std::cerr << question << " [y/N] " << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  return answer == "y" || answer == "Y" || answer == "yes" || answer == "YES" || answer == "Yes";
}

}  // namespace syncline
