// grantledger: the command line for the grant ledger. See README.md for the tour.
#include <malloc.h>

#include <CLI/CLI.hpp>

#include "cli/audit_commands.h"
#include "cli/entitle_command.h"
#include "cli/entitle_show_command.h"
#include "cli/exit_codes.h"
#include "cli/ledger_commands.h"
#include "cli/messages.h"
#include "cli/seal_commands.h"
#include "cli/sie_import.h"
#include "cli/tls_flags.h"
#include "cli/transfer_commands.h"
#include "cli/year_end_commands.h"

int main(int argc, char** argv) {
  // Freed memory goes back to the system once more than 1 MiB is free at the heap's top. By
  // default glibc raises that threshold (up to 64 MiB) as large blocks are freed, so a `post` or
  // `restore` of a million events kept about 40 MiB it no longer used (docs/decisions.md).
  mallopt(M_TRIM_THRESHOLD, 1 << 20);
  CLI::App app{"grantledger: an event-sourced audit ledger for targeted state grants"};
  app.require_subcommand(1);
  // --lang anywhere on the line (before or after the subcommand); LANG=sv... by default.
  grantledger::SetLanguage(grantledger::LanguageFromEnvironment());
  app.fallthrough();
  app.add_option_function<std::string>(
         "--lang",
         [](const std::string& lang) {
           grantledger::SetLanguage(lang == "sv" ? grantledger::Language::kSwedish
                                                 : grantledger::Language::kEnglish);
         },
         "en or sv: the language of tables and reports (default: sv when LANG starts with sv)")
      ->check(CLI::IsMember({"en", "sv"}));
  int exit_code = grantledger::kExitOk;
  // First: the commands added after it inherit the fall-through of its flags.
  grantledger::AddClientTlsFlags(app);
  grantledger::AddLedgerCommands(app, &exit_code);
  grantledger::AddYearEndCommands(app, &exit_code);
  grantledger::AddTransferCommands(app, &exit_code);
  grantledger::AddSieImportCommand(app, &exit_code);
  grantledger::AddEntitleCommands(app, &exit_code);
  grantledger::AddEntitleShowCommand(app, &exit_code);
  grantledger::AddAuditCommands(app, &exit_code);
  grantledger::AddSealCommands(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? grantledger::kExitOk : grantledger::kExitUsage;
  }
  return exit_code;
}
