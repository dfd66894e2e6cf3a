// Parsed events kept on disk between reading a JSON Lines input and posting it, so that a post
// of any size is checked whole before its first batch is written while memory holds only one
// batch. The spool is an unnamed temporary file in $TMPDIR (or /tmp): nothing is left behind,
// whatever way the process ends.
#ifndef GRANTLEDGER_CLI_EVENT_SPOOL_H_
#define GRANTLEDGER_CLI_EVENT_SPOOL_H_

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "cli/event_file.h"

namespace grantledger {

class EventSpool {
 public:
  // Unavailable when no temporary file can be made.
  static absl::StatusOr<std::unique_ptr<EventSpool>> Create();
  ~EventSpool();
  EventSpool(const EventSpool&) = delete;
  EventSpool& operator=(const EventSpool&) = delete;

  // REQUIRES: Rewind not called yet. Unavailable when the disk refuses the write.
  absl::Status Add(const EventLine& line);
  // Ends writing; Next then reads the events back from the first, in the order added.
  absl::Status Rewind();
  // The next event into *out: true, or false after the last. REQUIRES: Rewind called.
  absl::StatusOr<bool> Next(EventLine* out);

  uint64_t events() const { return events_; }

 private:
  EventSpool(std::FILE* file, std::string dir) : file_(file), dir_(std::move(dir)) {}
  absl::Status WriteFailed(int error) const;

  std::FILE* file_;
  std::string dir_;     // for messages
  std::string buffer_;  // reused for each event's bytes
  uint64_t events_ = 0;
};

}  // namespace grantledger

#endif  // GRANTLEDGER_CLI_EVENT_SPOOL_H_
