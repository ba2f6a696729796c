// VersionVector: {node_id: counter} per item; comparing two says which write came first.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "syncline/result.h"

namespace syncline {

inline constexpr size_t kMaxNodeIdBytes = 128;  // node ids are UUIDs; this bounds a peer's

class VersionVector {
 public:
  // How this vector relates to another.
  enum class Order {
    kEqual,       // the same history
    kNewer,       // this one descends from the other
    kOlder,       // the other descends from this one
    kConcurrent,  // neither descends from the other: a conflict
  };

  VersionVector() = default;

  // Parses the JSON object form; InvalidArgument on anything else.
  static Result<VersionVector> Parse(std::string_view json);
  std::string ToJson() const;

  // Records one more write on `node_id`.
  void Bump(const std::string& node_id);
  // Pointwise maximum: the smallest vector that descends from both.
  void Merge(const VersionVector& other);
  uint64_t Get(const std::string& node_id) const;

  Order CompareTo(const VersionVector& other) const;
  bool IsConcurrentWith(const VersionVector& other) const {
    return CompareTo(other) == Order::kConcurrent;
  }

  const std::map<std::string, uint64_t>& counters() const { return counters_; }

 private:
  std::map<std::string, uint64_t> counters_;  // no zero entries
};

}  // namespace syncline
