// LedgerService's methods take their requests as bytes (gRPC's raw callback methods) and parse
// them here, so a request that does not parse is answered INVALID_ARGUMENT naming the field
// that broke it (an event's text that is not UTF-8, most often), where gRPC itself would
// answer a unary call UNIMPLEMENTED with no message and end a stream OK, dropping the rest.
#ifndef GRANTLEDGER_SERVICES_RAW_MESSAGES_H_
#define GRANTLEDGER_SERVICES_RAW_MESSAGES_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "grpcpp/support/byte_buffer.h"

namespace grantledger {

// Parses `bytes` into `out` (which may live on an arena). On failure: InvalidArgument from
// DiagnoseUnparseable. `bytes` is left as it was.
absl::Status ParseRawMessage(const grpc::ByteBuffer& bytes, google::protobuf::Message* out);

// Serializes `message` into `out`, as gRPC does for a typed method.
void SerializeRawMessage(const google::protobuf::Message& message, grpc::ByteBuffer* out);

// Why `bytes` do not parse as a `type` message: the first string field, at any depth, that is
// not valid UTF-8, named by its path ("events[2].expense.text") with a short escaped prefix
// of its value; or that the bytes are not a protobuf encoding at all. For a path under
// "events[i]" the status carries the event index (kEventIndexPayload), as the store's
// rejections do.
absl::Status DiagnoseUnparseable(absl::string_view bytes, const google::protobuf::Descriptor& type);

}  // namespace grantledger

#endif  // GRANTLEDGER_SERVICES_RAW_MESSAGES_H_
