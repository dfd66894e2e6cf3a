// `import-sie`: expenses from a SIE 4 export of the accounting system. Rows on cost accounts
// (classes 4-7) that carry a grant's cost object (in the object dimension, default 6, SIE's
// projekt) become expenses of that grant, a credit on a cost account an expense credit; the
// activity and division come from two more object dimensions. Event ids are derived from the
// series, the voucher number and the row, so a repeated import posts nothing new and a
// corrected file is refused as a conflict.
#ifndef GRANTLEDGER_CLI_SIE_IMPORT_H_
#define GRANTLEDGER_CLI_SIE_IMPORT_H_

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cli/event_file.h"
#include "cli/ledger_backend.h"
#include "ledger/sie4.h"

namespace grantledger {

struct SieImportOptions {
  std::string grant_id;  // empty: map each row by its cost object
  int object_dim = 6;    // the dimension holding the grant's cost object
  int activity_dim = 0;  // 0: no activity (unassigned spending)
  int division_dim = 0;  // 0: no division
  std::string id_prefix = "sie";
  std::string source = "sie-import";
};

struct SieImportPlan {
  std::vector<EventLine> lines;  // the expenses, with their rows' line numbers
  int vouchers = 0;
  int rows = 0;          // counting rows read (#TRANS, #RTRANS)
  int removed_rows = 0;  // #BTRANS
  int credits = 0;       // expense credits among `lines`
  int ineligible = 0;    // dated outside the grant's usage period
  int skipped = 0;       // not on a cost account, or not on any grant's object
};

// The expenses in `file` for the registered `grants`. Errors name "source:line".
absl::StatusOr<SieImportPlan> ExpensesFromSie(const SieFile& file, const std::string& source,
                                              const std::vector<GrantPosition>& grants,
                                              const SieImportOptions& options);

void AddSieImportCommand(CLI::App& app, int* exit_code);

}  // namespace grantledger

#endif  // GRANTLEDGER_CLI_SIE_IMPORT_H_
