// CSV as spreadsheets and ERPs really export it: UTF-8 with or without a byte-order mark,
// Windows-1252 or ISO-8859-1 (converted to UTF-8), ';', ',' or a tab between fields (detected
// from the header line unless given), quoted cells that hold separators, quotes ("") and line
// breaks. Every CSV input of grantledger is read with it. Errors name "file:line" of the row.
#ifndef GRANTLEDGER_LEDGER_CSV_READER_H_
#define GRANTLEDGER_LEDGER_CSV_READER_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/csv.h"
#include "ledger/text_encoding.h"

namespace grantledger {

struct CsvReadOptions {
  TextEncoding encoding = TextEncoding::kAuto;
  // 0: the one of ';', '\t' and ',' that occurs most often outside quotes in the header line
  // (on a tie ';', then tab, then ','); ',' when there is none.
  char separator = 0;
  // Accept (and keep) cells beyond the header's, for inputs whose further columns are ignored
  // (the entitlement weights). Otherwise such a row is refused.
  bool allow_extra_cells = false;
};

// "auto" -> 0, ";", ",", "tab" or "\t" -> the character. InvalidArgument otherwise.
absl::StatusOr<char> ParseCsvSeparator(absl::string_view name);

// Parses `bytes` (the file's content). A row's line is the line it starts on. Unquoted cells
// are trimmed of spaces; quoted cells are kept as written (a CR LF inside one becomes LF).
// Blank lines are skipped. A row with more non-empty cells than the header is refused (a
// separator inside an unquoted cell); trailing empty cells are dropped. Errors: an empty file,
// no data rows, an unterminated quote (naming the line it opened on), text after a closing
// quote, bytes that are not in the encoding.
absl::StatusOr<CsvTable> ReadCsv(absl::string_view bytes, absl::string_view source,
                                 const CsvReadOptions& options = {});

// The separator's name for messages: "';'", "','", "tab".
std::string SeparatorName(char separator);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_CSV_READER_H_
