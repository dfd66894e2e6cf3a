// See audit_service.h.
#include "services/audit_service.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "ledger/status_macros.h"
#include "ledger/store/event_store.h"
#include "ledger/store/query_checks.h"
#include "ledger/store/verify_request.h"
#include "services/event_stream_reactor.h"

namespace grantledger {
namespace {

// A chunk holds at most this many events or about this many bytes (one event is at most
// 16 KiB encoded, so a chunk stays far below the 64 MiB message limit).
constexpr int kChunkEvents = 256;
constexpr size_t kChunkBytes = 1 << 20;
// How long a subscriber waits for new events before it checks for cancellation again.
constexpr absl::Duration kSubscribePoll = absl::Milliseconds(200);
// Verification slice: the call checks for cancellation between slices.
constexpr uint64_t kVerifySlice = 100'000;

// Sends the records in [*next, to] (one grant's, if named) in chunks; on return *next is the
// first sequence not sent. Stops early (OK) when the sink stops.
absl::Status SendRange(const EventStore& store, uint64_t to, const std::string& grant_id,
                       EventSink& sink, uint64_t& next) {
  while (next <= to) {
    if (sink.Stopped()) return absl::OkStatus();
    v1::EventsChunk chunk;
    size_t bytes = 0;
    bool full = false;
    GL_RETURN_IF_ERROR(store.Scan(next, to, grant_id, [&](const v1::RecordedEvent& recorded) {
      bytes += recorded.ByteSizeLong();
      *chunk.add_events() = recorded;
      full = chunk.events_size() >= kChunkEvents || bytes >= kChunkBytes;
      return !full;
    }));
    if (chunk.events_size() == 0) {
      next = to + 1;
      return absl::OkStatus();
    }
    const uint64_t last = chunk.events(chunk.events_size() - 1).record().sequence();
    if (!sink.Write(chunk)) return absl::OkStatus();
    next = full ? last + 1 : to + 1;
  }
  return absl::OkStatus();
}

}  // namespace

grpc::ServerWriteReactor<grpc::ByteBuffer>* AuditServiceImpl::ReadEvents(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request) {
  return StartEventStream<v1::ReadEventsRequest>(
      service_, context, "AuditService/ReadEvents", *raw_request,
      [this](const v1::ReadEventsRequest& request, EventSink& sink) {
        const EventStore& store = *service_.store;
        const uint64_t head = store.Head().sequence;
        uint64_t next = std::max<uint64_t>(request.from_sequence(), 1);
        const uint64_t to = request.to_sequence() == 0 ? head : request.to_sequence();
        if (to > head) {
          return absl::OutOfRangeError(absl::StrCat("to_sequence: ", to, " is beyond the head (",
                                                    head, "); leave it 0 to read up to the head"));
        }
        if (request.to_sequence() != 0 && next > to) {
          return absl::InvalidArgumentError(absl::StrCat(
              "from_sequence: ", next, " is after to_sequence ", to, "; give from <= to"));
        }
        if (!request.grant_id().empty()) {
          GL_RETURN_IF_ERROR(CheckGrantRegistered(store, request.grant_id()));
        }
        return SendRange(store, to, request.grant_id(), sink, next);
      });
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* AuditServiceImpl::Subscribe(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request) {
  return StartEventStream<v1::SubscribeRequest>(
      service_, context, "AuditService/Subscribe", *raw_request,
      [this](const v1::SubscribeRequest& request, EventSink& sink) {
        const EventStore& store = *service_.store;
        uint64_t next = std::max<uint64_t>(request.from_sequence(), 1);
        // Catch up to the head, then wait for it to move past what was sent, and repeat. The
        // log is gap-free and immutable, so reading [next, head] after each wait delivers every
        // event once, in order.
        while (!sink.Stopped()) {
          const uint64_t head = store.Head().sequence;
          if (next <= head) {
            GL_RETURN_IF_ERROR(SendRange(store, head, request.grant_id(), sink, next));
            continue;
          }
          store.WaitForHeadAfter(next - 1, kSubscribePoll);
        }
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AuditServiceImpl::VerifyChain(grpc::CallbackServerContext* context,
                                                        const grpc::ByteBuffer* raw_request,
                                                        grpc::ByteBuffer* raw_response) {
  return RunUnary(service_, context, "AuditService/VerifyChain", raw_request, raw_response,
                  [this, context](const v1::VerifyChainRequest& request,
                                  v1::VerifyChainResponse& response) -> absl::Status {
                    const EventStore& store = *service_.store;
                    const uint64_t head = store.Head().sequence;
                    // The same range rules as a ledger opened directly (`verify --db`).
                    GL_ASSIGN_OR_RETURN(
                        const VerifyRange range,
                        ResolveVerifyRange(request.from_sequence(), request.to_sequence(), head));
                    const uint64_t from = range.from;
                    const uint64_t to = range.to;
                    // Slices chain exactly as one pass: each starts from the stored hash of the
                    // record before it, which the previous slice has just checked.
                    VerifyResult total;
                    total.last_good = Digest{from - 1, ""};
                    for (uint64_t begin = from; begin <= to; begin += kVerifySlice) {
                      if (context->IsCancelled()) {
                        return absl::CancelledError("the client cancelled or its deadline passed");
                      }
                      const uint64_t end = std::min(to, begin + kVerifySlice - 1);
                      GL_ASSIGN_OR_RETURN(VerifyResult slice, store.Verify(begin, end));
                      total.checked += slice.checked;
                      total.last_good = slice.last_good;
                      if (!slice.ok) {
                        total.ok = false;
                        total.first_bad_sequence = slice.first_bad_sequence;
                        total.problem = slice.problem;
                        break;
                      }
                    }
                    if (from > to) {  // an empty ledger
                      GL_ASSIGN_OR_RETURN(total, store.Verify(request.from_sequence(), 0));
                    }
                    if (request.has_expect()) {
                      ApplyExpectedDigest(
                          CheckExpectedDigest(store, Digest{request.expect().sequence(),
                                                            request.expect().head_hash()}),
                          total);
                    }
                    response.set_ok(total.ok);
                    response.set_first_bad_sequence(total.first_bad_sequence);
                    response.set_problem(total.problem);
                    response.set_checked(total.checked);
                    response.mutable_last_good()->set_sequence(total.last_good.sequence);
                    response.mutable_last_good()->set_head_hash(total.last_good.head_hash);
                    response.set_from_sequence(from);
                    response.set_to_sequence(to);
                    return absl::OkStatus();
                  });
}

grpc::ServerUnaryReactor* AuditServiceImpl::GetDigest(grpc::CallbackServerContext* context,
                                                      const grpc::ByteBuffer* raw_request,
                                                      grpc::ByteBuffer* raw_response) {
  return RunUnary(
      service_, context, "AuditService/GetDigest", raw_request, raw_response,
      [this](const v1::GetDigestRequest& request, v1::GetDigestResponse& response) -> absl::Status {
        const Digest head = service_.store->Head();
        uint64_t sequence = request.sequence() == 0 ? head.sequence : request.sequence();
        if (sequence > head.sequence) {
          return absl::OutOfRangeError(absl::StrCat("sequence: ", sequence, " is beyond the head (",
                                                    head.sequence, "); leave it 0 for the head"));
        }
        response.mutable_digest()->set_sequence(sequence);
        if (sequence == 0) {
          response.mutable_digest()->set_head_hash(head.head_hash);  // the genesis hash
          return absl::OkStatus();
        }
        GL_ASSIGN_OR_RETURN(v1::RecordedEvent recorded, service_.store->Read(sequence));
        response.mutable_digest()->set_head_hash(recorded.hash());
        response.set_recorded_time_unix_micros(recorded.record().recorded_time_unix_micros());
        return absl::OkStatus();
      });
}

}  // namespace grantledger
