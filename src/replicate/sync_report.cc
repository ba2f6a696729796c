// SyncReport <-> JSON.
#include "replicate/sync_report.h"

#include "util/json_reader.h"

namespace syncline {

Json SyncReportToJson(const SyncReport& r) {
  Json j = {{"name", r.ref.key},
            {"kind", ItemKindName(r.ref.kind)},
            {"collection", r.ref.kind == ItemKind::kDocument ? Json(r.ref.collection) : Json()},
            {"etag", r.etag},
            {"type", SyncTypeName(r.type)},
            {"bytes_transferred", r.bytes_transferred},
            {"bytes_copied", r.bytes_copied},
            {"need_list_length", r.need_list_length},
            {"source_node", r.source_node},
            {"source_url", r.source_url},
            {"destination_url", r.destination_url},
            {"started_at", r.started_at},
            {"finished_at", r.finished_at}};
  WriteJsonStatus(r.error, "error", "error_code", &j);
  return j;
}

namespace {

// The fields a report and its store record share, copied either way.
template <typename From, typename To>
void CopySharedFields(const From& f, To* t) {
  t->ref = f.ref;
  t->etag = f.etag;
  t->bytes_transferred = f.bytes_transferred;
  t->bytes_copied = f.bytes_copied;
  t->need_list_length = f.need_list_length;
  t->source_node = f.source_node;
  t->source_url = f.source_url;
  t->destination_url = f.destination_url;
  t->started_at = f.started_at;
  t->finished_at = f.finished_at;
}

}  // namespace

ReportRecord SyncReportToRecord(const SyncReport& r) {
  ReportRecord out;
  CopySharedFields(r, &out);
  out.type = std::string(SyncTypeName(r.type));
  if (!r.error.ok()) {
    out.error_code = std::string(Status::CodeName(r.error.code()));
    out.error_message = r.error.message();
  }
  return out;
}

Result<SyncReport> SyncReportFromRecord(const ReportRecord& r) {
  SyncReport out;
  CopySharedFields(r, &out);
  Result<SyncType> type = ParseSyncType(r.type);
  if (!type.ok()) return Status::Corruption("stored report: " + type.status().message());
  out.type = *type;
  if (!r.error_code.empty()) {
    Status::Code c = Status::CodeFromName(r.error_code);
    out.error = Status::FromCode(c == Status::Code::kOk ? Status::Code::kInternal : c,
                                 r.error_message.empty() ? r.error_code : r.error_message);
  }
  return out;
}

Result<SyncReport> SyncReportFromJson(const Json& j) {
  if (!j.is_object()) return Status::InvalidArgument("a sync report must be an object");
  SyncReport r;
  SYNCLINE_ASSIGN_OR_RETURN(r.ref.key, JsonString(j, "name"));
  Result<std::string> kind = JsonStringOr(j, "kind", "file");
  if (!kind.ok()) return kind.status();
  r.ref.kind = *kind == "document" ? ItemKind::kDocument : ItemKind::kFile;
  SYNCLINE_ASSIGN_OR_RETURN(r.ref.collection, JsonStringOr(j, "collection", ""));
  SYNCLINE_ASSIGN_OR_RETURN(r.etag, JsonIntOr(j, "etag", 0));
  Result<std::string> type = JsonStringOr(j, "type", "");
  if (!type.ok()) return type.status();
  SYNCLINE_ASSIGN_OR_RETURN(r.type, ParseSyncType(*type));
  SYNCLINE_RETURN_IF_ERROR(ReadJsonStatus(j, "error", "error_code", &r.error));
  SYNCLINE_ASSIGN_OR_RETURN(r.bytes_transferred, JsonIntOr(j, "bytes_transferred", 0));
  SYNCLINE_ASSIGN_OR_RETURN(r.bytes_copied, JsonIntOr(j, "bytes_copied", 0));
  SYNCLINE_ASSIGN_OR_RETURN(r.need_list_length, JsonIntOr(j, "need_list_length", 0));
  SYNCLINE_ASSIGN_OR_RETURN(r.source_node, JsonStringOr(j, "source_node", ""));
  SYNCLINE_ASSIGN_OR_RETURN(r.source_url, JsonStringOr(j, "source_url", ""));
  SYNCLINE_ASSIGN_OR_RETURN(r.destination_url, JsonStringOr(j, "destination_url", ""));
  SYNCLINE_ASSIGN_OR_RETURN(r.started_at, JsonIntOr(j, "started_at", 0));
  SYNCLINE_ASSIGN_OR_RETURN(r.finished_at, JsonIntOr(j, "finished_at", 0));
  return r;
}

}  // namespace syncline
