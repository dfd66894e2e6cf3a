// Applying logged events to the projections, outside the append path: recovery and replay
// rebuild grant states with ApplyLogged, and recovery rebuilds the histories and the
// recorded-time index with IndexRecorded. Both read a reversal's target from the log, and
// walk an event's grants with ForEachGrantSide (rules.h), as the batch validator does.
#include "ledger/rules.h"
#include "ledger/store/event_store.h"

namespace grantledger {

absl::Status EventStore::ApplyLogged(const v1::Event& event, uint64_t sequence,
                                     std::map<std::string, GrantState>& grants,
                                     const std::string& only_grant) const {
  EventContext context;
  context.sequence = sequence;
  std::unique_ptr<v1::Event> target;
  if (event.has_reversal()) {
    auto read = ReadEvent(event.reversal().reversed_sequence());
    if (read.ok() && event.reversal().reversed_sequence() < sequence) target = std::move(*read);
    context.reversal_target = target.get();
  }
  return ForEachGrantSide(event, [&](const std::string& grant_id, bool carry_in) {
    if (!only_grant.empty() && only_grant != grant_id) return absl::OkStatus();
    std::optional<GrantState> slot;
    auto it = grants.find(grant_id);
    if (it != grants.end()) slot = std::move(it->second);
    absl::Status status = ApplySide(event, context, carry_in, slot);
    if (slot.has_value()) grants[grant_id] = std::move(*slot);
    return status;
  });
}

void EventStore::IndexRecorded(const v1::Event& event, uint64_t sequence,
                               const v1::Event* reversal_target) {
  std::unique_ptr<v1::Event> read;
  if (event.has_reversal() && reversal_target == nullptr) {
    auto target = ReadEvent(event.reversal().reversed_sequence());
    if (target.ok()) read = std::move(*target);
    reversal_target = read.get();
  }
  ForEachGrantSide(event, [&](const std::string& grant_id, bool carry_in) {
    histories_[grant_id].Add(event, sequence, carry_in ? nullptr : reversal_target, carry_in);
    return absl::OkStatus();
  }).IgnoreError();
}

}  // namespace grantledger
