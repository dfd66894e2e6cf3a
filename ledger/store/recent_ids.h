// The ids of the records committed most recently, kept by the writer thread so that a batch
// whose caller read the id index before queueing (a prefetch at committed sequence S) is
// checked again, in memory, only against the ids committed after S: a duplicate sent by two
// concurrent callers is caught whichever commits first. Bounded: when the ids after S are no
// longer all here (Covers is false), the writer thread reads the index again instead.
// Internal to ledger/store/; used by the writer thread only (no lock).
#ifndef GRANTLEDGER_LEDGER_STORE_RECENT_IDS_H_
#define GRANTLEDGER_LEDGER_STORE_RECENT_IDS_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"

namespace grantledger {

class RecentIds {
 public:
  explicit RecentIds(size_t capacity) : capacity_(capacity) {}

  // Adds a committed group's ids (id, sequence), in sequence order, evicting the oldest beyond
  // the capacity.
  void Add(std::vector<std::pair<std::string, uint64_t>>&& ids) {
    for (auto& [id, sequence] : ids) {
      order_.push_back(sequence);
      keys_.push_back(std::move(id));
      by_id_.emplace(keys_.back(), sequence);
    }
    while (order_.size() > capacity_) {
      complete_after_ = order_.front();
      by_id_.erase(keys_.front());
      order_.pop_front();
      keys_.pop_front();
    }
  }
  // Whether every id committed after sequence `seen` is here.
  bool Covers(uint64_t seen) const { return seen >= complete_after_; }
  // The sequence of a recently committed id.
  std::optional<uint64_t> Find(absl::string_view id) const {
    auto it = by_id_.find(id);
    if (it == by_id_.end()) return std::nullopt;
    return it->second;
  }

 private:
  const size_t capacity_;
  uint64_t complete_after_ = 0;  // every id of a record after this sequence is held
  std::deque<uint64_t> order_;
  std::deque<std::string> keys_;  // deque: the map's views into them stay valid
  absl::flat_hash_map<absl::string_view, uint64_t> by_id_;
};

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_STORE_RECENT_IDS_H_
