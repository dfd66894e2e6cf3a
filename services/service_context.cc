// See service_context.h.
#include "services/service_context.h"

#include <string>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ledger/store/store_types.h"
#include "services/authorization.h"
#include "services/raw_messages.h"
#include "services/recorded_point.h"
#include "services/server_log.h"
#include "services/server_metrics.h"
#include "services/status_mapping.h"

namespace grantledger {

void LogRejected(absl::string_view what, const std::string& peer, const absl::Status& status) {
  LogLine(absl::StrCat("rejected ", what, " from ", peer, ": ",
                       absl::StatusCodeToString(status.code()), ": ", status.message()));
}

grpc::Status FinishStatus(grpc::CallbackServerContext* context, absl::string_view method,
                          const absl::Status& status) {
  if (!status.ok() && status.code() != absl::StatusCode::kCancelled) {
    LogRejected(method, context->peer(), status);
    ServerMetrics::Global().RecordRejection(status.code());
    auto index = status.GetPayload(kEventIndexPayload);
    if (index.has_value()) context->AddTrailingMetadata(kEventIndexMetadata, std::string(*index));
    auto head = status.GetPayload(kHeadSequencePayload);
    if (head.has_value()) context->AddTrailingMetadata(kHeadSequenceMetadata, std::string(*head));
  }
  return ToGrpcStatus(status);
}

grpc::ServerUnaryReactor* FinishNow(grpc::CallbackServerContext* context, absl::string_view method,
                                    const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(FinishStatus(context, method, status));
  return reactor;
}

grpc::ServerUnaryReactor* RunParsedUnary(
    ServiceContext& service, grpc::CallbackServerContext* context, absl::string_view method,
    const grpc::ByteBuffer& raw_request, grpc::ByteBuffer* raw_response,
    google::protobuf::Message& request, const google::protobuf::Message& response,
    std::function<absl::Status()> work) {
  if (absl::StatusOr<CallPrincipal> principal = AuthorizeCall(service, *context, method);
      !principal.ok()) {
    return FinishNow(context, method, principal.status());
  }
  if (!absl::StartsWith(method, "LedgerService/")) ServerMetrics::Global().RecordQuery(method);
  if (absl::Status parsed = ParseRawMessage(raw_request, method, &request); !parsed.ok()) {
    return FinishNow(context, method, parsed);
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  // `work` owns `response`, and the task owns `work`.
  auto task = [context, reactor, raw_response, response = &response, method = std::string(method),
               work = std::move(work)] {
    absl::Status status = context->IsCancelled()
                              ? absl::CancelledError(
                                    "the client cancelled or its deadline passed before the "
                                    "call ran; nothing was done")
                              : work();
    if (status.ok()) SerializeRawMessage(*response, raw_response);
    reactor->Finish(FinishStatus(context, method, status));
  };
  if (!service.pool->TrySubmit(std::move(task))) {
    reactor->Finish(FinishStatus(
        context, method,
        absl::ResourceExhaustedError("the server is busy (its request queue is full) or "
                                     "stopping; retry with backoff")));
  }
  return reactor;
}

}  // namespace grantledger
