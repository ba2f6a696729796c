// Checked reads of JSON that came from outside the process (a client's request, a peer's reply,
// a stored value that may be damaged). The one way to read such JSON: every accessor returns a
// Result naming the field and never throws. nlohmann's throwing accessors (`value`, `at`,
// `get` on an unchecked type, `Json::parse`) are for JSON this process built itself.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "syncline/result.h"
#include "util/json.h"

namespace syncline {

// Parses `text` as a JSON object (depth-limited as ParseJson). InvalidArgument otherwise.
Result<Json> ParseJsonObject(std::string_view text);

// Parses JSON this node wrote itself (a stored version vector, body or metadata). Never
// throws: damaged text becomes null, which every reader below refuses.
Json ParseStoredJson(std::string_view text);

// Serializes without throwing: invalid UTF-8 in strings is replaced (U+FFFD), never a throw.
std::string DumpJson(const Json& j);
// `s` as a JSON string literal, quoted and escaped as DumpJson does: for JSON text written
// out piece by piece.
std::string JsonQuote(std::string_view s);

// Required fields. InvalidArgument "'NAME' is missing" or "'NAME' must be TYPE" when `obj` is
// not an object, lacks the field, or holds another type. Integers must fit int64_t.
Result<std::string> JsonString(const Json& obj, std::string_view name);
Result<int64_t> JsonInt(const Json& obj, std::string_view name);
Result<bool> JsonBool(const Json& obj, std::string_view name);
// The field's value, which must be an object or an array; points into `obj`.
Result<const Json*> JsonObjectField(const Json& obj, std::string_view name);
Result<const Json*> JsonArrayField(const Json& obj, std::string_view name);

// Optional fields: `fallback` when the field is absent or null; InvalidArgument when it holds
// another type (a wrong type is an error, not a default).
Result<std::string> JsonStringOr(const Json& obj, std::string_view name, std::string_view fallback);
Result<int64_t> JsonIntOr(const Json& obj, std::string_view name, int64_t fallback);
Result<bool> JsonBoolOr(const Json& obj, std::string_view name, bool fallback);

// A Status kept as two optional fields, a message and a code name (as a report's "error" and
// "error_code"): sets `*out` to OK when the message is absent, null or empty; an unknown code
// is kInternal. Returns the read's own error (a field of the wrong type). (An out parameter:
// Result<Status> could not tell its value from its error.)
Status ReadJsonStatus(const Json& obj, std::string_view message_field,
                      std::string_view code_field, Status* out);
// Its inverse: sets both fields of `obj`, to null for OK.
void WriteJsonStatus(const Status& s, std::string_view message_field, std::string_view code_field,
                     Json* obj);

// For showing an answer to a person (the CLI printing what a server said): the field as text,
// number or flag, or `fallback` when it is absent or of another type; the field itself (an
// array or object to walk), or null. Built on the accessors above; they never throw.
std::string JsonText(const Json& obj, std::string_view name, std::string_view fallback = "");
int64_t JsonNumber(const Json& obj, std::string_view name, int64_t fallback = 0);
bool JsonFlag(const Json& obj, std::string_view name, bool fallback = false);
const Json& JsonField(const Json& obj, std::string_view name);

// An element of an array as an integer or a string (for arrays of indices or names).
Result<int64_t> JsonAsInt(const Json& value, std::string_view what);
Result<std::string> JsonAsString(const Json& value, std::string_view what);

}  // namespace syncline
