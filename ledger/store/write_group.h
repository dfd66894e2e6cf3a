// What a group of writers (writer.h) changes before it is committed in one synced
// WriteBatch: the grants they touched, the ids and events they add, the chain head, the
// history additions, and the log entry to write. Internal to ledger/store/.
#ifndef GRANTLEDGER_LEDGER_STORE_WRITE_GROUP_H_
#define GRANTLEDGER_LEDGER_STORE_WRITE_GROUP_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_map.h"
#include "absl/strings/string_view.h"
#include "grantledger/v1/events.pb.h"
#include "ledger/grant_history.h"
#include "ledger/grant_state.h"
#include "ledger/store/batch_validator.h"

namespace grantledger {

class WriteGroup {
 public:
  // `buffer`: memory for the log entry.
  explicit WriteGroup(std::string buffer) : entry(std::move(buffer)) {}
  absl::flat_hash_map<std::string, std::optional<GrantState>> grants;
  // Keys view event ids inside the writers' events, which live until validation is done.
  PendingIds ids;
  std::vector<const v1::Event*> events;  // the group's new events, from first_sequence on
  // Per grant touched: its new sequences (one by_grant entry) and what they add to its
  // history (planned against the committed history), in sequence order.
  struct GrantChanges {
    uint64_t prior_count = 0;  // the grant's records before the group
    std::vector<uint64_t> sequences;
    std::vector<HistoryAddition> additions;
  };
  absl::node_hash_map<std::string, GrantChanges> changes;
  uint64_t first_sequence = 1;
  uint64_t next_sequence = 1;
  std::string head_hash;
  int64_t recorded_time_unix_micros = 0;                  // for new appends
  int64_t last_recorded_time_unix_micros = 0;             // of the last record chained so far
  std::string entry;                                      // the log entry: every new record
  std::vector<std::pair<std::string, uint64_t>> new_ids;  // for the id index (UnindexedIds)
};

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_STORE_WRITE_GROUP_H_
