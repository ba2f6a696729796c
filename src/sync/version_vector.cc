// Version vector comparison and merge.
#include "sync/version_vector.h"

#include "util/json.h"

namespace syncline {

Result<VersionVector> VersionVector::Parse(std::string_view json) {
  SYNCLINE_ASSIGN_OR_RETURN(Json j, ParseJson(json));
  if (!j.is_object()) return Status::InvalidArgument("version vector must be a JSON object");
  VersionVector v;
  for (auto& [node, counter] : j.items()) {
    if (node.empty() || node.size() > kMaxNodeIdBytes) {
      return Status::InvalidArgument("version vector node ids must be 1 to " +
                                     std::to_string(kMaxNodeIdBytes) + " bytes");
    }
    if (!counter.is_number_unsigned()) {
      return Status::InvalidArgument("version vector counters must be unsigned integers");
    }
    uint64_t c = counter.get<uint64_t>();
    if (c) v.counters_[node] = c;
  }
  return v;
}

std::string VersionVector::ToJson() const {
  Json j = Json::object();
  for (const auto& [node, counter] : counters_) j[node] = counter;
  return j.dump();
}

void VersionVector::Bump(const std::string& node_id) { ++counters_[node_id]; }

void VersionVector::Merge(const VersionVector& other) {
  for (const auto& [node, counter] : other.counters_) {
    uint64_t& mine = counters_[node];
    if (counter > mine) mine = counter;
  }
}

uint64_t VersionVector::Get(const std::string& node_id) const {
  auto it = counters_.find(node_id);
  return it == counters_.end() ? 0 : it->second;
}

VersionVector::Order VersionVector::CompareTo(const VersionVector& other) const {
  bool some_greater = false, some_less = false;
  // Both maps are sorted by node id: walk them together.
  auto a = counters_.begin(), b = other.counters_.begin();
  while (a != counters_.end() || b != other.counters_.end()) {
    if (b == other.counters_.end() || (a != counters_.end() && a->first < b->first)) {
      some_greater = true;  // only we have seen writes on a->first
      ++a;
    } else if (a == counters_.end() || b->first < a->first) {
      some_less = true;
      ++b;
    } else {
      if (a->second > b->second) some_greater = true;
      if (a->second < b->second) some_less = true;
      ++a;
      ++b;
    }
  }
  if (some_greater && some_less) return Order::kConcurrent;
  if (some_greater) return Order::kNewer;
  if (some_less) return Order::kOlder;
  return Order::kEqual;
}

}  // namespace syncline
