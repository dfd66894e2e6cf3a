// How the command line shows year-end answers: the coordinator's list of unused funds and
// obligations with totals per grantor, the year overview, and the financial account.
#ifndef GRANTLEDGER_CLI_YEAR_END_REPORT_H_
#define GRANTLEDGER_CLI_YEAR_END_REPORT_H_

#include <ostream>
#include <vector>

#include "ledger/obligations.h"

namespace grantledger {

void PrintObligationList(const ObligationList& list, std::ostream& out);
void PrintObligations(const std::vector<Obligation>& obligations, std::ostream& out);
void PrintObligationsJson(const std::vector<Obligation>& obligations, std::ostream& out);
void PrintYearOverview(const YearOverview& overview, std::ostream& out);
void PrintFinancialAccount(const FinancialAccount& account, std::ostream& out);
void PrintFinancialAccountJson(const FinancialAccount& account, std::ostream& out);
std::string ObligationJson(const Obligation& o);

}  // namespace grantledger

#endif  // GRANTLEDGER_CLI_YEAR_END_REPORT_H_
