// The in-memory idempotency index; see id_index.h.
#include "ledger/id_index.h"

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
  if (auto it = by_hash_.find(hash_(event_id)); it != by_hash_.end()) {
    return Candidate{it->second, false};
  }
  return std::nullopt;
}

void IdIndex::Add(absl::string_view event_id, uint64_t sequence) {
  auto [it, inserted] = by_hash_.emplace(hash_(event_id), sequence);
  if (!inserted) exact_.emplace(std::string(event_id), sequence);
}

}  // namespace grantledger
