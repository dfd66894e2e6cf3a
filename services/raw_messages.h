// Every method the server offers takes its request as bytes (gRPC's raw callback methods) and
// parses it here, so a request that does not parse is answered INVALID_ARGUMENT naming the
// method and the field that broke it (a text that is not UTF-8, most often), where gRPC itself
// would answer a unary call UNIMPLEMENTED with no message and end a stream OK, dropping the
// rest. The handlers' shared paths (RunUnary in service_context.h, the stream reactors) call it.
#ifndef GRANTLEDGER_SERVICES_RAW_MESSAGES_H_
#define GRANTLEDGER_SERVICES_RAW_MESSAGES_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "grpcpp/support/byte_buffer.h"

namespace grantledger {

// Parses `bytes`, a request of `method` ("QueryService/GetGrant"), into `out` (which may live
// on an arena). On failure: InvalidArgument from DiagnoseUnparseable. `bytes` is left as it
// was.
absl::Status ParseRawMessage(const grpc::ByteBuffer& bytes, absl::string_view method,
                             google::protobuf::Message* out);

// Serializes `message` into `out` (replacing what it held), as gRPC does for a typed method.
void SerializeRawMessage(const google::protobuf::Message& message, grpc::ByteBuffer* out);

// Why `bytes`, a request of `method`, do not parse as a `type` message: the first string
// field, at any depth, that is not valid UTF-8, named by its path ("grant_ids[1]") with a
// short escaped prefix of its value; or that the bytes are not a protobuf encoding at all.
// The message starts with the method ("QueryService/GetGrant: grant_id: ..."), except under
// "events[i]": a rejected batch's message starts with "event i (events[i].expense.text) of
// the LedgerService/Append request: ...", and the status carries the event index
// (kEventIndexPayload), as the store's rejections do.
absl::Status DiagnoseUnparseable(absl::string_view bytes, const google::protobuf::Descriptor& type,
                                 absl::string_view method);

}  // namespace grantledger

#endif  // GRANTLEDGER_SERVICES_RAW_MESSAGES_H_
