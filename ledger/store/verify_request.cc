// Resolving a verify request; see verify_request.h.
#include "ledger/store/verify_request.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "ledger/ledger_state.h"
#include "ledger/store/event_store.h"
#include "ledger/store/log_format.h"

namespace grantledger {

using absl::StrCat;

absl::StatusOr<VerifyRange> ResolveVerifyRange(uint64_t from, uint64_t to, uint64_t head) {
  if (to > head) {
    return absl::OutOfRangeError(
        StrCat("to_sequence (--to): ", to, " is beyond the head (", head,
               "); leave it 0 to verify up to the head. If you wrote down a digest at ", to,
               ", the ledger no longer reaches it: check it with `verify --expect SEQ:HASH`"));
  }
  if (from > head) {
    return absl::OutOfRangeError(StrCat("from_sequence (--from): ", from, " is beyond the head (",
                                        head, "); give at most ", head));
  }
  if (to != 0 && from > to) {
    return absl::InvalidArgumentError(StrCat("from_sequence (--from): ", from,
                                             " is after to_sequence (--to) ", to,
                                             "; give from <= to"));
  }
  VerifyRange range;
  range.from = from == 0 ? 1 : from;
  range.to = to == 0 ? head : to;
  return range;
}

absl::StatusOr<Digest> ParseExpectedDigest(absl::string_view text) {
  const size_t colon = text.find(':');
  uint64_t sequence = 0;
  if (colon == absl::string_view::npos || !absl::SimpleAtoi(text.substr(0, colon), &sequence)) {
    return absl::InvalidArgumentError(
        StrCat("--expect: \"", text.substr(0, 100),
               "\" is not SEQ:HASH; give the sequence and its 64 hex digit hash, as `verify` or "
               "`GetDigest` printed them, e.g. 1721:9f86d08...15b0f00a08"));
  }
  absl::string_view hex = absl::StripAsciiWhitespace(text.substr(colon + 1));
  bool is_hex = hex.size() == 2 * kHashBytes;
  for (char c : hex) is_hex = is_hex && absl::ascii_isxdigit(static_cast<unsigned char>(c));
  if (!is_hex) {
    return absl::InvalidArgumentError(StrCat("--expect: the hash after \"", sequence,
                                             ":\" must be ", 2 * kHashBytes, " hex digits (it has ",
                                             hex.size(), " characters)"));
  }
  return Digest{sequence, absl::HexStringToBytes(hex)};
}

std::optional<DigestMismatch> CheckExpectedDigest(const EventStore& store, const Digest& expected) {
  const Digest head = store.Head();
  if (expected.sequence > head.sequence) {
    return DigestMismatch{head.sequence + 1,
                          StrCat("record ", expected.sequence,
                                 " of the expected digest is missing: the ledger ends at ",
                                 head.sequence, ", so records ", head.sequence + 1, "..",
                                 expected.sequence, " are gone (a cut tail)")};
  }
  std::string stored;
  if (expected.sequence == 0) {
    stored = GenesisHash();
  } else if (expected.sequence == head.sequence) {
    stored = head.head_hash;
  } else {
    absl::StatusOr<v1::RecordedEvent> record = store.Read(expected.sequence);
    if (!record.ok()) {
      return DigestMismatch{expected.sequence, StrCat("record ", expected.sequence,
                                                      " of the expected digest cannot be read: ",
                                                      record.status().message())};
    }
    stored = record->hash();
  }
  if (stored != expected.head_hash) {
    return DigestMismatch{expected.sequence,
                          StrCat("record ", expected.sequence, " has hash ", HexOf(stored),
                                 ", not the expected ", HexOf(expected.head_hash),
                                 ": the log was rewritten at or before ", expected.sequence)};
  }
  return std::nullopt;
}

void ApplyExpectedDigest(const std::optional<DigestMismatch>& mismatch, VerifyResult& result) {
  if (!mismatch.has_value() || !result.ok) return;
  result.ok = false;
  result.first_bad_sequence = mismatch->first_bad_sequence;
  result.problem = mismatch->problem;
}

}  // namespace grantledger
