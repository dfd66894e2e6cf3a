// The dashboard's downloads: the command line's CSV and XLSX reports (cli/report_sheets.h,
// written by cli/csv_writer.h and cli/xlsx_writer.h), for the same as-of point as the page.
//
//   /download/grants.csv|xlsx        every grant (as `grantledger grants --format ...`)
//   /download/obligations.csv|xlsx   every obligation (as `grantledger obligations`)
//   /download/grant.csv|xlsx         id=: one grant's balances (as `grantledger balance`)
//   /download/account.csv|xlsx       id=: the financial account (as `grantledger account`),
//                                    with the organisation from --http-organisation, if given
#ifndef GRANTLEDGER_SERVICES_HTTP_DOWNLOADS_H_
#define GRANTLEDGER_SERVICES_HTTP_DOWNLOADS_H_

#include <string>

#include "cli/ledger_backend.h"
#include "cli/report_sheets.h"
#include "services/http/http_answer.h"

namespace grantledger {

// `name` is the path's last part ("grants.csv"). NotFound (404) for a report or format that
// does not exist.
HttpAnswer Download(LedgerBackend& backend, const std::string& name, const HttpQuery& query,
                    const Organisation& organisation);

}  // namespace grantledger

#endif  // GRANTLEDGER_SERVICES_HTTP_DOWNLOADS_H_
