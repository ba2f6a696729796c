// Filter validation and evaluation.
#include "sync/filter.h"

#include <string>

namespace syncline {

namespace {

bool IsOperatorObject(const Json& v) {
  return v.is_object() && !v.empty() && v.begin().key().size() > 0 && v.begin().key()[0] == '$';
}

Status Validate(const Json& f, int depth);

Status ValidateCondition(const std::string& field, const Json& cond) {
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
    return Status::InvalidArgument("unknown filter operator " + op + " on '" + field + "'");
  }
  return Status::OK();
}

Status Validate(const Json& f, int depth) {
  if (depth > 32) return Status::InvalidArgument("filter nests $and/$or too deeply");
  if (!f.is_object()) return Status::InvalidArgument("a filter must be a JSON object");
  for (auto& [key, value] : f.items()) {
    if (key == "$and" || key == "$or") {
      if (!value.is_array() || value.empty()) {
        return Status::InvalidArgument(key + " needs a non-empty array of filters");
      }
      for (const auto& sub : value) SYNCLINE_RETURN_IF_ERROR(Validate(sub, depth + 1));
    } else if (!key.empty() && key[0] == '$') {
      return Status::InvalidArgument("unknown filter operator " + key);
    } else if (key.empty()) {
      return Status::InvalidArgument("a filter field name is empty");
    } else {
      SYNCLINE_RETURN_IF_ERROR(ValidateCondition(key, value));
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

bool MatchesOperator(const Json* field, const std::string& op, const Json& arg) {
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

bool Evaluate(const Json& f, const Json& doc) {
  for (auto& [key, value] : f.items()) {
    if (key == "$and") {
      for (const auto& sub : value) {
        if (!Evaluate(sub, doc)) return false;
      }
    } else if (key == "$or") {
      bool any = false;
      for (const auto& sub : value) {
        if (Evaluate(sub, doc)) {
          any = true;
          break;
        }
      }
      if (!any) return false;
    } else {
      const Json* field = FindPath(doc, key);
      if (IsOperatorObject(value)) {
        for (auto& [op, arg] : value.items()) {
          if (!MatchesOperator(field, op, arg)) return false;
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
  SYNCLINE_RETURN_IF_ERROR(Validate(filter, 0));
  return Filter(filter);
}

bool Filter::Matches(const Json& doc) const { return Evaluate(filter_, doc); }

}  // namespace syncline
