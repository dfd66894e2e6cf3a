// What the services share: the store, the work pool, the stopping flag, the stream limit; and
// the one path every unary query call takes: authorize, parse the request's bytes, run on the
// pool, map the status, log a rejection with its reason.
#ifndef GRANTLEDGER_SERVICES_SERVICE_CONTEXT_H_
#define GRANTLEDGER_SERVICES_SERVICE_CONTEXT_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/message.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/server_callback.h"
#include "ledger/store/store_types.h"
#include "services/work_pool.h"

namespace grantledger {

class EventStore;

class AppendStreamReactor;
class LogSigner;
class ClientCertificateVerifier;
class PolicyFile;

struct ServiceContext {
  EventStore* store = nullptr;  // outlives the server
  WorkPool* pool = nullptr;
  // Set when shutdown starts: new appends are refused (UNAVAILABLE) and streams end.
  std::atomic<bool> stopping{false};
  std::atomic<int> open_streams{0};  // ReadEvents, Subscribe and AppendStream calls
  int max_streams = 256;
  // The authorization policy when clients present certificates (--client-ca and --authz);
  // null: nothing is checked (services/authorization.h).
  PolicyFile* policy = nullptr;
  // Verifies the callers' client certificates against --client-ca; set with `policy`.
  ClientCertificateVerifier* client_certificates = nullptr;
  // Open AppendStream calls, so a shutdown can end them without waiting for their clients.
  absl::Mutex append_streams_mu;
  absl::flat_hash_set<AppendStreamReactor*> append_streams ABSL_GUARDED_BY(append_streams_mu);
  // The checkpoint signer (ServerOptions::signer); when none was given, audit_service.cc makes
  // one with the defaults on first use and keeps it in default_signer.
  LogSigner* signer = nullptr;
  absl::Mutex signer_mu;
  std::shared_ptr<LogSigner> default_signer ABSL_GUARDED_BY(signer_mu);
};

// Trailing metadata key carrying the 0-based index of the rejected event of a batch.
inline constexpr char kEventIndexMetadata[] = "grantledger-event-index";
// Trailing metadata key carrying the head's sequence when an as_of_sequence is beyond it
// (services/recorded_point.h).
inline constexpr char kHeadSequenceMetadata[] = "grantledger-head-sequence";

// Logs "rejected <what> from <peer>: <CODE>: <message>" (one line per rejected request).
void LogRejected(absl::string_view what, const std::string& peer, const absl::Status& status);

// Logs a rejected call (any status but OK and client cancellations) with its reason, adds
// the event index of a rejected batch and the head of a refused recorded point as trailing
// metadata, and maps the status.
grpc::Status FinishStatus(grpc::CallbackServerContext* context, absl::string_view method,
                          const absl::Status& status);

// The one path of every unary query call (raw, bytes in and out): checks the caller against
// the policy (AuthorizeCall), parses `raw_request` into `request` (ParseRawMessage:
// INVALID_ARGUMENT naming the method and field when it does not parse), then runs `work` on
// the pool, which fills `response`, and finishes the call with what it returns, serializing
// `response` into `raw_response` when OK. `work` owns `request` and `response`. A call whose
// client has gone (cancelled, deadline passed) by the time a thread is free is not run. When
// the pool's queue is full the call is RESOURCE_EXHAUSTED at once.
grpc::ServerUnaryReactor* RunParsedUnary(
    ServiceContext& service, grpc::CallbackServerContext* context, absl::string_view method,
    const grpc::ByteBuffer& raw_request, grpc::ByteBuffer* raw_response,
    google::protobuf::Message& request, const google::protobuf::Message& response,
    std::function<absl::Status()> work);

namespace internal {
// The request and response types of a handler `absl::Status(const Request&, Response&)`.
template <typename Work>
struct UnaryWorkTypes : UnaryWorkTypes<decltype(&Work::operator())> {};
template <typename Lambda, typename Request, typename Response>
struct UnaryWorkTypes<absl::Status (Lambda::*)(const Request&, Response&) const> {
  using RequestType = Request;
  using ResponseType = Response;
};
}  // namespace internal

// A unary method's handler in one line: `work(const Request&, Response&)` runs on the pool
// with the parsed request (RunParsedUnary), e.g.
//   return RunUnary(service_, context, "QueryService/GetGrant", raw_request, raw_response,
//                   [this](const v1::GetGrantRequest& request, v1::GetGrantResponse& response)
//                       -> absl::Status { ... });
template <typename Work>
grpc::ServerUnaryReactor* RunUnary(ServiceContext& service, grpc::CallbackServerContext* context,
                                   absl::string_view method, const grpc::ByteBuffer* raw_request,
                                   grpc::ByteBuffer* raw_response, Work work) {
  struct Messages {
    typename internal::UnaryWorkTypes<Work>::RequestType request;
    typename internal::UnaryWorkTypes<Work>::ResponseType response;
  };
  auto messages = std::make_shared<Messages>();
  Messages& m = *messages;
  return RunParsedUnary(
      service, context, method, *raw_request, raw_response, m.request, m.response,
      [messages, work = std::move(work)] { return work(messages->request, messages->response); });
}

// Finishes a unary call at once with `status` (logged if a rejection).
grpc::ServerUnaryReactor* FinishNow(grpc::CallbackServerContext* context, absl::string_view method,
                                    const absl::Status& status);

}  // namespace grantledger

#endif  // GRANTLEDGER_SERVICES_SERVICE_CONTEXT_H_
