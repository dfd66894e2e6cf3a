// The sealed-year subcommands of `grantledger`: `seal GRANT --period YEAR` (appends the seal of
// a year whose financial account was submitted) and `verify-seal GRANT --period YEAR` (the
// independent check: the sealed account recomputed from the log as of the seal), plus what
// `account --as-sealed` and `account` print about seals.
#ifndef GRANTLEDGER_CLI_SEAL_COMMANDS_H_
#define GRANTLEDGER_CLI_SEAL_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <optional>
#include <ostream>
#include <string>

#include "cli/ledger_backend.h"
#include "cli/report_output.h"

namespace grantledger {

void AddSealCommands(CLI::App& app, int* exit_code);

// `account GRANT --as-sealed [--period YEAR]`: the sealed account exactly as `seal` printed it,
// then the corrections posted after the seal beside it. Returns the exit code.
int PrintAccountAsSealed(LedgerBackend& backend, const std::string& grant_id,
                         std::optional<int32_t> year, const ReportOutputFlags& output);

// After `account`'s table: the post-close corrections the account counts, flagged. A ledger
// that cannot list them (a role that may not read events) gets a warning on standard error.
void PrintAccountCorrections(LedgerBackend& backend, const std::string& grant_id, const AsOf& as_of,
                             std::ostream& out);

}  // namespace grantledger

#endif  // GRANTLEDGER_CLI_SEAL_COMMANDS_H_
