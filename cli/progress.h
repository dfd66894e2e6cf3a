// A progress line on a terminal for long posts, imports, exports and restores: counts and rate,
// redrawn at most ten times a second on stderr; silent when stderr is not a terminal.
#ifndef GRANTLEDGER_CLI_PROGRESS_H_
#define GRANTLEDGER_CLI_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <string>

namespace grantledger {

class Progress {
 public:
  // `what` names the unit, e.g. "events"; total 0 when unknown.
  Progress(std::string what, uint64_t total);
  ~Progress();
  void Update(uint64_t done);
  // Draws the final count (the total, when known) and ends the line, so that a summary
  // printed next starts on a line of its own. Idempotent; the destructor calls it.
  void Finish();

 private:
  void Draw(uint64_t done, bool final);
  std::string what_;
  uint64_t total_;
  uint64_t done_ = 0;
  bool enabled_;
  bool drawn_ = false;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace grantledger

#endif  // GRANTLEDGER_CLI_PROGRESS_H_
