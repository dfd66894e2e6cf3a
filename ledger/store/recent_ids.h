// The ids of the records committed most recently, kept by the writer thread so that a batch
// whose caller read the id index before queueing (a prefetch as the index stood at sequence S)
// is checked again, in memory, only against the ids committed after S: a duplicate sent by two
// concurrent callers is caught whichever commits first. Kept per committed group, each with its
// own small table, so that adding a group and dropping the oldest cost no more than the group's
// own ids, and a look-up searches only the groups after S (usually one or two). Bounded: when
// the ids after S are no longer all here (Covers is false), the writer thread reads the index
// again instead. Internal to ledger/store/; used by the writer thread only (no lock).
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

  // Adds a committed group's ids (id, sequence), in sequence order, then drops the oldest
  // groups while more than the capacity are held.
  void Add(const std::vector<std::pair<std::string, uint64_t>>& ids) {
    if (ids.empty()) return;
    Group& group = groups_.emplace_back();
    size_t bytes = 0;
    for (const auto& [id, sequence] : ids) bytes += id.size();
    group.text.reserve(bytes);  // never reallocated: the table's keys view into it
    group.by_id.reserve(ids.size());
    for (const auto& [id, sequence] : ids) {
      const size_t at = group.text.size();
      group.text.append(id);
      group.by_id.emplace(absl::string_view(group.text).substr(at, id.size()), sequence);
    }
    group.last_sequence = ids.back().second;
    held_ += ids.size();
    while (held_ > capacity_ && !groups_.empty()) {
      complete_after_ = groups_.front().last_sequence;
      held_ -= groups_.front().by_id.size();
      groups_.pop_front();
    }
  }
  // Whether every id committed after sequence `seen` is here.
  bool Covers(uint64_t seen) const { return seen >= complete_after_; }
  // The sequence of an id committed after sequence `seen`. REQUIRES: Covers(seen).
  std::optional<uint64_t> Find(absl::string_view id, uint64_t seen) const {
    for (auto group = groups_.rbegin(); group != groups_.rend(); ++group) {
      if (group->last_sequence <= seen) break;
      auto it = group->by_id.find(id);
      if (it != group->by_id.end()) return it->second;
    }
    return std::nullopt;
  }

 private:
  struct Group {
    uint64_t last_sequence = 0;
    std::string text;  // the group's ids, back to back
    absl::flat_hash_map<absl::string_view, uint64_t> by_id;
  };
  const size_t capacity_;
  uint64_t complete_after_ = 0;  // every id of a record after this sequence is held
  size_t held_ = 0;
  std::deque<Group> groups_;
};

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_STORE_RECENT_IDS_H_
