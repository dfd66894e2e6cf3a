// Terminal progress lines; see progress.h.
#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>

#include "absl/strings/str_format.h"
#include "cli/messages.h"
#include "ledger/money.h"

namespace grantledger {
namespace {
std::string Count(uint64_t n) {
  // Swedish grouping, as for amounts: "12 000".
  return FormatKronor(static_cast<int64_t>(n) * 100, /*with_unit=*/false);
}
}  // namespace

Progress::Progress(std::string what, uint64_t total)
    : what_(Tr(what)),
      total_(total),
      enabled_(isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::~Progress() { Finish(); }

void Progress::Finish() {
  if (finished_) return;
  finished_ = true;
  // The last count, not the last one drawn (which may lag by up to 100 ms: "98%").
  if (enabled_ && drawn_) Draw(done_, true);
}

void Progress::Update(uint64_t done) {
  done_ = done;
  if (!enabled_ || finished_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  Draw(done, false);
}

void Progress::Draw(uint64_t done, bool final) {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const uint64_t rate = seconds > 0 ? static_cast<uint64_t>(done / seconds) : 0;
  // A finished job that did less than the estimate (a filtered export) shows its count only.
  const bool with_total = total_ != 0 && !(final && done != total_);
  std::string line = with_total
                         ? absl::StrFormat("  %s / %s %s (%d%%), %s/s", Count(done), Count(total_),
                                           what_, done * 100 / total_, Count(rate))
                         : absl::StrFormat("  %s %s, %s/s", Count(done), what_, Count(rate));
  std::fprintf(stderr, "\r%s\033[K%s", line.c_str(), final ? "\n" : "");
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace grantledger
