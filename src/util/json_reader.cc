// Checked JSON accessors: type checks first, then nlohmann's getters, which cannot throw then.
#include "util/json_reader.h"

namespace syncline {

namespace {

Status Missing(std::string_view name) {
  return Status::InvalidArgument("'" + std::string(name) + "' is missing");
}

Status WrongType(std::string_view name, std::string_view type) {
  return Status::InvalidArgument("'" + std::string(name) + "' must be " + std::string(type));
}

// The field, or null if `obj` is not an object or lacks it.
const Json* Find(const Json& obj, std::string_view name) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(name);
  return it == obj.end() ? nullptr : &*it;
}

bool Absent(const Json* v) { return v == nullptr || v->is_null(); }

}  // namespace

Result<Json> ParseJsonObject(std::string_view text) {
  SYNCLINE_ASSIGN_OR_RETURN(Json j, ParseJson(text));
  if (!j.is_object()) return Status::InvalidArgument("the JSON must be an object");
  return j;
}

Json ParseStoredJson(std::string_view text) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? Json() : j;
}

std::string DumpJson(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string JsonQuote(std::string_view s) { return DumpJson(Json(std::string(s))); }

Result<int64_t> JsonAsInt(const Json& v, std::string_view what) {
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(INT64_MAX)) return WrongType(what, "an integer below 2^63");
    return static_cast<int64_t>(u);
  }
  if (v.is_number_integer()) return v.get<int64_t>();
  return WrongType(what, "an integer");
}

Result<std::string> JsonAsString(const Json& v, std::string_view what) {
  if (!v.is_string()) return WrongType(what, "a string");
  return v.get<std::string>();
}

std::string JsonText(const Json& obj, std::string_view name, std::string_view fallback) {
  Result<std::string> v = JsonStringOr(obj, name, fallback);
  return v.ok() ? *v : std::string(fallback);
}

int64_t JsonNumber(const Json& obj, std::string_view name, int64_t fallback) {
  const Json* v = Find(obj, name);
  if (v && v->is_number_float()) return static_cast<int64_t>(v->get<double>());
  Result<int64_t> i = JsonIntOr(obj, name, fallback);
  return i.ok() ? *i : fallback;
}

bool JsonFlag(const Json& obj, std::string_view name, bool fallback) {
  Result<bool> v = JsonBoolOr(obj, name, fallback);
  return v.ok() ? *v : fallback;
}

const Json& JsonField(const Json& obj, std::string_view name) {
  static const Json kNull;
  const Json* v = Find(obj, name);
  return v ? *v : kNull;
}

Result<std::string> JsonString(const Json& obj, std::string_view name) {
  const Json* v = Find(obj, name);
  if (!v) return Missing(name);
  return JsonAsString(*v, name);
}

Result<int64_t> JsonInt(const Json& obj, std::string_view name) {
  const Json* v = Find(obj, name);
  if (!v) return Missing(name);
  return JsonAsInt(*v, name);
}

Result<bool> JsonBool(const Json& obj, std::string_view name) {
  const Json* v = Find(obj, name);
  if (!v) return Missing(name);
  if (!v->is_boolean()) return WrongType(name, "true or false");
  return v->get<bool>();
}

Result<const Json*> JsonObjectField(const Json& obj, std::string_view name) {
  const Json* v = Find(obj, name);
  if (!v) return Missing(name);
  if (!v->is_object()) return WrongType(name, "an object");
  return v;
}

Result<const Json*> JsonArrayField(const Json& obj, std::string_view name) {
  const Json* v = Find(obj, name);
  if (!v) return Missing(name);
  if (!v->is_array()) return WrongType(name, "an array");
  return v;
}

Result<std::string> JsonStringOr(const Json& obj, std::string_view name,
                                 std::string_view fallback) {
  const Json* v = Find(obj, name);
  if (Absent(v)) return std::string(fallback);
  return JsonAsString(*v, name);
}

Result<int64_t> JsonIntOr(const Json& obj, std::string_view name, int64_t fallback) {
  const Json* v = Find(obj, name);
  if (Absent(v)) return fallback;
  return JsonAsInt(*v, name);
}

Result<bool> JsonBoolOr(const Json& obj, std::string_view name, bool fallback) {
  const Json* v = Find(obj, name);
  if (Absent(v)) return fallback;
  if (!v->is_boolean()) return WrongType(name, "true or false");
  return v->get<bool>();
}

void WriteJsonStatus(const Status& s, std::string_view message_field, std::string_view code_field,
                     Json* obj) {
  (*obj)[std::string(message_field)] = s.ok() ? Json() : Json(s.message());
  (*obj)[std::string(code_field)] = s.ok() ? Json() : Json(Status::CodeName(s.code()));
}

Status ReadJsonStatus(const Json& obj, std::string_view message_field,
                      std::string_view code_field, Status* out) {
  SYNCLINE_ASSIGN_OR_RETURN(std::string message, JsonStringOr(obj, message_field, ""));
  SYNCLINE_ASSIGN_OR_RETURN(std::string code, JsonStringOr(obj, code_field, "internal"));
  *out = Status::OK();
  if (message.empty()) return Status::OK();
  Status::Code c = Status::CodeFromName(code);
  *out = Status::FromCode(c == Status::Code::kOk ? Status::Code::kInternal : c, message);
  return Status::OK();
}

}  // namespace syncline
