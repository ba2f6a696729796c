// ProgressBar: bytes, rate and ETA on stderr, only when stderr is a terminal.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace syncline {

class ProgressBar {
 public:
  // `label` is shown first, e.g. "upload photo.jpg".
  explicit ProgressBar(std::string label);
  // Draws on `out` if `enabled` (tests).
  ProgressBar(std::string label, FILE* out, bool enabled);
  ~ProgressBar();

  bool enabled() const { return enabled_; }
  // Redraws at most ten times a second. `total` 0 means unknown.
  void Update(uint64_t done, uint64_t total);
  // Draws the final state and ends the line.
  void Finish();
  // Ends the line as it stands, so what is printed next (an error) starts a line of its own.
  void Interrupt();

 private:
  void Draw(uint64_t done, uint64_t total);

  std::string label_;
  FILE* out_;
  bool enabled_;
  bool drawn_ = false;
  uint64_t last_done_ = 0, last_total_ = 0;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace syncline
