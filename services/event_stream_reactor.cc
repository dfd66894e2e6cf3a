// See event_stream_reactor.h.
#include "services/event_stream_reactor.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "services/authorization.h"

namespace grantledger {

class EventStreamReactor::Sink : public EventSink {
 public:
  explicit Sink(EventStreamReactor& reactor) : r_(reactor) {}

  bool Write(const v1::EventsChunk& chunk) override {
    {
      absl::MutexLock lock(&r_.mu_);
      if (r_.cancelled_ || r_.write_failed_) return false;
      r_.write_pending_ = true;
    }
    SerializeRawMessage(chunk, &r_.chunk_bytes_);
    r_.StartWrite(&r_.chunk_bytes_);
    // gRPC always reports a started write (with ok=false once the call is cancelled), so this
    // wait ends; a client that stops reading is cut off by its deadline or by server shutdown.
    {
      absl::MutexLock lock(&r_.mu_);
      auto sent = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(r_.mu_) { return !r_.write_pending_; };
      r_.mu_.Await(absl::Condition(&sent));
    }
    return !Stopped();
  }

  bool Stopped() override {
    if (r_.service_.stopping.load() || r_.context_->IsCancelled()) return true;
    absl::MutexLock lock(&r_.mu_);
    return r_.cancelled_ || r_.write_failed_;
  }

 private:
  EventStreamReactor& r_;
};

EventStreamReactor::EventStreamReactor(ServiceContext& service,
                                       grpc::CallbackServerContext* context, std::string method,
                                       Producer producer)
    : service_(service), context_(context), method_(std::move(method)) {
  service_.open_streams.fetch_add(1);
  thread_ =
      std::thread([this, producer = std::move(producer)]() mutable { Run(std::move(producer)); });
}

void EventStreamReactor::Run(Producer producer) {
  absl::Status status;
  if (absl::StatusOr<CallPrincipal> principal = AuthorizeCall(service_, *context_, method_);
      !principal.ok()) {
    status = principal.status();
  } else if (service_.open_streams.load() > service_.max_streams) {
    status = absl::ResourceExhaustedError(
        absl::StrCat("the server already serves ", service_.max_streams, " streams; retry later"));
  } else {
    Sink sink(*this);
    status = producer(sink);
    if (sink.Stopped()) {
      status = service_.stopping.load()
                   ? absl::UnavailableError(
                         "the server is shutting down; resume from the last sequence received "
                         "plus one")
                   : absl::CancelledError("the client cancelled or its deadline passed");
    }
  }
  // The last thing this thread does with the reactor: OnDone may run (and delete it) as soon
  // as Finish is called.
  Finish(FinishStatus(context_, method_, status));
}

void EventStreamReactor::OnWriteDone(bool ok) {
  absl::MutexLock lock(&mu_);
  write_pending_ = false;
  if (!ok) write_failed_ = true;
}

void EventStreamReactor::OnCancel() {
  absl::MutexLock lock(&mu_);
  cancelled_ = true;
}

void EventStreamReactor::OnDone() {
  if (thread_.get_id() == std::this_thread::get_id()) {
    thread_.detach();  // OnDone ran inline in Finish on the producer's thread
  } else {
    thread_.join();
  }
  service_.open_streams.fetch_sub(1);
  delete this;
}

}  // namespace grantledger
