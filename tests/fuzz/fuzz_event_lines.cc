// libFuzzer target: the JSON Lines event reader (cli/event_file.h) that `post` and `restore`
// read files with. Properties: no crash or UB; an error names the file; every event read
// prints back (EventToJson) to a line that reads as the same event.
#include <cstddef>
#include <cstdint>
#include <string>

#include "cli/event_file.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace grantledger;
  const std::string text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<std::vector<EventLine>> lines = ParseEventLines(text, "fuzz.jsonl");
  if (!lines.ok()) {
    if (std::string(lines.status().message()).find("fuzz.jsonl") == std::string::npos) {
      fuzz::Fail("an error that does not name the file: " + std::string(lines.status().message()));
    }
    return 0;
  }
  for (const EventLine& l : *lines) {
    const std::string json = EventToJson(l.event);
    absl::StatusOr<std::vector<EventLine>> again = ParseEventLines(json, "again.jsonl");
    if (!again.ok() || again->size() != 1) {
      fuzz::Fail("an event read does not read back from its own JSON: " + json);
    }
    if (again->front().event.SerializeAsString() != l.event.SerializeAsString()) {
      fuzz::Fail("an event's JSON reads back as another event: " + json);
    }
  }
  return 0;
}
