// Field projection over dotted paths.
#include "sync/projection.h"

#include "sync/filter.h"

namespace syncline {

Json ProjectFields(const Json& doc, const std::vector<std::string>& fields) {
  if (fields.empty()) return doc;
  Json out = Json::object();
  for (const auto& path : fields) {
    const Json* v = FindPath(doc, path);
    if (!v) continue;
    // Rebuild the nesting: "a.b" becomes {"a": {"b": v}}.
    Json* cur = &out;
    size_t start = 0;
    while (true) {
      size_t dot = path.find('.', start);
      std::string seg = path.substr(start, dot == std::string::npos ? dot : dot - start);
      if (dot == std::string::npos) {
        (*cur)[seg] = *v;
        break;
      }
      Json& next = (*cur)[seg];
      if (!next.is_object()) next = Json::object();
      cur = &next;
      start = dot + 1;
    }
  }
  return out;
}

}  // namespace syncline
