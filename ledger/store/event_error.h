// Errors about one event of a batch: a rule's error prefixed with the event's place in the
// batch ("event N (event_id ...): ..."), with the index as a payload (kEventIndexPayload).
#ifndef GRANTLEDGER_LEDGER_STORE_EVENT_ERROR_H_
#define GRANTLEDGER_LEDGER_STORE_EVENT_ERROR_H_

#include <cstddef>

#include "absl/status/status.h"
#include "grantledger/v1/events.pb.h"

namespace grantledger {

// Prefixes a rule's error with the event's place in the batch, keeping its code.
absl::Status AtEvent(const absl::Status& status, size_t index, const v1::Event& event);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_STORE_EVENT_ERROR_H_
