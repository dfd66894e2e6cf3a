// See recorded_point.h.
#include "services/recorded_point.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "ledger/status_macros.h"
#include "ledger/store/event_store.h"

namespace grantledger {

absl::StatusOr<uint64_t> SequenceAtRecordedTime(const EventStore& store, absl::Time time) {
  return store.SequenceAtRecordedTime(time);  // an in-memory index: no log reads
}

absl::StatusOr<std::optional<uint64_t>> ResolveRecordedPoint(
    const EventStore& store, const uint64_t* as_of_sequence,
    const google::protobuf::Timestamp* recorded_as_of) {
  if (as_of_sequence != nullptr) {
    if (*as_of_sequence == 0) {
      return absl::InvalidArgumentError(
          "as_of_sequence: 0 is before the first event; give a sequence from 1 to the head, or "
          "leave it unset for the head");
    }
    const uint64_t head = store.Head().sequence;
    if (*as_of_sequence > head) {
      absl::Status beyond = absl::OutOfRangeError(
          absl::StrCat("as_of_sequence: ", *as_of_sequence, " is beyond the head (", head,
                       "); give a sequence from 1 to ", head));
      beyond.SetPayload(kHeadSequencePayload, absl::Cord(absl::StrCat(head)));
      return beyond;
    }
    return std::optional<uint64_t>(*as_of_sequence);
  }
  if (recorded_as_of != nullptr) {
    // google.protobuf.Timestamp's own range: 0001-01-01 to 9999-12-31, nanos in [0, 1e9).
    constexpr int64_t kMinSeconds = -62135596800;
    constexpr int64_t kMaxSeconds = 253402300799;
    if (recorded_as_of->seconds() < kMinSeconds || recorded_as_of->seconds() > kMaxSeconds ||
        recorded_as_of->nanos() < 0 || recorded_as_of->nanos() >= 1'000'000'000) {
      return absl::InvalidArgumentError(
          "recorded_as_of: not a valid timestamp (seconds within years 1-9999, nanos in "
          "[0, 999999999]); give an RFC 3339 time such as 2026-01-15T12:00:00Z");
    }
    absl::Time time = absl::FromUnixSeconds(recorded_as_of->seconds()) +
                      absl::Nanoseconds(recorded_as_of->nanos());
    GL_ASSIGN_OR_RETURN(uint64_t sequence, SequenceAtRecordedTime(store, time));
    return std::optional<uint64_t>(sequence);
  }
  return std::optional<uint64_t>();
}

absl::StatusOr<std::optional<uint64_t>> ResolveRecordedPoint(
    const EventStore& store, std::optional<uint64_t> as_of_sequence,
    const google::protobuf::Timestamp* recorded_as_of) {
  return ResolveRecordedPoint(store, as_of_sequence.has_value() ? &*as_of_sequence : nullptr,
                              recorded_as_of);
}

}  // namespace grantledger
