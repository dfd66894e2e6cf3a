// The server-streaming reactor behind ReadEvents and Subscribe: a producer runs on the
// reactor's own thread (it may block waiting for new events) and hands chunks to gRPC one at a
// time, each write waiting for the previous to be sent, so a slow reader slows its producer.
// The methods are raw (bytes in and out): StartEventStream parses the request itself, so one
// that does not parse ends the stream INVALID_ARGUMENT naming the method and field.
#ifndef GRANTLEDGER_SERVICES_EVENT_STREAM_REACTOR_H_
#define GRANTLEDGER_SERVICES_EVENT_STREAM_REACTOR_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "grantledger/v1/audit_service.pb.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/server_callback.h"
#include "services/raw_messages.h"
#include "services/service_context.h"

namespace grantledger {

// What a producer writes to. Both calls are safe from the producer's thread only.
class EventSink {
 public:
  virtual ~EventSink() = default;
  // Sends one chunk and waits until gRPC has taken it; false when the stream is over
  // (the client cancelled, its deadline passed, or the server is stopping).
  virtual bool Write(const v1::EventsChunk& chunk) = 0;
  // True once the stream should end: cancelled, past its deadline, or the server stopping.
  virtual bool Stopped() = 0;
};

class EventStreamReactor : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  // Returns the status the stream finishes with; when it returns because the sink stopped,
  // the reactor replaces it with CANCELLED or, for a stopping server, UNAVAILABLE.
  using Producer = std::function<absl::Status(EventSink& sink)>;

  // Starts the producer's thread. Deletes itself when gRPC is done with the call.
  EventStreamReactor(ServiceContext& service, grpc::CallbackServerContext* context,
                     std::string method, Producer producer);

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  class Sink;
  void Run(Producer producer);

  ServiceContext& service_;
  grpc::CallbackServerContext* context_;
  const std::string method_;
  absl::Mutex mu_;
  bool write_pending_ ABSL_GUARDED_BY(mu_) = false;
  bool write_failed_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ByteBuffer chunk_bytes_;  // the chunk being written; the producer's thread only
  std::thread thread_;
};

// Starts a stream of `method` whose request is `raw_request` parsed as a Request, produced by
// `produce` (see EventStreamReactor). A request that does not parse ends the stream
// INVALID_ARGUMENT (after the caller's authorization check) without calling `produce`.
template <typename Request>
grpc::ServerWriteReactor<grpc::ByteBuffer>* StartEventStream(
    ServiceContext& service, grpc::CallbackServerContext* context, std::string method,
    const grpc::ByteBuffer& raw_request,
    std::function<absl::Status(const Request&, EventSink&)> produce) {
  auto request = std::make_shared<Request>();
  absl::Status parsed = ParseRawMessage(raw_request, method, request.get());
  return new EventStreamReactor(
      service, context, std::move(method),
      [parsed = std::move(parsed), request, produce = std::move(produce)](EventSink& sink) {
        return parsed.ok() ? produce(*request, sink) : parsed;
      });
}

}  // namespace grantledger

#endif  // GRANTLEDGER_SERVICES_EVENT_STREAM_REACTOR_H_
