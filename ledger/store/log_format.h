// The on-disk layout of the ledger in RocksDB: column family names, key encodings and the log
// value format. Tests that tamper with stored bytes use these to find them.
//
//   log          key: the first sequence of one write, 8 bytes big-endian
//                value: that write's records in sequence order, each as a varint32 length,
//                the EventRecord bytes, then the record's hash (32 bytes); record k of the
//                entry keyed F has sequence F + k
//   by_grant     key: grant_id, '\0', sequence (8 BE)   value: how many of the grant's records
//                come before this entry (varint), then the grant's later sequences in the same
//                write, as varint deltas (one entry per grant per write)
//   ids          key: event_id                          value: its sequence (8 BE)
//   histories    see history_store.h
//   checkpoints  key: "ledger"                          value: SHA-256 of the bytes, then
//                                                       ProjectionCheckpoint bytes
//                key: "format"                          value: kLogFormat
//                key: "derived"                         value: kDerivedFormat
//                key: "indexed_through"                 value: the last sequence whose id is
//                                                       in `ids` and leaf in `tree` (8 BE);
//                                                       absent: every record's is
//
// Only `log` is the record: every other family is derived from it, checked when used and by
// `verify`, and rebuilt from the log when a check fails or its format is older.
//
// hash = SHA-256(previous record's hash || EventRecord bytes), genesis = 32 zero bytes.
#ifndef GRANTLEDGER_LEDGER_STORE_LOG_FORMAT_H_
#define GRANTLEDGER_LEDGER_STORE_LOG_FORMAT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/string_view.h"

namespace grantledger {

inline constexpr char kLogColumnFamily[] = "log";
inline constexpr char kGrantIndexColumnFamily[] = "by_grant";
inline constexpr char kCheckpointColumnFamily[] = "checkpoints";
inline constexpr char kCheckpointKey[] = "ledger";
inline constexpr char kFormatKey[] = "format";
inline constexpr char kLogFormat[] = "grantledger-log-2";
inline constexpr char kIdsColumnFamily[] = "ids";
inline constexpr char kHistoriesColumnFamily[] = "histories";
inline constexpr char kDerivedFormatKey[] = "derived";
inline constexpr char kDerivedFormat[] = "grantledger-derived-3";
// The derived format before the id index had its own mark (kIdsThroughKey): still read as
// current (a ledger without the mark takes kIndexedThroughKey for it), and rewritten as
// kDerivedFormat by the first writable open, so that an older grantledger, which would take
// kIndexedThroughKey as the id index's reach, rebuilds the indexes instead.
inline constexpr char kDerivedFormatBeforeIdRuns[] = "grantledger-derived-2";
// The Merkle tree's tiles are written after the log (one write later): how far they reach.
// Every write of the log sets it to the sequence before its first record, every write of the
// tiles to its last. Written before kIdsThroughKey existed, it said how far the id index
// reached too, and it still does so for a ledger without that key.
inline constexpr char kIndexedThroughKey[] = "indexed_through";
// How far the id index reaches: the last record whose id it holds. A key of the `ids` family
// itself (no event id starts with the byte 0xff), so that it moves in the same table file or
// WriteBatch as the ids it counts: each run carries it (id_runs.h), and a reader never sees one
// without the other. The ids after it are held in memory (unindexed_ids.h).
inline constexpr char kIdsThroughKey[] =
    "\xff"
    "ids_through";
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
// The whole by_grant value: `prior_count`, the grant's records before the entry, then the above.
std::string EncodeGrantIndexEntry(uint64_t prior_count, const std::vector<uint64_t>& sequences);
bool DecodeGrantIndexEntry(uint64_t first, absl::string_view value, uint64_t& prior_count,
                           std::vector<uint64_t>& out);

// One record of a log entry: views into the entry's bytes.
struct LogValue {
  absl::string_view hash;
  absl::string_view record_bytes;
};
// Splits a log entry into its records, appending them to `out`; false if the entry is damaged
// (`out` then holds the records before the damage).
bool SplitLogEntry(absl::string_view entry, std::vector<LogValue>& out);
// Appends a record to a log entry being built.
void AppendLogRecord(std::string& entry, absl::string_view record_bytes, absl::string_view hash);
// Appends a varint32 (the record length prefix) to `out`.
void AppendVarint32(std::string& out, uint32_t value);

// SHA-256(prev_hash || record_bytes).
std::string ChainHash(absl::string_view prev_hash, absl::string_view record_bytes);
// The same into `out` (kHashBytes), without allocating.
void ChainHashInto(absl::string_view prev_hash, absl::string_view record_bytes, char* out);

// Lower-case hex, for people.
std::string HexOf(absl::string_view bytes);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_STORE_LOG_FORMAT_H_
