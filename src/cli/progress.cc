// ProgressBar drawing.
#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>

#include "cli/cli_context.h"

namespace syncline {

ProgressBar::ProgressBar(std::string label)
    : ProgressBar(std::move(label), stderr, ::isatty(STDERR_FILENO) == 1) {}

ProgressBar::ProgressBar(std::string label, FILE* out, bool enabled)
    : label_(std::move(label)), out_(out), enabled_(enabled), start_(std::chrono::steady_clock::now()) {}

ProgressBar::~ProgressBar() { Interrupt(); }

void ProgressBar::Interrupt() {
  if (!drawn_) return;
  std::fputc('\n', out_);
  std::fflush(out_);
  drawn_ = false;
}

void ProgressBar::Update(uint64_t done, uint64_t total) {
  if (!enabled_) return;
  last_done_ = done;
  last_total_ = total;
  auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  Draw(done, total);
}

void ProgressBar::Finish() {
  if (!enabled_ || !drawn_) return;
  Draw(last_total_ ? last_total_ : last_done_, last_total_);
  Interrupt();
}

void ProgressBar::Draw(uint64_t done, uint64_t total) {
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double rate = secs > 0 ? done / secs : 0;
  std::string line = label_ + "  " + HumanBytes(static_cast<double>(done));
  if (total) {
    int pct = static_cast<int>(100.0 * done / total);
    int filled = pct / 5;
    line += " / " + HumanBytes(static_cast<double>(total)) + "  [" + std::string(filled, '#') +
            std::string(20 - filled, ' ') + "] " + std::to_string(pct) + "%";
  }
  line += "  " + HumanBytes(rate) + "/s";
  if (total && rate > 0 && done < total) {
    line += "  ETA " + std::to_string(static_cast<int>((total - done) / rate)) + "s";
  }
  std::fprintf(out_, "\r%s\033[K", line.c_str());
  std::fflush(out_);
  drawn_ = true;
}

}  // namespace syncline
