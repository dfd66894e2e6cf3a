// The server's log: one line per event worth an operator's attention (start, stop, a rejected
// request and why), written to stderr in a single write so concurrent lines never interleave.
#ifndef GRANTLEDGER_SERVICES_SERVER_LOG_H_
#define GRANTLEDGER_SERVICES_SERVER_LOG_H_

#include "absl/strings/string_view.h"

namespace grantledger {

// Writes "grantledgerd: <line>\n" to stderr.
void LogLine(absl::string_view line);

}  // namespace grantledger

#endif  // GRANTLEDGER_SERVICES_SERVER_LOG_H_
