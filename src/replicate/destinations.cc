// Destinations as configuration entries.
#include "replicate/destinations.h"

#include "sync/config_names.h"

namespace syncline {

namespace {

std::string Name(const std::string& url) { return config_names::kDestinations + url; }

Result<Destination> DestinationFromText(const std::string& text) {
  SYNCLINE_ASSIGN_OR_RETURN(Json j, ParseJson(text));
  return DestinationFromJson(j);
}

}  // namespace

Json DestinationToJson(const Destination& d, bool redact) {
  Json j = {{"url", d.url},
            {"remote_db", d.remote_db},
            {"enabled", d.enabled},
            {"last_error", d.last_error ? Json(*d.last_error) : Json()},
            {"last_run_at", d.last_run_at},
            {"last_success_at", d.last_success_at},
            {"last_etag", d.last_etag}};
  if (!redact) j["remote_key"] = d.remote_key;
  return j;
}

Result<Destination> DestinationFromJson(const Json& j) {
  Destination d;
  try {
    d.url = j.at("url").get<std::string>();
    d.remote_db = j.at("remote_db").get<std::string>();
    d.remote_key = j.value("remote_key", "");
    d.enabled = j.value("enabled", true);
    if (j.contains("last_error") && j["last_error"].is_string()) {
      d.last_error = j["last_error"].get<std::string>();
    }
    d.last_run_at = j.value("last_run_at", int64_t{0});
    d.last_success_at = j.value("last_success_at", int64_t{0});
    d.last_etag = j.value("last_etag", int64_t{0});
  } catch (const Json::exception& e) {
    return Status::Corruption(std::string("malformed destination: ") + e.what());
  }
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
    return txn.DeleteConfig(config_names::kConfirmations + url);
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
    return txn.PutConfig(Name(d.url), DestinationToJson(stored, false).dump());
  });
}

}  // namespace syncline
