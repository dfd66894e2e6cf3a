// The year-end subcommands of `grantledger`: unused, obligations, overview and account
// (ekonomisk redovisning). Each takes --as-of and --recorded-as-of.
#ifndef GRANTLEDGER_CLI_YEAR_END_COMMANDS_H_
#define GRANTLEDGER_CLI_YEAR_END_COMMANDS_H_

#include <CLI/CLI.hpp>

namespace grantledger {

void AddYearEndCommands(CLI::App& app, int* exit_code);

}  // namespace grantledger

#endif  // GRANTLEDGER_CLI_YEAR_END_COMMANDS_H_
