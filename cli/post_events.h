// Posting events in atomic batches: from a JSON Lines input read as a stream (`post`), or from
// events already made from another format (`import-expenses`, `import-sie`). Either way a
// rejected event is named by file:line, the output says what was and was not written, and the
// summary counts new events and those already in the ledger.
#ifndef GRANTLEDGER_CLI_POST_EVENTS_H_
#define GRANTLEDGER_CLI_POST_EVENTS_H_

#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "cli/event_file.h"
#include "cli/ledger_backend.h"

namespace grantledger {

// `post`: the events of a JSON Lines stream, atomically per batch of `batch_size` events
// (0: the whole input is one batch). Every line is read and parsed before the first batch is
// sent, so a malformed line anywhere leaves the ledger unchanged. Memory holds at most one
// batch (at most kMaxEventsPerBatch events): when the input is longer than one batch, the
// parsed events wait in a temporary file (event_spool.h). A first batch larger than
// kMaxEventsPerBatch is refused without being held, with the message the store gives.
// Messages name name:line. Returns the exit code.
int PostEventStream(LedgerBackend& backend, std::istream& in, const std::string& name,
                    size_t batch_size, bool dry_run, std::ostream& out, std::ostream& err);

// The same for events already parsed; messages name name:line.
int PostEventLines(LedgerBackend& backend, const std::vector<EventLine>& lines,
                   const std::string& name, size_t batch_size, bool dry_run, std::ostream& out,
                   std::ostream& err);

}  // namespace grantledger

#endif  // GRANTLEDGER_CLI_POST_EVENTS_H_
