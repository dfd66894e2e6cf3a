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
  GL_RETURN_IF_ERROR(CheckGrantRegistered(store, grant_id));
  // Read from the grant index, not replayed: the cost is one entry's, whatever the grant's size.
  return store.GrantCountAt(grant_id, sequence);
}

}  // namespace grantledger
