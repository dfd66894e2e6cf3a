// `grantledger entitle ...`: the command-line front of the entitlement models (population
// share, per unit above baseline with a cap, monthly pots with a bonus pot). Reads the CSV
// inputs, prints an aligned table, `--format csv` or `--json`. Exit codes: 0 ok, 1 usage,
// 2 input rejected (the message names file:line and the field).
#ifndef GRANTLEDGER_CLI_ENTITLE_COMMAND_H_
#define GRANTLEDGER_CLI_ENTITLE_COMMAND_H_

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

namespace grantledger {

inline constexpr int kEntitleExitOk = 0;
inline constexpr int kEntitleExitUsage = 1;
inline constexpr int kEntitleExitInputRejected = 2;

enum class EntitleFormat { kTable, kCsv, kJson };

struct PopulationShareOptions {
  std::string pot_kr;  // whole kronor, spaces allowed: "750 000 000"
  std::string weights_path;
  EntitleFormat format = EntitleFormat::kTable;
};

struct PerUnitOptions {
  std::string counts_path;
  std::string cap_kr;  // empty: no cap
  std::string units = "floor";
  EntitleFormat format = EntitleFormat::kTable;
};

struct MonthlyPotsOptions {
  std::string total_kr;
  std::string population_path;
  std::string values_path;
  int year = 0;
  std::string months;    // "2-10"
  std::string criteria;  // "a,b"; empty: as found in the values file
  int top = 5;
  EntitleFormat format = EntitleFormat::kTable;
};

// Each returns the exit code; results go to `out`, errors to `err`.
int RunPopulationShare(const PopulationShareOptions& options, std::ostream& out, std::ostream& err);
int RunPerUnit(const PerUnitOptions& options, std::ostream& out, std::ostream& err);
int RunMonthlyPots(const MonthlyPotsOptions& options, std::ostream& out, std::ostream& err);

// Adds `entitle` with the subcommands population-share, per-unit and monthly-pots. When a
// subcommand runs, its exit code is stored in *exit_code.
void AddEntitleCommands(CLI::App& app, int* exit_code);

}  // namespace grantledger

#endif  // GRANTLEDGER_CLI_ENTITLE_COMMAND_H_
