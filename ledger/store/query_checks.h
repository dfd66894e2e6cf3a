// Checks and small look-ups that every query path shares (the server's services and the
// command line's direct backend), so that `--db` and `--server` answer alike: the same code
// and the same message for an unknown grant, and the same grant version.
#ifndef GRANTLEDGER_LEDGER_STORE_QUERY_CHECKS_H_
#define GRANTLEDGER_LEDGER_STORE_QUERY_CHECKS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ledger/store/store_types.h"

namespace grantledger {

class EventStore;

// NotFound naming the grant unless it is registered now (grants never disappear). The same
// answer for AuditService.ReadEvents and `history --db`.
absl::Status CheckGrantRegistered(const EventStore& store, const std::string& grant_id);

// The grant's version (its event count) as recorded by `sequence`; 0 or the head: now.
// NotFound when it was not registered by then.
absl::StatusOr<uint64_t> GrantVersionAt(const EventStore& store, const std::string& grant_id,
                                        uint64_t sequence);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_STORE_QUERY_CHECKS_H_
