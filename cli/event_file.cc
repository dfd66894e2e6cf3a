// JSON Lines events; see event_file.h.
#include "cli/event_file.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

namespace grantledger {

absl::StatusOr<std::vector<EventLine>> ParseEventLines(const std::string& text,
                                                       const std::string& name) {
  std::vector<EventLine> out;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;  // a misspelt field must not be silently dropped
  size_t start = 0;
  int line_number = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    EventLine parsed;
    parsed.line = line_number;
    auto status = google::protobuf::util::JsonStringToMessage(line, &parsed.event, options);
    if (!status.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          name, ":", line_number, ": not a valid event: ", std::string(status.message()),
          "; write one JSON object per line in the grantledger.v1.Event shape, e.g. "
          "{\"event_id\":\"erp-1\",\"grant_id\":\"RS/229/2025\",\"effective_date\":\"2025-06-30\","
          "\"source\":\"erp\",\"receipt\":{\"amount_ore\":\"100000\"}}"));
    }
    out.push_back(std::move(parsed));
  }
  if (out.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": has no events; give a file with one JSON event per line"));
  }
  return out;
}

absl::StatusOr<std::string> ReadInput(const std::string& path) {
  std::stringstream buffer;
  if (path == "-") {
    buffer << std::cin.rdbuf();
    return buffer.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": cannot be read; check the path and permissions"));
  }
  buffer << in.rdbuf();
  return buffer.str();
}

std::string EventToJson(const v1::Event& event) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(event, &out, options);
  return out;
}

}  // namespace grantledger
