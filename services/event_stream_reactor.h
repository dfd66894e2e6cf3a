// The server-streaming reactor behind ReadEvents and Subscribe: a producer runs on the
// reactor's own thread (it may block waiting for new events) and hands chunks to gRPC one at a
// time, each write waiting for the previous to be sent, so a slow reader slows its producer.
#ifndef GRANTLEDGER_SERVICES_EVENT_STREAM_REACTOR_H_
#define GRANTLEDGER_SERVICES_EVENT_STREAM_REACTOR_H_

#include <functional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "grantledger/v1/audit_service.pb.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"
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

class EventStreamReactor : public grpc::ServerWriteReactor<v1::EventsChunk> {
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
  std::thread thread_;
};

}  // namespace grantledger

#endif  // GRANTLEDGER_SERVICES_EVENT_STREAM_REACTOR_H_
