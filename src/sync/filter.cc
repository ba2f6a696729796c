// Filter validation and evaluation.
#include "sync/filter.h"

#include <re2/re2.h>

#include <cmath>

#include <string>

namespace syncline {

namespace {

constexpr size_t kMaxRegexBytes = 1024;
constexpr int64_t kMaxRegexMemory = 1 << 20;  // RE2's budget per pattern

// The JSON types $type names; "integer" is a number without a fraction.
constexpr std::string_view kTypeNames[] = {"null",   "boolean", "number", "integer",
                                           "string", "array",   "object"};

bool IsTypeName(const Json& v) {
  if (!v.is_string()) return false;
  for (std::string_view t : kTypeNames) {
    if (v.get_ref<const std::string&>() == t) return true;
  }
  return false;
}

bool HasType(const Json& v, std::string_view type) {
  if (type == "null") return v.is_null();
  if (type == "boolean") return v.is_boolean();
  if (type == "number") return v.is_number();
  if (type == "integer") {
    if (v.is_number_integer()) return true;
    if (!v.is_number_float()) return false;
    // Without a cast to an integer type: that is undefined for 1e300.
    double d = v.get<double>();
    return std::isfinite(d) && std::trunc(d) == d;
  }
  if (type == "string") return v.is_string();
  if (type == "array") return v.is_array();
  return v.is_object();
}

std::string RegexKey(std::string_view pattern, std::string_view options) {
  std::string key(options);
  key += '/';
  key += pattern;
  return key;
}

// The $options beside a $regex ("" or "i"), or an error.
Result<std::string> RegexOptions(const std::string& field, const Json& cond) {
  auto it = cond.find("$options");
  if (it == cond.end()) return std::string();
  if (!it->is_string() || (*it != "" && *it != "i")) {
    return Status::InvalidArgument("$options on '" + field + "' must be \"\" or \"i\"");
  }
  return it->get<std::string>();
}

bool IsOperatorObject(const Json& v) {
  return v.is_object() && !v.empty() && v.begin().key().size() > 0 && v.begin().key()[0] == '$';
}

Status Validate(const Json& f, int depth, Filter::Regexes* regexes);

// Compiles the $regex of `cond` into `regexes`.
Status CompileRegex(const std::string& field, const Json& cond, const Json& pattern,
                    Filter::Regexes* regexes) {
  if (!pattern.is_string()) {
    return Status::InvalidArgument("$regex on '" + field + "' needs a string");
  }
  const std::string& p = pattern.get_ref<const std::string&>();
  if (p.size() > kMaxRegexBytes) {
    return Status::InvalidArgument("$regex on '" + field + "' is longer than " +
                                   std::to_string(kMaxRegexBytes) + " bytes");
  }
  SYNCLINE_ASSIGN_OR_RETURN(std::string options, RegexOptions(field, cond));
  std::string key = RegexKey(p, options);
  if (regexes->count(key)) return Status::OK();
  RE2::Options o;
  o.set_log_errors(false);
  o.set_case_sensitive(options != "i");
  o.set_max_mem(kMaxRegexMemory);
  auto re = std::make_shared<const RE2>(p, o);
  if (!re->ok()) {
    return Status::InvalidArgument("$regex on '" + field + "' is not a valid RE2 pattern: " +
                                   re->error());
  }
  (*regexes)[key] = std::move(re);
  return Status::OK();
}

Status ValidateCondition(const std::string& field, const Json& cond, Filter::Regexes* regexes) {
  if (!IsOperatorObject(cond)) return Status::OK();  // implicit $eq on any value
  for (auto& [op, arg] : cond.items()) {
    if (op == "$eq" || op == "$ne" || op == "$gt" || op == "$gte" || op == "$lt" ||
        op == "$lte") {
      continue;
    }
    if (op == "$in" || op == "$nin") {
      if (!arg.is_array()) return Status::InvalidArgument(op + " on '" + field + "' needs an array");
      continue;
    }
    if (op == "$exists") {
      if (!arg.is_boolean()) return Status::InvalidArgument("$exists on '" + field + "' needs true or false");
      continue;
    }
    if (op == "$type") {
      bool ok = IsTypeName(arg);
      if (arg.is_array() && !arg.empty()) {
        ok = true;
        for (const Json& t : arg) ok = ok && IsTypeName(t);
      }
      if (!ok) {
        return Status::InvalidArgument(
            "$type on '" + field +
            "' needs one of null, boolean, number, integer, string, array, object (or an "
            "array of them)");
      }
      continue;
    }
    if (op == "$regex") {
      SYNCLINE_RETURN_IF_ERROR(CompileRegex(field, cond, arg, regexes));
      continue;
    }
    if (op == "$options") {
      if (!cond.contains("$regex")) {
        return Status::InvalidArgument("$options on '" + field + "' needs a $regex beside it");
      }
      continue;
    }
    return Status::InvalidArgument("unknown filter operator " + op + " on '" + field + "'");
  }
  return Status::OK();
}

Status Validate(const Json& f, int depth, Filter::Regexes* regexes) {
  if (depth > 32) return Status::InvalidArgument("filter nests $and/$or too deeply");
  if (!f.is_object()) return Status::InvalidArgument("a filter must be a JSON object");
  for (auto& [key, value] : f.items()) {
    if (key == "$and" || key == "$or") {
      if (!value.is_array() || value.empty()) {
        return Status::InvalidArgument(key + " needs a non-empty array of filters");
      }
      for (const auto& sub : value) SYNCLINE_RETURN_IF_ERROR(Validate(sub, depth + 1, regexes));
    } else if (!key.empty() && key[0] == '$') {
      return Status::InvalidArgument("unknown filter operator " + key);
    } else if (key.empty()) {
      return Status::InvalidArgument("a filter field name is empty");
    } else {
      SYNCLINE_RETURN_IF_ERROR(ValidateCondition(key, value, regexes));
    }
  }
  return Status::OK();
}

// Orders numbers with numbers and strings with strings; other pairs are incomparable.
bool Compare(const Json& a, const Json& b, int* cmp) {
  if (a.is_number() && b.is_number()) {
    double x = a.get<double>(), y = b.get<double>();
    *cmp = x < y ? -1 : (x > y ? 1 : 0);
    return true;
  }
  if (a.is_string() && b.is_string()) {
    int c = a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>());
    *cmp = c < 0 ? -1 : (c > 0 ? 1 : 0);
    return true;
  }
  return false;
}

bool ValueEquals(const Json& a, const Json& b) {
  int cmp;
  if (a.is_number() && b.is_number()) return Compare(a, b, &cmp) && cmp == 0;  // 1 == 1.0
  return a == b;
}

// Equality as queries expect it: an array field also matches when one element is equal.
bool FieldEquals(const Json* field, const Json& value) {
  if (!field) return value.is_null();
  if (ValueEquals(*field, value)) return true;
  if (field->is_array()) {
    for (const auto& e : *field) {
      if (ValueEquals(e, value)) return true;
    }
  }
  return false;
}

bool FieldIn(const Json* field, const Json& values) {
  for (const auto& v : values) {
    if (FieldEquals(field, v)) return true;
  }
  return false;
}

bool FieldHasType(const Json* field, const Json& types) {
  if (!field) return false;
  if (types.is_string()) return HasType(*field, types.get_ref<const std::string&>());
  for (const Json& t : types) {
    if (HasType(*field, t.get_ref<const std::string&>())) return true;
  }
  return false;
}

// A string field matches if the pattern occurs in it; an array field if one string element
// does.
bool FieldMatchesRegex(const Json* field, const RE2& re) {
  if (!field) return false;
  if (field->is_string()) return RE2::PartialMatch(field->get_ref<const std::string&>(), re);
  if (field->is_array()) {
    for (const Json& e : *field) {
      if (e.is_string() && RE2::PartialMatch(e.get_ref<const std::string&>(), re)) return true;
    }
  }
  return false;
}

struct Evaluation {
  const Json& cond;  // the operator object the operator is in (for $options)
  const Filter::Regexes& regexes;
};

bool MatchesOperator(const Json* field, const std::string& op, const Json& arg,
                     const Evaluation& e) {
  if (op == "$options") return true;  // read with its $regex
  if (op == "$regex") {
    Result<std::string> options = RegexOptions("", e.cond);
    auto it = e.regexes.find(RegexKey(arg.get_ref<const std::string&>(),
                                      options.ok() ? *options : ""));
    return it != e.regexes.end() && FieldMatchesRegex(field, *it->second);
  }
  if (op == "$type") return FieldHasType(field, arg);
  if (op == "$eq") return FieldEquals(field, arg);
  if (op == "$ne") return !FieldEquals(field, arg);
  if (op == "$in") return FieldIn(field, arg);
  if (op == "$nin") return !FieldIn(field, arg);
  if (op == "$exists") return (field != nullptr) == arg.get<bool>();
  int cmp;
  if (!field || !Compare(*field, arg, &cmp)) return false;
  if (op == "$gt") return cmp > 0;
  if (op == "$gte") return cmp >= 0;
  if (op == "$lt") return cmp < 0;
  return cmp <= 0;  // $lte, the only one left after validation
}

bool Evaluate(const Json& f, const Json& doc, const Filter::Regexes& regexes) {
  for (auto& [key, value] : f.items()) {
    if (key == "$and") {
      for (const auto& sub : value) {
        if (!Evaluate(sub, doc, regexes)) return false;
      }
    } else if (key == "$or") {
      bool any = false;
      for (const auto& sub : value) {
        if (Evaluate(sub, doc, regexes)) {
          any = true;
          break;
        }
      }
      if (!any) return false;
    } else {
      const Json* field = FindPath(doc, key);
      if (IsOperatorObject(value)) {
        Evaluation e{value, regexes};
        for (auto& [op, arg] : value.items()) {
          if (!MatchesOperator(field, op, arg, e)) return false;
        }
      } else if (!FieldEquals(field, value)) {
        return false;
      }
    }
  }
  return true;
}

}  // namespace

const Json* FindPath(const Json& doc, std::string_view path) {
  const Json* cur = &doc;
  size_t start = 0;
  while (cur) {
    size_t dot = path.find('.', start);
    std::string seg(path.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (cur->is_object()) {
      auto it = cur->find(seg);
      cur = it == cur->end() ? nullptr : &*it;
    } else if (cur->is_array() && !seg.empty() &&
               seg.find_first_not_of("0123456789") == std::string::npos && seg.size() < 10) {
      size_t i = std::stoul(seg);
      cur = i < cur->size() ? &(*cur)[i] : nullptr;
    } else {
      cur = nullptr;
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return cur;
}

Result<Filter> Filter::Parse(const Json& filter) {
  auto regexes = std::make_shared<Regexes>();
  SYNCLINE_RETURN_IF_ERROR(Validate(filter, 0, regexes.get()));
  return Filter(filter, std::move(regexes));
}

bool Filter::Matches(const Json& doc) const { return Evaluate(filter_, doc, *regexes_); }

std::optional<Json> Filter::FirstFailure(const Json& doc) const {
  for (auto& [key, value] : filter_.items()) {
    Json one = {{key, value}};
    if (!Evaluate(one, doc, *regexes_)) return one;
  }
  return std::nullopt;
}

}  // namespace syncline
