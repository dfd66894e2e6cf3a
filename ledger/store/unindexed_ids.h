// The ids of the records committed since the id index's last run: the writer thread holds them
// here instead of writing each into RocksDB's memtable, and once `run_size` are held it seals
// them and writes them to the index as one sorted run (id_runs.h), on a thread of its own,
// while new ids go to a fresh table. Every id committed after `through()` is here (in the
// active or the sealed table), and every id up to it is in the index, so the writer thread
// decides "new or retry" from the index and these tables together. A caller who read the index
// before queueing (its prefetch, as the index stood at sequence S) is checked here again for
// the ids after S; when a run went in after S (Covers is false) the writer thread reads the
// index again instead. Rebuilt from the log on open (CompleteIdIndex): nothing here is durable
// on its own. Internal to ledger/store/; changed by the writer thread only (no lock): the run's
// thread only reads the sealed table, which nothing changes until the run is done.
#ifndef GRANTLEDGER_LEDGER_STORE_UNINDEXED_IDS_H_
#define GRANTLEDGER_LEDGER_STORE_UNINDEXED_IDS_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"

namespace grantledger {

// One table of ids and their sequences, its ids copied into chunks that never move.
class IdTable {
 public:
  void Add(absl::string_view id, uint64_t sequence) {
    by_id_.insert_or_assign(Keep(id), sequence);
    last_ = std::max(last_, sequence);
  }
  std::optional<uint64_t> Find(absl::string_view id) const {
    auto it = by_id_.find(id);
    if (it == by_id_.end()) return std::nullopt;
    return it->second;
  }
  size_t size() const { return by_id_.size(); }
  uint64_t last() const { return last_; }  // the last sequence added (0: none)
  // Room for `ids` ids without rehashing (a table that will take a run's worth).
  void Reserve(size_t ids) { by_id_.reserve(ids); }
  // The ids in key order (bytewise), for a run. Views into this table. Sorted on each id's
  // first 8 bytes held as a number first, so that most comparisons touch no id's text (ids
  // are distinct, so the sequences never decide).
  std::vector<std::pair<absl::string_view, uint64_t>> InKeyOrder() const {
    struct Keyed {
      uint64_t prefix;  // the first 8 bytes, big-endian, zero-padded: orders as the bytes do
      absl::string_view id;
      uint64_t sequence;
    };
    std::vector<Keyed> keyed;
    keyed.reserve(by_id_.size());
    for (const auto& [id, sequence] : by_id_) keyed.push_back({PrefixOf(id), id, sequence});
    std::sort(keyed.begin(), keyed.end(), [](const Keyed& a, const Keyed& b) {
      if (a.prefix != b.prefix) return a.prefix < b.prefix;
      return a.id < b.id;
    });
    std::vector<std::pair<absl::string_view, uint64_t>> sorted;
    sorted.reserve(keyed.size());
    for (const Keyed& k : keyed) sorted.emplace_back(k.id, k.sequence);
    return sorted;
  }

 private:
  static constexpr size_t kChunkBytes = 256 << 10;
  static uint64_t PrefixOf(absl::string_view id) {
    uint64_t prefix = 0;
    for (size_t i = 0; i < 8; ++i) {
      prefix = (prefix << 8) | (i < id.size() ? static_cast<unsigned char>(id[i]) : 0u);
    }
    return prefix;
  }
  absl::string_view Keep(absl::string_view id) {
    if (chunks_.empty() || used_ + id.size() > chunk_size_) {
      chunk_size_ = std::max(kChunkBytes, id.size());
      chunks_.push_back(std::make_unique<char[]>(chunk_size_));
      used_ = 0;
    }
    char* at = chunks_.back().get() + used_;
    std::copy(id.begin(), id.end(), at);
    used_ += id.size();
    return absl::string_view(at, id.size());
  }

  uint64_t last_ = 0;
  absl::flat_hash_map<absl::string_view, uint64_t> by_id_;
  std::vector<std::unique_ptr<char[]>> chunks_;
  size_t chunk_size_ = 0;
  size_t used_ = 0;
};

class UnindexedIds {
 public:
  // `through`: the last sequence whose id the index holds.
  explicit UnindexedIds(uint64_t through = 0)
      : through_(through), active_(std::make_unique<IdTable>()) {}

  // An id committed at `sequence` (after every id held).
  void Add(absl::string_view id, uint64_t sequence) { active_->Add(id, sequence); }
  void Add(const std::vector<std::pair<std::string, uint64_t>>& ids) {
    for (const auto& [id, sequence] : ids) active_->Add(id, sequence);
  }
  // The sequence of an id committed after through(), if it is here.
  std::optional<uint64_t> Find(absl::string_view id) const {
    if (std::optional<uint64_t> found = active_->Find(id)) return found;
    if (sealed_ != nullptr) return sealed_->Find(id);
    return std::nullopt;
  }
  // Whether every id committed after sequence `seen` is either here or was in the index at
  // `seen`: no run went in after `seen`.
  bool Covers(uint64_t seen) const { return seen >= through_; }
  uint64_t through() const { return through_; }
  // How many ids the active table holds (the next run's).
  size_t active_size() const { return active_->size(); }
  bool sealed() const { return sealed_ != nullptr; }
  // The active table, sealed for a run; new ids go to a fresh one. REQUIRES: !sealed().
  const IdTable& Seal() {
    const size_t run_size = active_->size();
    sealed_ = std::move(active_);
    active_ = std::make_unique<IdTable>();
    // The next run will be as large: no rehashing on the writer thread as it fills.
    active_->Reserve(run_size);
    return *sealed_;
  }
  // The sealed table. REQUIRES: sealed().
  const IdTable& Sealed() const { return *sealed_; }
  // The sealed table's run is in the index: the index now reaches its last id.
  void SealedIndexed() {
    through_ = std::max(through_, sealed_->last());
    sealed_.reset();
  }

 private:
  uint64_t through_;
  std::unique_ptr<IdTable> active_;
  std::unique_ptr<IdTable> sealed_;  // being written as a run
};

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_STORE_UNINDEXED_IDS_H_
