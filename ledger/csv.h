// CSV as people and ERP systems write it: a header row, ',' or ';' (Swedish spreadsheets),
// quoted fields, a byte-order mark. Errors name "file:line". Used by the entitlement models'
// inputs and by the ERP expense import.
#ifndef GRANTLEDGER_LEDGER_CSV_H_
#define GRANTLEDGER_LEDGER_CSV_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace grantledger {

// One data row: its 1-based line number in the file (the header is line 1) and its fields.
struct CsvRow {
  int line = 0;
  std::vector<std::string> fields;
};

struct CsvTable {
  std::vector<std::string> header;
  std::vector<CsvRow> rows;
  char delimiter = ',';
};

// Splits CSV text. The delimiter is ';' when the header has semicolons and no commas (Swedish
// spreadsheet exports), else ','. Fields may be quoted ("a, b", "" for a quote); unquoted fields
// are trimmed; a UTF-8 byte-order mark is skipped; blank lines are skipped but counted. Errors:
// an empty file, no data rows, an unterminated quote, a row with more fields than the header
// (an unquoted delimiter in a text). `source` names the file in messages.
absl::StatusOr<CsvTable> ParseCsv(absl::string_view text, absl::string_view source);

// Reads a whole file; NotFound/InvalidArgument naming the path when it cannot be read.
absl::StatusOr<std::string> ReadTextFile(const std::string& path);

// Spaces and tabs trimmed from both ends.
absl::string_view TrimSpaces(absl::string_view text);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_CSV_H_
