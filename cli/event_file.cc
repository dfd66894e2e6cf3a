// JSON Lines events; see event_file.h.
#include "cli/event_file.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

namespace grantledger {
namespace {

absl::Status CannotBeRead(const std::string& path) {
  return absl::InvalidArgumentError(
      absl::StrCat(path, ": cannot be read; check the path and permissions"));
}

}  // namespace

EventLineReader::EventLineReader(std::istream& in, std::string name)
    : in_(in), name_(std::move(name)) {}

absl::StatusOr<bool> EventLineReader::Next(EventLine* out) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;  // a misspelt field must not be silently dropped
  while (std::getline(in_, line_)) {
    ++line_number_;
    if (!line_.empty() && line_.back() == '\r') line_.pop_back();
    const size_t first = line_.find_first_not_of(" \t");
    if (first == std::string::npos || line_[first] == '#') continue;
    out->line = line_number_;
    out->event.Clear();
    auto status = google::protobuf::util::JsonStringToMessage(line_, &out->event, options);
    if (!status.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          name_, ":", line_number_, ": not a valid event: ", std::string(status.message()),
          "; write one JSON object per line in the grantledger.v1.Event shape, e.g. "
          "{\"event_id\":\"erp-1\",\"grant_id\":\"RS/229/2025\",\"effective_date\":\"2025-06-30\","
          "\"source\":\"erp\",\"receipt\":{\"amount_ore\":\"100000\"}}"));
    }
    ++events_;
    return true;
  }
  return false;
}

absl::Status NoEventsError(const std::string& name) {
  return absl::InvalidArgumentError(
      absl::StrCat(name, ": has no events; give a file with one JSON event per line"));
}

absl::StatusOr<std::vector<EventLine>> ParseEventLines(const std::string& text,
                                                       const std::string& name) {
  std::istringstream in(text);
  EventLineReader reader(in, name);
  std::vector<EventLine> out;
  while (true) {
    EventLine parsed;
    absl::StatusOr<bool> more = reader.Next(&parsed);
    if (!more.ok()) return more.status();
    if (!*more) break;
    out.push_back(std::move(parsed));
  }
  if (out.empty()) return NoEventsError(name);
  return out;
}

absl::StatusOr<std::unique_ptr<std::istream>> OpenInput(const std::string& path) {
  if (path == "-") return std::make_unique<std::istream>(std::cin.rdbuf());
  auto in = std::make_unique<std::ifstream>(path, std::ios::binary);
  if (!*in) return CannotBeRead(path);
  return in;
}

absl::StatusOr<std::string> ReadInput(const std::string& path) {
  std::stringstream buffer;
  if (path == "-") {
    buffer << std::cin.rdbuf();
    return buffer.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return CannotBeRead(path);
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
