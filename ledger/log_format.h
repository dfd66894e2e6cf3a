// The on-disk layout of the ledger in RocksDB: column family names, key encodings and the log
// value format. Tests that tamper with stored bytes use these to find them.
//
//   log          key: sequence, 8 bytes big-endian      value: hash (32 bytes) + EventRecord bytes
//   by_grant     key: grant_id, '\0', sequence (8 BE)   value: empty
//   event_ids    key: event_id                          value: sequence (8 BE)
//   checkpoints  key: "ledger"                          value: ProjectionCheckpoint bytes
//
// hash = SHA-256(previous record's hash || EventRecord bytes), genesis = 32 zero bytes.
#ifndef GRANTLEDGER_LEDGER_LOG_FORMAT_H_
#define GRANTLEDGER_LEDGER_LOG_FORMAT_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include <string_view>

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
