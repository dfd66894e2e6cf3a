// See append_stream_reactor.h.
#include "services/append_stream_reactor.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "ledger/store/event_store.h"
#include "services/arena_message_allocator.h"
#include "services/authorization.h"
#include "services/ledger_service.h"
#include "services/raw_messages.h"
#include "services/status_mapping.h"

namespace grantledger {
namespace {

constexpr char kMethod[] = "LedgerService/AppendStream";

}  // namespace

AppendStreamReactor::Slot::Slot()
    : arena(RequestArenaOptions()),
      request(google::protobuf::Arena::CreateMessage<v1::AppendRequest>(&arena)),
      response(google::protobuf::Arena::CreateMessage<v1::AppendStreamResponse>(&arena)) {}

AppendStreamReactor::AppendStreamReactor(ServiceContext& service,
                                         grpc::CallbackServerContext* context)
    : service_(service), context_(context) {
  {
    absl::MutexLock lock(&service_.append_streams_mu);
    service_.append_streams.insert(this);
  }
  const bool too_many = service_.open_streams.fetch_add(1) + 1 > service_.max_streams;
  absl::StatusOr<CallPrincipal> principal = AuthorizeCall(service_, *context_, kMethod);
  if (principal.ok()) principal_ = *std::move(principal);
  {
    absl::MutexLock lock(&mu_);
    refused_ = too_many || !principal.ok();
    if (!principal.ok()) refusal_ = principal.status();
    // A shutdown that began before this stream registered did not see it.
    stopping_ = service_.stopping.load();
  }
  Kick();
}

void AppendStreamReactor::Unref() {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
}

void AppendStreamReactor::OnReadDone(bool ok) {
  Slot* slot = nullptr;
  uint64_t index = 0;
  {
    absl::MutexLock lock(&mu_);
    if (!ok || finished_) {
      // Half-closed or cancelled; or a read that was pending when the stream finished (with
      // the client gone or the server stopping) has brought a request after all: nobody
      // could be answered, and the reactor is deleted once this returns, so it is dropped.
      read_pending_ = false;
      read_closed_ = true;
      reading_.reset();
    } else {
      index = requests_read_++;
      slot = reading_.get();
      slots_.push_back(std::move(reading_));
      ++in_store_;
    }
  }
  if (slot != nullptr) {
    // The next read starts only once this request is in the store's queue: requests are
    // applied in the order they were sent.
    Append(slot, index);
    absl::MutexLock lock(&mu_);
    read_pending_ = false;
  }
  Kick();
}

void AppendStreamReactor::Append(Slot* slot, uint64_t index) {
  const v1::AppendRequest& request = *slot->request;
  if (service_.stopping.load()) {
    Answer(slot, index,
           absl::UnavailableError("the server is shutting down; this request was not written; "
                                  "send it again to the restarted server"),
           false);
    return;
  }
  absl::Status parsed = ParseRawMessage(slot->raw_request, kMethod, slot->request);
  slot->raw_request.Clear();
  if (!parsed.ok()) {
    Answer(slot, index, parsed, false);  // the stream goes on with the next request
    return;
  }
  absl::StatusOr<AppendOptions> options = AppendOptionsOf(request);
  if (!options.ok()) {
    Answer(slot, index, options.status(), false);
    return;
  }
  if (absl::Status s = AuthorizeAppend(service_, principal_, request.events()); !s.ok()) {
    Answer(slot, index, s, false);
    return;
  }
  options->author = principal_.author;
  const bool dry_run = options->dry_run;
  // The slot (and its arena) lives until its answer is written, so the store reads the
  // request's events in place. The callback may run at once, on this thread.
  service_.store->AppendAsync(request.events(), *std::move(options),
                              [this, slot, index, dry_run](absl::StatusOr<AppendResult> result) {
                                Answer(slot, index, result, dry_run);
                              });
}

void AppendStreamReactor::Answer(Slot* slot, uint64_t index,
                                 const absl::StatusOr<AppendResult>& result, bool dry_run) {
  v1::AppendStreamResponse& response = *slot->response;
  response.set_request_index(index);
  response.set_code(static_cast<int>(result.status().code()));
  response.set_event_index(-1);
  if (result.ok()) {
    EncodeAppendResult(*result, dry_run, dry_run ? service_.store->Head() : result->head,
                       response.mutable_response());
  } else {
    response.set_message(std::string(result.status().message()));
    int64_t event_index = -1;
    auto payload = result.status().GetPayload(kEventIndexPayload);
    if (payload.has_value() && absl::SimpleAtoi(std::string(*payload), &event_index)) {
      response.set_event_index(event_index);
    }
    LogRejected(absl::StrCat(kMethod, " request ", index), context_->peer(), result.status());
  }
  SerializeRawMessage(response, &slot->raw_response);
  // Once answered, the stream may finish on another thread before this one kicks it; the
  // hold keeps the reactor alive until then.
  Ref();
  {
    absl::MutexLock lock(&mu_);
    slot->answered = true;
    --in_store_;
  }
  Kick();
  Unref();
}

void AppendStreamReactor::OnWriteDone(bool ok) {
  {
    absl::MutexLock lock(&mu_);
    write_pending_ = false;
    slots_.pop_front();  // written (or never to be)
    if (!ok) write_failed_ = true;
  }
  Kick();
}

void AppendStreamReactor::OnCancel() {
  // The pending read and write complete with ok=false; nothing else to do here.
}

void AppendStreamReactor::OnDone() {
  {
    absl::MutexLock lock(&service_.append_streams_mu);
    service_.append_streams.erase(this);
  }
  service_.open_streams.fetch_sub(1);
  Unref();
}

void AppendStreamReactor::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  Kick();
}

AppendStreamReactor::Actions AppendStreamReactor::NextActionsLocked() {
  Actions a;
  if (finished_) return a;
  if (write_failed_) {
    // Nobody to answer: drop what is answered, keep what the store still reads.
    while (!slots_.empty() && slots_.front()->answered && !write_pending_) slots_.pop_front();
  } else if (!write_pending_ && !slots_.empty() && slots_.front()->answered) {
    write_pending_ = true;
    a.write = &slots_.front()->raw_response;
  }
  const bool reading_over = read_closed_ || write_failed_ || stopping_ || refused_;
  if (!reading_over && !read_pending_ && slots_.size() < kMaxInFlight) {
    read_pending_ = true;
    reading_ = std::make_unique<Slot>();
    a.read = true;
  }
  if (reading_over && in_store_ == 0 && !write_pending_ && !a.write && slots_.empty()) {
    finished_ = true;
    a.finish = true;
    absl::Status status;
    if (!refusal_.ok()) {
      status = refusal_;
    } else if (refused_) {
      status = absl::ResourceExhaustedError(absl::StrCat(
          "the server already serves ", service_.max_streams, " streams; retry later"));
    } else if (write_failed_) {
      status = absl::CancelledError("the client cancelled or its deadline passed");
    } else if (stopping_ && !read_closed_) {
      status = absl::UnavailableError(absl::StrCat(
          "the server is shutting down; the ", requests_read_,
          " requests answered on this stream are final; send the rest to the restarted "
          "server"));
    }
    a.status = FinishStatus(context_, kMethod, status);
  }
  return a;
}

void AppendStreamReactor::Kick() {
  Ref();  // a reaction on another thread may otherwise end the call and delete this
  mu_.Lock();
  if (kicking_) {
    kick_again_ = true;  // the thread kicking now starts it
    mu_.Unlock();
    Unref();
    return;
  }
  kicking_ = true;
  while (true) {
    kick_again_ = false;
    Actions a = NextActionsLocked();
    if (a.finish) {
      kicking_ = false;
      mu_.Unlock();
      Finish(a.status);  // nothing is started after it: finished_ is set
      Unref();
      return;
    }
    mu_.Unlock();
    if (a.read) StartRead(&reading_->raw_request);
    if (a.write != nullptr) StartWrite(a.write);
    mu_.Lock();
    if (!kick_again_ && !a.read && a.write == nullptr) break;
  }
  kicking_ = false;
  mu_.Unlock();
  Unref();
}

void StopAppendStreams(ServiceContext& service) {
  std::vector<AppendStreamReactor*> open;
  {
    absl::MutexLock lock(&service.append_streams_mu);
    for (AppendStreamReactor* reactor : service.append_streams) {
      reactor->Ref();  // OnDone unregisters under the lock, so each is alive here
      open.push_back(reactor);
    }
  }
  for (AppendStreamReactor* reactor : open) {
    reactor->Stop();
    reactor->Unref();
  }
}

}  // namespace grantledger
