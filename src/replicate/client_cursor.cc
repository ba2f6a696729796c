#include "replicate/client_cursor.h"

#include "util/base64.h"
#include "util/json_reader.h"

namespace syncline {

namespace {

Json SelectionJson(const PullSelection& s) { return {{"f", s.filter}, {"p", s.fields}}; }

Result<PullSelection> ReadSelection(const Json& j) {
  if (!j.is_object()) return Status::InvalidArgument("malformed cursor");
  PullSelection s;
  s.filter = j.contains("f") ? j["f"] : Json();
  SYNCLINE_ASSIGN_OR_RETURN(const Json* fields, JsonArrayField(j, "p"));
  for (const Json& f : *fields) {
    SYNCLINE_ASSIGN_OR_RETURN(std::string name, JsonAsString(f, "a cursor field"));
    s.fields.push_back(std::move(name));
  }
  return s;
}

}  // namespace

std::string EncodeCursor(const ClientCursor& c) {
  Json j = {{"e", c.etag}, {"s", SelectionJson(c.selection)}};
  if (c.transition) {
    j["t"] = {{"from", SelectionJson(c.transition->from)}, {"after", c.transition->after_key}};
  }
  if (c.walk) j["w"] = {{"after", c.walk->after_key}, {"snap", c.walk->snapshot_etag}};
  if (c.holds) j["h"] = true;
  if (c.first_until) j["f"] = c.first_until;
  return Base64Encode(DumpJson(j));
}

Result<ClientCursor> DecodeCursor(const std::string& text) {
  ClientCursor c;
  if (text.empty()) return c;
  Result<std::string> raw = Base64Decode(text);
  if (!raw.ok()) return Status::InvalidArgument("malformed cursor: not one this server made");
  Result<Json> j = ParseJsonObject(*raw);
  if (!j.ok()) return Status::InvalidArgument("malformed cursor: not one this server made");
  SYNCLINE_ASSIGN_OR_RETURN(c.etag, JsonInt(*j, "e"));
  if (c.etag < 0) return Status::InvalidArgument("malformed cursor: negative etag");
  SYNCLINE_ASSIGN_OR_RETURN(const Json* s, JsonObjectField(*j, "s"));
  SYNCLINE_ASSIGN_OR_RETURN(c.selection, ReadSelection(*s));
  if (j->contains("t")) {
    SYNCLINE_ASSIGN_OR_RETURN(const Json* t, JsonObjectField(*j, "t"));
    ClientCursor::Transition tr;
    SYNCLINE_ASSIGN_OR_RETURN(const Json* from, JsonObjectField(*t, "from"));
    SYNCLINE_ASSIGN_OR_RETURN(tr.from, ReadSelection(*from));
    SYNCLINE_ASSIGN_OR_RETURN(tr.after_key, JsonString(*t, "after"));
    c.transition = std::move(tr);
  }
  if (j->contains("w")) {
    SYNCLINE_ASSIGN_OR_RETURN(const Json* w, JsonObjectField(*j, "w"));
    ClientCursor::IndexWalk walk;
    SYNCLINE_ASSIGN_OR_RETURN(walk.after_key, JsonString(*w, "after"));
    SYNCLINE_ASSIGN_OR_RETURN(walk.snapshot_etag, JsonInt(*w, "snap"));
    if (walk.snapshot_etag < 0 || c.etag != 0 || c.transition) {
      return Status::InvalidArgument("malformed cursor: not one this server made");
    }
    c.walk = std::move(walk);
  }
  SYNCLINE_ASSIGN_OR_RETURN(c.holds, JsonBoolOr(*j, "h", false));
  SYNCLINE_ASSIGN_OR_RETURN(c.first_until, JsonIntOr(*j, "f", 0));
  if (c.first_until < 0) return Status::InvalidArgument("malformed cursor: negative etag");
  return c;
}

}  // namespace syncline
