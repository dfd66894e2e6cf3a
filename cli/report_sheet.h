// A report as a sheet of typed cells, whatever it is written as: the CSV writer and the XLSX
// writer render the same sheet, so that `account`, `obligations`, `balance`, `overview` and
// `grants` say the same thing in every format. Amounts stay integer öre until written.
#ifndef GRANTLEDGER_CLI_REPORT_SHEET_H_
#define GRANTLEDGER_CLI_REPORT_SHEET_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/civil_time.h"

namespace grantledger {

struct SheetCell {
  enum class Kind { kEmpty, kText, kAmount, kDate, kCount };
  Kind kind = Kind::kEmpty;
  std::string text;
  int64_t number = 0;  // öre for kAmount; the count for kCount
  absl::CivilDay date;
  bool bold = false;

  static SheetCell Empty() { return {}; }
  static SheetCell Text(std::string text, bool bold = false) {
    SheetCell c;
    c.kind = Kind::kText;
    c.text = std::move(text);
    c.bold = bold;
    return c;
  }
  static SheetCell Amount(int64_t ore, bool bold = false) {
    SheetCell c;
    c.kind = Kind::kAmount;
    c.number = ore;
    c.bold = bold;
    return c;
  }
  static SheetCell Date(absl::CivilDay date) {
    SheetCell c;
    c.kind = Kind::kDate;
    c.date = date;
    return c;
  }
  static SheetCell Count(int64_t n) {
    SheetCell c;
    c.kind = Kind::kCount;
    c.number = n;
    return c;
  }
};

using SheetRow = std::vector<SheetCell>;

struct Sheet {
  // The worksheet's name; SafeSheetName makes it one Excel accepts.
  std::string name;
  // Rows above the table (a document's header block: label, value...). XLSX only.
  std::vector<SheetRow> header_block;
  // The table: column headings (frozen in XLSX), then rows of as many cells.
  std::vector<std::string> columns;
  std::vector<SheetRow> rows;
  // Rows below the table (totals' notes, signature lines). XLSX only.
  std::vector<SheetRow> footer;
};

// `name` as an Excel sheet name: the characters [ ] : * ? / \ replaced by '-', no leading or
// trailing apostrophe, at most 31 characters (cut at a character boundary), never empty.
std::string SafeSheetName(const std::string& name);

}  // namespace grantledger

#endif  // GRANTLEDGER_CLI_REPORT_SHEET_H_
