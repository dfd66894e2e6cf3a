// The recorded-time view of the log for queries: which sequence a request's as_of_sequence or
// recorded_as_of names. Recorded times never decrease along the log, so a time maps to the
// last event recorded at or before it by binary search.
#ifndef GRANTLEDGER_SERVICES_RECORDED_POINT_H_
#define GRANTLEDGER_SERVICES_RECORDED_POINT_H_

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "ledger/store/store_types.h"

namespace grantledger {

class EventStore;

// An as_of_sequence beyond the head is OUT_OF_RANGE carrying the head's sequence (decimal) as
// this payload, sent to the client as the trailing metadata kHeadSequenceMetadata
// (services/service_context.h), so that a client can phrase the refusal in its own terms.
inline constexpr char kHeadSequencePayload[] = "type.grantledger/head_sequence";

// The last sequence recorded at or before `time`; 0 when the first event is later (or the
// log is empty). From the store's in-memory index of recorded times.
absl::StatusOr<uint64_t> SequenceAtRecordedTime(const EventStore& store, absl::Time time);

// A request's point: nullopt for "now" (neither field set). as_of_sequence must be 1 .. head
// (0 is InvalidArgument, beyond the head OutOfRange); recorded_as_of must be a valid
// timestamp and may map to 0 (before the first event: an empty ledger).
absl::StatusOr<std::optional<uint64_t>> ResolveRecordedPoint(
    const EventStore& store, const uint64_t* as_of_sequence,
    const google::protobuf::Timestamp* recorded_as_of);
// The same, for callers holding the sequence as a value (e.g. `request.has_as_of_sequence()
// ? std::optional<uint64_t>(request.as_of_sequence()) : std::nullopt`).
absl::StatusOr<std::optional<uint64_t>> ResolveRecordedPoint(
    const EventStore& store, std::optional<uint64_t> as_of_sequence,
    const google::protobuf::Timestamp* recorded_as_of);

}  // namespace grantledger

#endif  // GRANTLEDGER_SERVICES_RECORDED_POINT_H_
