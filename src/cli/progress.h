// ProgressBar: bytes, rate and ETA on stderr, only when stderr is a terminal.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace syncline {

class ProgressBar {
 public:
  // `label` is shown first, e.g. "upload photo.jpg".
  explicit ProgressBar(std::string label);
  ~ProgressBar();

  bool enabled() const { return enabled_; }
  // Redraws at most ten times a second. `total` 0 means unknown.
  void Update(uint64_t done, uint64_t total);
  // Draws the final state and ends the line.
  void Finish();

 private:
  void Draw(uint64_t done, uint64_t total);

  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  uint64_t last_done_ = 0, last_total_ = 0;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace syncline
