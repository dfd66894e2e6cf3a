// Where and how a report goes: `--format table|json|csv|xlsx` and `--out FILE`, shared by
// `account`, `obligations`, `balance`, `overview` and `grants`. A table and JSON are printed by
// the command's own printers; CSV and XLSX are rendered from the command's sheets.
#ifndef GRANTLEDGER_CLI_REPORT_OUTPUT_H_
#define GRANTLEDGER_CLI_REPORT_OUTPUT_H_

#include <CLI/CLI.hpp>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "cli/report_sheet.h"

namespace grantledger {

struct ReportOutputFlags {
  std::string format;  // table, json, csv or xlsx; empty: table (json with --json)
  std::string out;     // empty: standard output
  bool json = false;   // --json, the same as --format json
  void AddTo(CLI::App* command);
};

// Writes `sheet`'s table (column headings and rows; not the header block or footer) with the
// CSV writer: amounts in kronor with a decimal comma, dates as YYYY-MM-DD.
void WriteSheetCsv(const Sheet& sheet, std::ostream& out);

struct ReportPrinters {
  std::function<void(std::ostream&)> table;
  std::function<void(std::ostream&)> json;
  // Built only for csv and xlsx. CSV writes the first sheet; XLSX writes them all.
  std::function<std::vector<Sheet>()> sheets;
};

// Prints the report as the flags say and returns the exit code. With --out it says on standard
// output what it wrote. xlsx needs --out (a workbook is not for a terminal): exit 1 otherwise.
int EmitReport(const ReportOutputFlags& flags, const ReportPrinters& printers);

}  // namespace grantledger

#endif  // GRANTLEDGER_CLI_REPORT_OUTPUT_H_
