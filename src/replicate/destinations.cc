// Destinations as configuration entries.
#include "replicate/destinations.h"

#include "sync/config_names.h"
#include "util/json_reader.h"

namespace syncline {

namespace {

std::string Name(const std::string& url) { return config_names::kDestinations + url; }

Result<Destination> DestinationFromText(const std::string& text) {
  SYNCLINE_ASSIGN_OR_RETURN(Json j, ParseJson(text));
  Result<Destination> d = DestinationFromJson(j);
  if (!d.ok()) return Status::Corruption("stored destination: " + d.status().message());
  return d;
}

}  // namespace

Json DestinationToJson(const Destination& d, bool redact) {
  Json j = {{"url", d.url},
            {"remote_db", d.remote_db},
            {"enabled", d.enabled},
            {"last_run_at", d.last_run_at},
            {"last_success_at", d.last_success_at},
            {"last_etag", d.last_etag},
            {"next_retry_at", d.next_retry_at}};
  WriteJsonStatus(d.last_error, "last_error", "last_error_code", &j);
  if (!redact) j["remote_key"] = d.remote_key;
  return j;
}

Result<Destination> DestinationFromJson(const Json& j) {
  Destination d;
  SYNCLINE_ASSIGN_OR_RETURN(d.url, JsonString(j, "url"));
  SYNCLINE_ASSIGN_OR_RETURN(d.remote_db, JsonString(j, "remote_db"));
  SYNCLINE_ASSIGN_OR_RETURN(d.remote_key, JsonStringOr(j, "remote_key", ""));
  SYNCLINE_ASSIGN_OR_RETURN(d.enabled, JsonBoolOr(j, "enabled", true));
  SYNCLINE_RETURN_IF_ERROR(ReadJsonStatus(j, "last_error", "last_error_code", &d.last_error));
  SYNCLINE_ASSIGN_OR_RETURN(d.last_run_at, JsonIntOr(j, "last_run_at", 0));
  SYNCLINE_ASSIGN_OR_RETURN(d.last_success_at, JsonIntOr(j, "last_success_at", 0));
  SYNCLINE_ASSIGN_OR_RETURN(d.last_etag, JsonIntOr(j, "last_etag", 0));
  SYNCLINE_ASSIGN_OR_RETURN(d.next_retry_at, JsonIntOr(j, "next_retry_at", 0));
  return d;
}

Result<std::string> NormalizeNodeUrl(const std::string& url) {
  std::string u = url;
  while (!u.empty() && u.back() == '/') u.pop_back();
  size_t scheme = u.find("://");
  bool ok = scheme != std::string::npos &&
            (u.substr(0, scheme) == "http" || u.substr(0, scheme) == "https") &&
            u.size() > scheme + 3 && u.find('/', scheme + 3) == std::string::npos &&
            u.find_first_of(" \t\r\n?#@") == std::string::npos;
  if (!ok) {
    return Status::InvalidArgument("'" + url +
                                   "' is not a node URL like http://host:port (no path)");
  }
  return u;
}

Result<std::vector<Destination>> ListDestinations(Store* store, const std::string& db) {
  SYNCLINE_ASSIGN_OR_RETURN(auto entries, ListAllConfig(store, db, config_names::kDestinations));
  std::vector<Destination> out;
  for (const ConfigEntry& e : entries) {
    SYNCLINE_ASSIGN_OR_RETURN(Destination d, DestinationFromText(e.value));
    out.push_back(std::move(d));
  }
  return out;
}

Result<Destination> GetDestination(Store* store, const std::string& db, const std::string& url) {
  Result<std::string> text = store->GetConfig(db, Name(url));
  if (text.status().IsNotFound()) {
    return Status::NotFound("database '" + db + "' has no destination " + url);
  }
  if (!text.ok()) return text.status();
  return DestinationFromText(*text);
}

Status PutDestination(Store* store, const std::string& db, const Destination& d) {
  return store->Write(db, [&](WriteTransaction& txn) {
    return txn.PutConfig(Name(d.url), DestinationToJson(d, false).dump());
  });
}

Status RemoveDestination(Store* store, const std::string& db, const std::string& url) {
  return store->Write(db, [&](WriteTransaction& txn) -> Status {
    Result<std::string> text = txn.GetConfig(Name(url));
    if (text.status().IsNotFound()) {
      return Status::NotFound("database '" + db + "' has no destination " + url);
    }
    if (!text.ok()) return text.status();
    SYNCLINE_RETURN_IF_ERROR(txn.DeleteConfig(Name(url)));
    return txn.SetConfirmations(url, {});
  });
}

Status UpdateDestinationHealth(Store* store, const std::string& db, const Destination& d) {
  return store->Write(db, [&](WriteTransaction& txn) -> Status {
    Result<std::string> text = txn.GetConfig(Name(d.url));
    if (text.status().IsNotFound()) return Status::OK();
    if (!text.ok()) return text.status();
    SYNCLINE_ASSIGN_OR_RETURN(Destination stored, DestinationFromText(*text));
    stored.last_error = d.last_error;
    stored.last_run_at = d.last_run_at;
    stored.last_success_at = d.last_success_at;
    stored.last_etag = d.last_etag;
    stored.next_retry_at = d.next_retry_at;
    return txn.PutConfig(Name(d.url), DestinationToJson(stored, false).dump());
  });
}

}  // namespace syncline
