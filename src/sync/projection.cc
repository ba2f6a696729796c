// Field projection over dotted paths.
#include "sync/projection.h"

#include "sync/filter.h"

namespace syncline {

namespace {

// Sets `value` at the dotted `path` of `out`, making objects on the way ("a.b" in {} gives
// {"a": {"b": value}}); with no value, removes what is there.
void SetPath(Json* out, const std::string& path, const Json* value) {
  Json* cur = out;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    std::string seg = path.substr(start, dot == std::string::npos ? dot : dot - start);
    if (dot == std::string::npos) {
      if (value) {
        (*cur)[seg] = *value;
      } else {
        cur->erase(seg);
      }
      return;
    }
    if (!value && (!cur->contains(seg) || !(*cur)[seg].is_object())) return;
    Json& next = (*cur)[seg];
    if (!next.is_object()) next = Json::object();
    cur = &next;
    start = dot + 1;
  }
}

}  // namespace

Json ProjectFields(const Json& doc, const std::vector<std::string>& fields) {
  if (fields.empty()) return doc;
  Json out = Json::object();
  for (const auto& path : fields) {
    if (const Json* v = FindPath(doc, path)) SetPath(&out, path, v);
  }
  return out;
}

Json MergeFields(const Json& full, const Json& partial, const std::vector<std::string>& fields) {
  if (fields.empty() || !full.is_object()) return partial;
  Json out = full;
  for (const auto& path : fields) SetPath(&out, path, FindPath(partial, path));
  return out;
}

}  // namespace syncline
