// The in-memory idempotency index; see id_index.h.
#include "ledger/store/id_index.h"

#include "absl/hash/hash.h"

namespace grantledger {

uint64_t IdIndex::KeyedHash(absl::string_view event_id) {
  // Seeded per process: ids cannot be chosen to collide on purpose.
  return absl::Hash<absl::string_view>{}(event_id);
}

std::optional<IdIndex::Candidate> IdIndex::Find(absl::string_view event_id) const {
  if (!exact_.empty()) {
    if (auto it = exact_.find(event_id); it != exact_.end()) return Candidate{it->second, true};
  }
  const uint64_t hash = hash_(event_id);
  const Shard& shard = ShardOf(hash);
  if (auto it = shard.find(hash); it != shard.end()) return Candidate{it->second, false};
  return std::nullopt;
}

void IdIndex::Add(absl::string_view event_id, uint64_t sequence) {
  const uint64_t hash = hash_(event_id);
  auto [it, inserted] = ShardOf(hash).emplace(hash, sequence);
  if (!inserted) exact_.emplace(std::string(event_id), sequence);
}

size_t IdIndex::size() const {
  size_t size = exact_.size();
  for (const Shard& shard : by_hash_) size += shard.size();
  return size;
}

}  // namespace grantledger
