// The bidirectional reactor behind LedgerService.AppendStream: each request read is handed to
// the store as one AppendAsync, up to kMaxInFlight at a time (the next is read while earlier
// ones sync), and answered in request order. The stream's call setup is paid once, so a
// system posting event after event pays only a message per event.
#ifndef GRANTLEDGER_SERVICES_APPEND_STREAM_REACTOR_H_
#define GRANTLEDGER_SERVICES_APPEND_STREAM_REACTOR_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/arena.h"
#include "grantledger/v1/ledger_service.pb.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/server_callback.h"
#include "ledger/store/store_types.h"
#include "services/authorization.h"
#include "services/service_context.h"

namespace grantledger {

// Reads and writes bytes (LedgerService's raw AppendStream) and parses each request itself, so
// a request that does not parse is answered INVALID_ARGUMENT and the stream goes on.
class AppendStreamReactor final
    : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  // Requests read but not yet answered and written, per stream.
  static constexpr size_t kMaxInFlight = 4;

  // Registers with `service` and starts reading. Deletes itself when gRPC is done with the
  // call and nothing else holds it.
  AppendStreamReactor(ServiceContext& service, grpc::CallbackServerContext* context);

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

  // For a stopping server: reads nothing more, answers what it has read, then finishes the
  // stream UNAVAILABLE. Safe from any thread, any number of times.
  void Stop();

  // Holds the reactor alive (it is deleted when the last hold and gRPC's are gone).
  void Ref() { refs_.fetch_add(1, std::memory_order_relaxed); }
  void Unref();

 private:
  // One request, its arena (the store reads its events in place until it answers) and its
  // answer.
  struct Slot {
    Slot();
    google::protobuf::Arena arena;
    grpc::ByteBuffer raw_request;  // as read; parsed into `request`
    v1::AppendRequest* request;
    v1::AppendStreamResponse* response;
    grpc::ByteBuffer raw_response;  // `response` serialized, once answered
    bool answered = false;
  };
  // What to start after a change of state: decided under mu_, started outside it, because
  // gRPC may run a reaction inline inside a Start or Finish call.
  struct Actions {
    const grpc::ByteBuffer* write = nullptr;
    bool read = false;
    bool finish = false;
    grpc::Status status;
  };

  ~AppendStreamReactor() override = default;
  Actions NextActionsLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Starts whatever the state now calls for; one thread at a time starts operations.
  void Kick();
  void Append(Slot* slot, uint64_t index);
  void Answer(Slot* slot, uint64_t index, const absl::StatusOr<AppendResult>& result, bool dry_run);

  ServiceContext& service_;
  grpc::CallbackServerContext* const context_;
  std::atomic<int> refs_{1};  // gRPC's, dropped in OnDone

  absl::Mutex mu_;
  std::deque<std::unique_ptr<Slot>> slots_ ABSL_GUARDED_BY(mu_);  // request order
  std::unique_ptr<Slot> reading_;                                 // the slot a pending read fills
  uint64_t requests_read_ ABSL_GUARDED_BY(mu_) = 0;
  size_t in_store_ ABSL_GUARDED_BY(mu_) = 0;  // appends not yet answered by the store
  // A read is started, or the request it brought is being handed to the store.
  bool read_pending_ ABSL_GUARDED_BY(mu_) = false;
  bool write_pending_ ABSL_GUARDED_BY(mu_) = false;
  bool read_closed_ ABSL_GUARDED_BY(mu_) = false;   // the client half-closed or went away
  bool write_failed_ ABSL_GUARDED_BY(mu_) = false;  // the client cannot be answered any more
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;      // Stop()
  bool refused_ ABSL_GUARDED_BY(mu_) = false;       // too many streams, or refusal_
  absl::Status refusal_ ABSL_GUARDED_BY(mu_);       // the caller may not append (AuthorizeCall)
  CallPrincipal principal_;                         // set once, in the constructor
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool kicking_ ABSL_GUARDED_BY(mu_) = false;
  bool kick_again_ ABSL_GUARDED_BY(mu_) = false;
};

// Stops every open AppendStream of `service` (see AppendStreamReactor::Stop).
void StopAppendStreams(ServiceContext& service);

}  // namespace grantledger

#endif  // GRANTLEDGER_SERVICES_APPEND_STREAM_REACTOR_H_
