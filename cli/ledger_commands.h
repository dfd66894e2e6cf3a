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

// `post`: events from JSON Lines text, atomically per batch (batch_size 0: the whole file).
// Messages name file:line. Returns the exit code.
int PostEvents(LedgerBackend& backend, const std::string& text, const std::string& name,
               size_t batch_size, bool dry_run, std::ostream& out, std::ostream& err);

// The same for events already parsed (e.g. from a CSV import); messages name name:line.
int PostEventLines(LedgerBackend& backend, const std::vector<EventLine>& lines,
                   const std::string& name, size_t batch_size, bool dry_run, std::ostream& out,
                   std::ostream& err);

// `demo`: loads the RS/229/2025 sample into `backend` (an empty ledger) and prints it.
int RunDemo(LedgerBackend& backend, std::ostream& out, std::ostream& err);

}  // namespace grantledger

#endif  // GRANTLEDGER_CLI_LEDGER_COMMANDS_H_
