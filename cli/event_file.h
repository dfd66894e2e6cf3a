// Reading events from JSON Lines (protobuf's JSON mapping of grantledger.v1.Event, one event
// per line), whole or one line at a time. Every error names file:line, what is wrong and how to
// fix it.
#ifndef GRANTLEDGER_CLI_EVENT_FILE_H_
#define GRANTLEDGER_CLI_EVENT_FILE_H_

#include <istream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grantledger/v1/events.pb.h"

namespace grantledger {

struct EventLine {
  int line = 0;  // 1-based line number in the file
  v1::Event event;
};

// Reads events from a JSON Lines stream one at a time, holding one line in memory. Blank lines
// and lines starting with '#' are skipped; a line's trailing CR is dropped.
class EventLineReader {
 public:
  // `name` is the file name for messages ("-" for standard input). `in` must outlive the reader.
  EventLineReader(std::istream& in, std::string name);

  // The next event into *out: true, or false at the end of the input. InvalidArgument naming
  // name:line when a line is not an event.
  absl::StatusOr<bool> Next(EventLine* out);

  // The events read so far.
  uint64_t events() const { return events_; }

 private:
  std::istream& in_;
  std::string name_;
  std::string line_;  // reused: its capacity is the longest line read
  int line_number_ = 0;
  uint64_t events_ = 0;
};

// InvalidArgument: `name` holds no event.
absl::Status NoEventsError(const std::string& name);

// Parses JSON Lines text (as EventLineReader). InvalidArgument on the first bad line; an input
// with no events is rejected.
absl::StatusOr<std::vector<EventLine>> ParseEventLines(const std::string& text,
                                                       const std::string& name);

// Opens a file for reading ("-": standard input), to be read as a stream. InvalidArgument when
// it cannot be opened.
absl::StatusOr<std::unique_ptr<std::istream>> OpenInput(const std::string& path);

// Reads a whole file ("-": standard input).
absl::StatusOr<std::string> ReadInput(const std::string& path);

// One event as a JSON line (protobuf JSON mapping, proto field names).
std::string EventToJson(const v1::Event& event);

}  // namespace grantledger

#endif  // GRANTLEDGER_CLI_EVENT_FILE_H_
