// HttpLimits: what the HTTP server lets any client take (connections, header size and time,
// buffered bodies), so that no client, however slow or hostile, can wedge a node or grow its
// memory without bound. `serve` options set them; docs/ARCHITECTURE.md states the bound.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace syncline {

struct HttpLimits {
  int max_connections = 4096;         // more are answered 503 and closed at once
  size_t max_header_bytes = 64 << 10;  // request line and headers: 431 past it
  int max_header_count = 100;          // header fields: 431 past it
  int header_timeout_seconds = 10;     // from a request's first byte to the end of its header
  int idle_timeout_seconds = 60;       // a connection that moves no byte this long is closed
  size_t max_body_bytes = 64 << 20;    // a request body read whole (file uploads stream)
  size_t body_memory_bytes = 256 << 20;  // all request bodies read whole, at once: 503 past it
};

// A shared allowance of bytes (the request bodies held in memory). Thread-safe.
class MemoryBudget {
 public:
  explicit MemoryBudget(size_t bytes) : left_(static_cast<int64_t>(bytes)) {}
  // Takes `n` bytes if that many are left; false (and takes nothing) otherwise.
  bool TryReserve(size_t n) {
    int64_t want = static_cast<int64_t>(n);
    int64_t left = left_.load();
    while (left >= want) {
      if (left_.compare_exchange_weak(left, left - want)) return true;
    }
    return false;
  }
  void Release(size_t n) { left_ += static_cast<int64_t>(n); }

 private:
  std::atomic<int64_t> left_;
};

// Holds a reservation for its lifetime.
class BudgetReservation {
 public:
  BudgetReservation() = default;
  BudgetReservation(MemoryBudget* budget, size_t n) : budget_(budget), n_(n) {}
  BudgetReservation(BudgetReservation&& o) noexcept : budget_(o.budget_), n_(o.n_) { o.budget_ = nullptr; }
  BudgetReservation& operator=(BudgetReservation&& o) noexcept {
    if (this != &o) {
      Reset();
      budget_ = o.budget_;
      n_ = o.n_;
      o.budget_ = nullptr;
    }
    return *this;
  }
  ~BudgetReservation() { Reset(); }
  void Reset() {
    if (budget_) budget_->Release(n_);
    budget_ = nullptr;
  }

 private:
  MemoryBudget* budget_ = nullptr;
  size_t n_ = 0;
};

}  // namespace syncline
