// The dashboard's view of the server's open store: the command line's LedgerBackend over a
// store it does not own, so that the HTTP side resolves as-of points and reads positions
// through exactly the calls `grantledger --db` makes. Every write is refused: no page writes.
#ifndef GRANTLEDGER_SERVICES_HTTP_READ_ONLY_BACKEND_H_
#define GRANTLEDGER_SERVICES_HTTP_READ_ONLY_BACKEND_H_

#include <memory>

#include "cli/ledger_backend.h"

namespace grantledger {

class EventStore;

// REQUIRES: `store` outlives the backend.
std::unique_ptr<LedgerBackend> ReadOnlyBackend(const EventStore& store);

}  // namespace grantledger

#endif  // GRANTLEDGER_SERVICES_HTTP_READ_ONLY_BACKEND_H_
