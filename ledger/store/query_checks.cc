// See query_checks.h.
#include "ledger/store/query_checks.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "ledger/status_macros.h"
#include "ledger/store/event_store.h"

namespace grantledger {

absl::Status CheckGrantRegistered(const EventStore& store, const std::string& grant_id) {
  if (store.Grant(grant_id).has_value()) return absl::OkStatus();
  return absl::NotFoundError(absl::StrCat("grant_id: grant ", grant_id,
                                          " is not registered; check the diary number (the "
                                          "grants command and ListGrants list them)"));
}

absl::StatusOr<uint64_t> GrantVersionAt(const EventStore& store, const std::string& grant_id,
                                        uint64_t sequence) {
  const uint64_t head = store.Head().sequence;
  if (sequence == 0 || sequence >= head) {
    std::optional<GrantState> grant = store.Grant(grant_id);
    if (!grant.has_value()) return CheckGrantRegistered(store, grant_id);
    // An append that landed after `head` was read counts only up to `sequence` when given.
    if (sequence == 0 || grant->last_sequence <= sequence) return grant->event_count;
  }
  GL_ASSIGN_OR_RETURN(GrantState grant, store.GrantAtSequence(grant_id, sequence));
  return grant.event_count;
}

}  // namespace grantledger
