// The idempotency index: which sequence holds each event id, for every event in the log.
//
// It lives in memory, rebuilt by the scan of the log that opening a ledger makes anyway: a
// 64-bit keyed hash of the id -> the sequence (about 20 bytes per event), and, for the rare id
// whose hash another id already has, an exact map. A hash hit is only a candidate: the caller
// reads the stored event and compares ids (it reads it anyway, to compare content). Pure data,
// no I/O. Measured against the alternatives in docs/decisions.md.
#ifndef GRANTLEDGER_LEDGER_STORE_ID_INDEX_H_
#define GRANTLEDGER_LEDGER_STORE_ID_INDEX_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"

namespace grantledger {

class IdIndex {
 public:
  using HashFunction = uint64_t (*)(absl::string_view);
  // `hash` replaces the keyed hash (tests make ids collide with it).
  explicit IdIndex(HashFunction hash = nullptr) : hash_(hash != nullptr ? hash : &KeyedHash) {}

  struct Candidate {
    uint64_t sequence = 0;
    // True when the id itself matched (the exact map): no need to compare ids.
    bool exact = false;
  };
  // The sequence that may hold `event_id`; nullopt when no stored event can have it.
  std::optional<Candidate> Find(absl::string_view event_id) const;
  // Records a logged id. REQUIRES: no stored event has this id.
  void Add(absl::string_view event_id, uint64_t sequence);

  size_t size() const;

 private:
  static uint64_t KeyedHash(absl::string_view event_id);
  // The hash map is split by the hash's top bits: each part grows (rehashes) on its own, a
  // 256th of the index at a time, instead of the whole index stalling an append at once.
  static constexpr int kShardBits = 8;
  using Shard = absl::flat_hash_map<uint64_t, uint64_t>;
  const Shard& ShardOf(uint64_t hash) const { return by_hash_[hash >> (64 - kShardBits)]; }
  Shard& ShardOf(uint64_t hash) { return by_hash_[hash >> (64 - kShardBits)]; }

  HashFunction hash_;
  std::array<Shard, size_t{1} << kShardBits> by_hash_;
  absl::flat_hash_map<std::string, uint64_t> exact_;  // ids whose hash was taken
};

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_STORE_ID_INDEX_H_
