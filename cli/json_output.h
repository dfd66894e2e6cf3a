// One JSON shape for every machine answer: the command line's `--json`, and the dashboard's
// /api/, print protobuf messages (the services' responses, or proto/grantledger/v1/
// cli_output.proto and dashboard.proto) with protobuf's JSON printer and these options, chosen
// once: the .proto field names (snake_case), every field printed even when zero, false or
// empty, enums by name, one line. int64 and uint64 print as JSON strings ("14746300000"), as
// the proto3 JSON mapping says; see the README's "JSON output".
#ifndef GRANTLEDGER_CLI_JSON_OUTPUT_H_
#define GRANTLEDGER_CLI_JSON_OUTPUT_H_

#include <ostream>
#include <string>

#include "google/protobuf/message.h"

namespace grantledger {

// `message` as one line of JSON, without a newline.
std::string MessageJson(const google::protobuf::Message& message);

// MessageJson(message) and a newline.
void PrintJson(const google::protobuf::Message& message, std::ostream& out);

}  // namespace grantledger

#endif  // GRANTLEDGER_CLI_JSON_OUTPUT_H_
