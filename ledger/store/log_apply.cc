// Applying logged events to the projections, outside the append path: recovery and replay
// rebuild grant states with ApplyLogged, and recovery rebuilds the histories and the
// recorded-time index with IndexRecorded. Both read a reversal's target from the log.
#include "ledger/rules.h"
#include "ledger/status_macros.h"
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
  auto apply = [&](const std::string& grant_id, bool carry_in) {
    std::optional<GrantState> slot;
    auto it = grants.find(grant_id);
    if (it != grants.end()) slot = std::move(it->second);
    absl::Status status =
        carry_in ? ApplyCarryIn(event, context, slot) : ApplyEvent(event, context, slot);
    if (slot.has_value()) grants[grant_id] = std::move(*slot);
    return status;
  };
  if (only_grant.empty() || only_grant == event.grant_id()) {
    GL_RETURN_IF_ERROR(apply(event.grant_id(), false));
  }
  if (event.has_carry_over() &&
      (only_grant.empty() || only_grant == event.carry_over().to_grant_id())) {
    GL_RETURN_IF_ERROR(apply(event.carry_over().to_grant_id(), true));
  }
  return absl::OkStatus();
}

void EventStore::IndexRecorded(const v1::Event& event, uint64_t sequence,
                               const v1::Event* reversal_target) {
  std::unique_ptr<v1::Event> read;
  if (event.has_reversal() && reversal_target == nullptr) {
    auto target = ReadEvent(event.reversal().reversed_sequence());
    if (target.ok()) read = std::move(*target);
    reversal_target = read.get();
  }
  histories_[event.grant_id()].Add(event, sequence, reversal_target, /*carry_in=*/false);
  if (event.has_carry_over()) {
    histories_[event.carry_over().to_grant_id()].Add(event, sequence, nullptr, /*carry_in=*/true);
  }
}

}  // namespace grantledger
