// grantledger: the command line for the grant ledger. See README.md for the tour.
#include <CLI/CLI.hpp>

#include "cli/entitle_command.h"
#include "cli/entitle_show_command.h"
#include "cli/exit_codes.h"
#include "cli/ledger_commands.h"
#include "cli/tls_flags.h"
#include "cli/transfer_commands.h"
#include "cli/year_end_commands.h"

int main(int argc, char** argv) {
  CLI::App app{"grantledger: an event-sourced audit ledger for targeted state grants"};
  app.require_subcommand(1);
  int exit_code = grantledger::kExitOk;
  // First: the commands added after it inherit the fall-through of its flags.
  grantledger::AddClientTlsFlags(app);
  grantledger::AddLedgerCommands(app, &exit_code);
  grantledger::AddYearEndCommands(app, &exit_code);
  grantledger::AddTransferCommands(app, &exit_code);
  grantledger::AddEntitleCommands(app, &exit_code);
  grantledger::AddEntitleShowCommand(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? grantledger::kExitOk : grantledger::kExitUsage;
  }
  return exit_code;
}
