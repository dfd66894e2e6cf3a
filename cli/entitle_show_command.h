// `grantledger entitle show GRANT`: the amount a grant's entitlement model says it should pay,
// beside what has been received so far, and the difference.
#ifndef GRANTLEDGER_CLI_ENTITLE_SHOW_COMMAND_H_
#define GRANTLEDGER_CLI_ENTITLE_SHOW_COMMAND_H_

#include <CLI/CLI.hpp>

namespace grantledger {

// Adds `show` to the `entitle` subcommand. REQUIRES: AddEntitleCommands(app, ...) ran first.
void AddEntitleShowCommand(CLI::App& app, int* exit_code);

}  // namespace grantledger

#endif  // GRANTLEDGER_CLI_ENTITLE_SHOW_COMMAND_H_
