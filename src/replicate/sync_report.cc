// SyncReport <-> JSON.
#include "replicate/sync_report.h"

namespace syncline {

Json SyncReportToJson(const SyncReport& r) {
  Json j = {{"name", r.ref.key},
            {"kind", ItemKindName(r.ref.kind)},
            {"collection", r.ref.kind == ItemKind::kDocument ? Json(r.ref.collection) : Json()},
            {"etag", r.etag},
            {"type", SyncTypeName(r.type)},
            {"error", r.error ? Json(*r.error) : Json()},
            {"bytes_transferred", r.bytes_transferred},
            {"bytes_copied", r.bytes_copied},
            {"need_list_length", r.need_list_length},
            {"source_node", r.source_node},
            {"source_url", r.source_url},
            {"destination_url", r.destination_url},
            {"started_at", r.started_at},
            {"finished_at", r.finished_at}};
  return j;
}

Result<SyncReport> SyncReportFromJson(const Json& j) {
  if (!j.is_object()) return Status::InvalidArgument("a sync report must be an object");
  SyncReport r;
  try {
    r.ref.key = j.at("name").get<std::string>();
    r.ref.kind = j.value("kind", "file") == "document" ? ItemKind::kDocument : ItemKind::kFile;
    if (j.contains("collection") && j["collection"].is_string()) {
      r.ref.collection = j["collection"].get<std::string>();
    }
    r.etag = j.value("etag", int64_t{0});
    SYNCLINE_ASSIGN_OR_RETURN(r.type, ParseSyncType(j.value("type", "")));
    if (j.contains("error") && j["error"].is_string()) r.error = j["error"].get<std::string>();
    r.bytes_transferred = j.value("bytes_transferred", int64_t{0});
    r.bytes_copied = j.value("bytes_copied", int64_t{0});
    r.need_list_length = j.value("need_list_length", int64_t{0});
    r.source_node = j.value("source_node", "");
    r.source_url = j.value("source_url", "");
    r.destination_url = j.value("destination_url", "");
    r.started_at = j.value("started_at", int64_t{0});
    r.finished_at = j.value("finished_at", int64_t{0});
  } catch (const Json::exception& e) {
    return Status::InvalidArgument(std::string("malformed sync report: ") + e.what());
  }
  return r;
}

}  // namespace syncline
