// How the command line shows deadlines that must not be missed: the warnings of
// ledger/deadlines.h as "warning:" lines under the tables of `grants`, `unused` and
// `obligations`.
#ifndef GRANTLEDGER_CLI_DEADLINE_REPORT_H_
#define GRANTLEDGER_CLI_DEADLINE_REPORT_H_

#include <ostream>
#include <vector>

#include "ledger/deadlines.h"

namespace grantledger {

// One line per warning, in the order of `obligations`.
void PrintDeadlineWarnings(const std::vector<Obligation>& obligations, std::ostream& out);

}  // namespace grantledger

#endif  // GRANTLEDGER_CLI_DEADLINE_REPORT_H_
