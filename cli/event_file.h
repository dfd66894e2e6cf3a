// Reading events from JSON Lines (protobuf's JSON mapping of grantledger.v1.Event, one event
// per line). Every error names file:line, what is wrong and how to fix it.
#ifndef GRANTLEDGER_CLI_EVENT_FILE_H_
#define GRANTLEDGER_CLI_EVENT_FILE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grantledger/v1/events.pb.h"

namespace grantledger {

struct EventLine {
  int line = 0;  // 1-based line number in the file
  v1::Event event;
};

// Parses JSON Lines text; blank lines and lines starting with '#' are skipped. `name` is the
// file name for messages ("-" for standard input). InvalidArgument on the first bad line; an
// input with no events is rejected.
absl::StatusOr<std::vector<EventLine>> ParseEventLines(const std::string& text,
                                                       const std::string& name);

// Reads a whole file ("-": standard input).
absl::StatusOr<std::string> ReadInput(const std::string& path);

// One event as a JSON line (protobuf JSON mapping, proto field names).
std::string EventToJson(const v1::Event& event);

}  // namespace grantledger

#endif  // GRANTLEDGER_CLI_EVENT_FILE_H_
