// The ledger subcommands of `grantledger`: post, grants, balance, history, verify, replay and
// demo. Each sets *exit_code (exit_codes.h) when it runs.
#ifndef GRANTLEDGER_CLI_LEDGER_COMMANDS_H_
#define GRANTLEDGER_CLI_LEDGER_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>

#include "cli/event_file.h"
#include "cli/ledger_backend.h"

namespace grantledger {

void AddLedgerCommands(CLI::App& app, int* exit_code);

// `demo`: loads the RS/229/2025 sample into `backend` (an empty ledger) and prints it.
int RunDemo(LedgerBackend& backend, std::ostream& out, std::ostream& err);

}  // namespace grantledger

#endif  // GRANTLEDGER_CLI_LEDGER_COMMANDS_H_
