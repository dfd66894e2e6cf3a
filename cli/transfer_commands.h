// Moving data in and out: `import-expenses` (an ERP's CSV export, mapped to grants by cost
// object), `export` (the stored records with hashes as JSON Lines, or balances and history as
// CSV) and `restore` (an auditor's independent copy rebuilt from an export, every hash checked).
#ifndef GRANTLEDGER_CLI_TRANSFER_COMMANDS_H_
#define GRANTLEDGER_CLI_TRANSFER_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cli/event_file.h"
#include "cli/ledger_backend.h"
#include "ledger/amount_text.h"
#include "ledger/csv_reader.h"

namespace grantledger {

void AddTransferCommands(CLI::App& app, int* exit_code);

struct ExpenseImportOptions {
  std::string grant_id;           // empty: map each row by its cost object
  std::string id_prefix = "erp";  // event ids are <prefix>-<voucher>[-<n>]
  std::string source = "erp-import";
  CsvReadOptions csv;  // encoding and separator (detected by default)
  DecimalMark decimal = DecimalMark::kAuto;
};

// Turns an ERP CSV export into expense events, one per row, with the row's line number.
// `grants` are the registered grants (for mapping cost objects). Errors name file:line.
absl::StatusOr<std::vector<EventLine>> ExpensesFromCsv(const std::string& text,
                                                       const std::string& name,
                                                       const std::vector<GrantPosition>& grants,
                                                       const ExpenseImportOptions& options);

}  // namespace grantledger

#endif  // GRANTLEDGER_CLI_TRANSFER_COMMANDS_H_
