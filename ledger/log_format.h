// The on-disk layout of the ledger in RocksDB: column family names, key encodings and the log
// value format. Tests that tamper with stored bytes use these to find them.
//
//   log          key: sequence, 8 bytes big-endian      value: hash (32 bytes) + EventRecord bytes
//   by_grant     key: grant_id, '\0', sequence (8 BE)   value: the grant's later sequences in
//                the same append, as varint deltas (one entry per grant per append)
//   event_ids    key: FNV-1a-64(event_id) (8 BE), event_id   value: sequence (8 BE)
//   checkpoints  key: "ledger"                          value: ProjectionCheckpoint bytes
//
// hash = SHA-256(previous record's hash || EventRecord bytes), genesis = 32 zero bytes.
#ifndef GRANTLEDGER_LEDGER_LOG_FORMAT_H_
#define GRANTLEDGER_LEDGER_LOG_FORMAT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/string_view.h"

namespace grantledger {

inline constexpr char kLogColumnFamily[] = "log";
inline constexpr char kGrantIndexColumnFamily[] = "by_grant";
inline constexpr char kEventIdColumnFamily[] = "event_ids";
inline constexpr char kCheckpointColumnFamily[] = "checkpoints";
inline constexpr char kCheckpointKey[] = "ledger";
inline constexpr size_t kHashBytes = 32;

std::string EncodeSequence(uint64_t sequence);
// REQUIRES: bytes.size() == 8.
uint64_t DecodeSequence(absl::string_view bytes);

std::string GrantIndexKey(absl::string_view grant_id, uint64_t sequence);
std::string GrantIndexPrefix(absl::string_view grant_id);

// The by_grant value for `sequences` (ascending; the first is in the key).
std::string EncodeGrantIndexValue(const std::vector<uint64_t>& sequences);
// Appends the entry's sequences (`first` and the decoded rest) to `out`; false if damaged.
bool DecodeGrantIndexValue(uint64_t first, absl::string_view value, std::vector<uint64_t>& out);

// The idempotency index key: a stable 64-bit hash of the id first, so keys spread evenly and
// compare in their first bytes, then the id itself, so the key is exact.
std::string EventIdKey(absl::string_view event_id);

// Splits a log value into its hash and record bytes; nullopt if it is too short.
struct LogValue {
  absl::string_view hash;
  absl::string_view record_bytes;
};
std::optional<LogValue> SplitLogValue(absl::string_view value);

// SHA-256(prev_hash || record_bytes).
std::string ChainHash(absl::string_view prev_hash, absl::string_view record_bytes);

// Lower-case hex, for people.
std::string HexOf(absl::string_view bytes);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_LOG_FORMAT_H_
