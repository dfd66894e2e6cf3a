// How the command line shows year-end answers: the coordinator's list of unused funds and
// obligations with totals per grantor, the year overview, and the financial account.
#ifndef GRANTLEDGER_CLI_YEAR_END_REPORT_H_
#define GRANTLEDGER_CLI_YEAR_END_REPORT_H_

#include <ostream>
#include <vector>

#include "absl/time/civil_time.h"
#include "ledger/as_of.h"
#include "ledger/obligations.h"
#include "ledger/year_end.h"

namespace grantledger {

void PrintObligationList(const ObligationList& list, std::ostream& out);
void PrintObligations(const std::vector<Obligation>& obligations, std::ostream& out);
// The JSON below is the year-end service's responses (cli/json_output.h).
// `obligations --json`: ObligationsResponse.
void PrintObligationsJson(const std::vector<Obligation>& obligations, const AsOf& as_of,
                          std::ostream& out);
// `unused --json`: UnusedResponse.
void PrintUnusedJson(const UnusedList& unused, const AsOf& as_of, std::ostream& out);
// `overview --json`: YearOverviewResponse.
void PrintYearOverviewJson(const YearOverview& overview, absl::CivilDay as_of_date,
                           std::ostream& out);
void PrintYearOverview(const YearOverview& overview, std::ostream& out);
void PrintFinancialAccount(const FinancialAccount& account, std::ostream& out);
// `account --json`: FinancialAccountResponse.
void PrintFinancialAccountJson(const FinancialAccount& account, std::ostream& out);

}  // namespace grantledger

#endif  // GRANTLEDGER_CLI_YEAR_END_REPORT_H_
