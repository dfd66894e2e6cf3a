// The sheets of the reports that can be written as CSV or XLSX: the grant list, one grant's
// balances, the obligations, the year overview, and the ekonomisk redovisning in the
// grantor's layout (a header block, received, used per purpose and per cost group, unused,
// repaid, what is to be repaid and by when, and lines for the signatures).
#ifndef GRANTLEDGER_CLI_REPORT_SHEETS_H_
#define GRANTLEDGER_CLI_REPORT_SHEETS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cli/ledger_backend.h"
#include "cli/report_sheet.h"
#include "ledger/obligations.h"

namespace grantledger {

// Who sends the account: printed in its header block.
struct Organisation {
  std::string name;    // e.g. Region Jämtland Härjedalen
  std::string number;  // organisationsnummer, e.g. 232100-0218
};

// Reads an organisation file: lines `organisation = NAME` and `org_number = NNNNNN-NNNN`;
// blank lines and lines starting with '#' are skipped. InvalidArgument names the line.
absl::StatusOr<Organisation> ReadOrganisationFile(const std::string& path);

std::vector<Sheet> GrantListSheets(const std::vector<GrantView>& grants);
// The activity lines first (what CSV writes), then the summary and the divisions.
std::vector<Sheet> GrantSheets(const GrantView& grant);
std::vector<Sheet> ObligationSheets(const std::vector<Obligation>& obligations);
std::vector<Sheet> YearOverviewSheets(const YearOverview& overview);
// `obligation` is the same grant's, as of the same point.
std::vector<Sheet> FinancialAccountSheets(const FinancialAccount& account, const GrantTerms& terms,
                                          const Obligation& obligation,
                                          const Organisation& organisation);

}  // namespace grantledger

#endif  // GRANTLEDGER_CLI_REPORT_SHEETS_H_
