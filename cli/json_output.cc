// See json_output.h.
#include "cli/json_output.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "grantledger/v1/dashboard.pb.h"

namespace grantledger {

std::string MessageJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string out;
  const auto printed = google::protobuf::util::MessageToJsonString(message, &out, options);
  if (printed.ok()) return out;
  // Only text that is not UTF-8 gets here, and the ledger refuses such text on the way in.
  v1::ApiError error;
  error.set_error(absl::StatusCodeToString(absl::StatusCode::kInternal));
  error.set_message(absl::StrCat("cannot print ", message.GetTypeName(), " as JSON"));
  out.clear();
  (void)google::protobuf::util::MessageToJsonString(error, &out, options);
  return out;
}

void PrintJson(const google::protobuf::Message& message, std::ostream& out) {
  out << MessageJson(message) << "\n";
}

}  // namespace grantledger
