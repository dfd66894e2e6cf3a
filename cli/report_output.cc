// Report formats and destinations; see report_output.h.
#include "cli/report_output.h"

#include <fstream>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "cli/csv_writer.h"
#include "cli/error_output.h"
#include "cli/exit_codes.h"
#include "cli/format_count.h"
#include "cli/messages.h"
#include "cli/xlsx_writer.h"
#include "ledger/civil_date.h"

namespace grantledger {

void ReportOutputFlags::AddTo(CLI::App* command) {
  command->add_option("--format", format, "table (default), json, csv or xlsx")
      ->check(CLI::IsMember({"table", "json", "csv", "xlsx"}));
  command->add_option("--out", out, "write to this file instead of standard output");
  command->add_flag("--json", json, "JSON output (amounts in öre); the same as --format json");
}

void WriteSheetCsv(const Sheet& sheet, std::ostream& out) {
  CsvWriter writer(out);
  writer.Row(sheet.columns);
  for (const SheetRow& row : sheet.rows) {
    std::vector<std::string> cells;
    for (const SheetCell& c : row) {
      switch (c.kind) {
        case SheetCell::Kind::kText:
          cells.push_back(c.text);
          break;
        case SheetCell::Kind::kAmount:
          cells.push_back(CsvAmount(c.number));
          break;
        case SheetCell::Kind::kDate:
          cells.push_back(FormatCivilDay(c.date));
          break;
        case SheetCell::Kind::kCount:
          cells.push_back(absl::StrCat(c.number));
          break;
        default:
          cells.push_back("");
      }
    }
    cells.resize(sheet.columns.size());
    writer.Row(cells);
  }
}

int EmitReport(const ReportOutputFlags& flags, const ReportPrinters& printers) {
  std::string format = flags.format;
  if (format.empty()) format = flags.json ? "json" : "table";
  if (flags.json && format != "json") {
    return FailUsage("--json and --format " + format + " disagree; give one of them");
  }
  if (format == "xlsx") {
    if (flags.out.empty()) return FailUsage("--format xlsx needs --out FILE.xlsx");
    const std::vector<Sheet> sheets = printers.sheets();
    const absl::Status s = WriteXlsx(sheets, flags.out);
    if (!s.ok()) return FailWith(s);
    size_t rows = 0;
    for (const Sheet& sheet : sheets) rows += sheet.rows.size();
    std::cout << TrSub("wrote $0: $1, $2", flags.out, CountOf(sheets.size(), "sheet", "sheets"),
                       CountOf(rows, "row", "rows"))
              << "\n";
    return kExitOk;
  }
  std::ofstream file;
  if (!flags.out.empty()) {
    file.open(flags.out, std::ios::binary | std::ios::trunc);
    if (!file) {
      return FailWith(absl::InvalidArgumentError(
          absl::StrCat("--out ", flags.out, ": cannot be written; check the directory")));
    }
  }
  std::ostream& out = flags.out.empty() ? std::cout : file;
  size_t rows = 0;
  if (format == "csv") {
    const std::vector<Sheet> sheets = printers.sheets();
    if (!sheets.empty()) {
      WriteSheetCsv(sheets.front(), out);
      rows = sheets.front().rows.size();
    }
  } else if (format == "json") {
    printers.json(out);
  } else {
    printers.table(out);
  }
  out.flush();
  if (!out) {
    return FailWith(absl::UnavailableError(absl::StrCat(
        "writing ", flags.out.empty() ? "standard output" : flags.out, " failed (disk full?)")));
  }
  if (!flags.out.empty()) {
    std::cout << (format == "csv"
                      ? TrSub("wrote $0: $1 and a header", flags.out, CountOf(rows, "row", "rows"))
                      : TrSub("wrote $0", flags.out))
              << "\n";
  }
  return kExitOk;
}

}  // namespace grantledger
