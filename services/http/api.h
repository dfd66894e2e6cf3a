// The dashboard's JSON under /api/: what the pages draw, computed by the calls the command
// line makes (a LedgerBackend's positions, ledger/obligations.h, ledger/deadlines.h). Each answer
// is a message of proto/grantledger/v1/dashboard.proto holding the services' messages (the
// obligation, GetGrantResponse, FinancialAccountResponse), printed by cli/json_output.h as the
// command line prints `--json`, so that its parts equal `grantledger ... --json` for the same
// as-of point. Query parameters: as_of=YYYY-MM-DD (effective; default today in
// Sweden) and recorded_as_of=SEQ|YYYY-MM-DD|RFC 3339 (what the ledger knew then), read as the
// CLI reads --as-of and --recorded-as-of.
//
//   /api/overview   every grant's obligation (+ warnings), totals per grantor; year=, grantor=
//   /api/grant      id=: balances per activity line and division, obligation, financial account
//   /api/burndown   id=: cumulative eligible spending, received and allocated over the period
//   /api/history    id=: the grant's records up to the recorded point, in log order, a page
//                   of limit= (default 500) from sequence from= (default 1); next_from: the
//                   next page's from (0: none)
#ifndef GRANTLEDGER_SERVICES_HTTP_API_H_
#define GRANTLEDGER_SERVICES_HTTP_API_H_

#include "absl/status/statusor.h"
#include "cli/ledger_backend.h"
#include "ledger/as_of.h"
#include "ledger/obligations.h"
#include "services/http/http_answer.h"

namespace grantledger {

// The query's as-of point, as ResolveAsOf (cli/as_of_flags.h) reads the flags.
absl::StatusOr<AsOf> AsOfFromQuery(const HttpQuery& query, LedgerBackend& backend);

HttpAnswer ApiOverview(LedgerBackend& backend, const HttpQuery& query);
HttpAnswer ApiGrant(LedgerBackend& backend, const HttpQuery& query);
HttpAnswer ApiBurndown(LedgerBackend& backend, const HttpQuery& query);
HttpAnswer ApiHistory(LedgerBackend& backend, const HttpQuery& query);

// The grant id of `query` (id=): InvalidArgument when it is missing.
absl::StatusOr<std::string> GrantIdOf(const HttpQuery& query);

// The warnings the CLI prints under its tables for `o` (cli/deadline_report.h), one text each,
// without the "warning: GRANT:" prefix.
std::vector<std::string> WarningTexts(const Obligation& o);

}  // namespace grantledger

#endif  // GRANTLEDGER_SERVICES_HTTP_API_H_
