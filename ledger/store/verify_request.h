// What a `verify` asks, resolved the same way for a ledger opened directly (`--db`) and for
// the VerifyChain RPC (`--server`): the range of sequences to check, and an expected digest
// (`--expect SEQ:HASH`) that an auditor wrote down earlier and wants to find still in the log.
#ifndef GRANTLEDGER_LEDGER_STORE_VERIFY_REQUEST_H_
#define GRANTLEDGER_LEDGER_STORE_VERIFY_REQUEST_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/store/store_types.h"

namespace grantledger {

class EventStore;

struct VerifyRange {
  uint64_t from = 1;
  uint64_t to = 0;  // from > to only for an empty ledger verified whole (nothing to check)
};

// `from` 0 means 1 and `to` 0 means the head. OutOfRange when an explicit `from` or `to` is
// beyond the head; InvalidArgument when `from` is after `to`.
absl::StatusOr<VerifyRange> ResolveVerifyRange(uint64_t from, uint64_t to, uint64_t head);

// Parses "SEQ:HASH" (HASH: 64 hex digits, as `verify` and GetDigest print them).
absl::StatusOr<Digest> ParseExpectedDigest(absl::string_view text);

// Where an expected digest is not found in the log, and why.
struct DigestMismatch {
  uint64_t first_bad_sequence = 0;
  std::string problem;
};

// Checks that `store` still holds record expected.sequence with exactly that hash: nullopt if
// so; else a cut tail (the record is missing: the first missing sequence is named) or a
// different hash (the log was rewritten up to that record).
std::optional<DigestMismatch> CheckExpectedDigest(const EventStore& store, const Digest& expected);

// Folds an expected digest's check into a verify result: a mismatch makes it not ok (unless the
// chain check already found an earlier problem).
void ApplyExpectedDigest(const std::optional<DigestMismatch>& mismatch, VerifyResult& result);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_STORE_VERIFY_REQUEST_H_
