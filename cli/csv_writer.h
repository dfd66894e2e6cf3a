// The one CSV writer of the command line, in the form Swedish Excel opens with a double click:
// UTF-8 with a byte-order mark, ';' between fields, a decimal comma in amounts, CRLF line ends,
// and RFC 4180 quoting wherever a field needs it. Every command that writes CSV uses it.
#ifndef GRANTLEDGER_CLI_CSV_WRITER_H_
#define GRANTLEDGER_CLI_CSV_WRITER_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace grantledger {

inline constexpr char kCsvSeparator = ';';

// The field as RFC 4180 wants it: quoted (with '"' doubled) when it holds the separator, a
// quote, CR or LF, or starts or ends with a space or tab (which Excel would trim); else as is.
std::string CsvField(absl::string_view text);

// An amount in öre as a CSV number: "1234,50", "-3000", "0,05". No thousands grouping (Excel
// would read a grouped number as text); öre only when non-zero.
std::string CsvAmount(int64_t amount_ore);

class CsvWriter {
 public:
  // Writes the byte-order mark at once.
  explicit CsvWriter(std::ostream& out);
  // One record; every cell is passed through CsvField.
  void Row(const std::vector<std::string>& cells);
  // Records written, the header included.
  uint64_t rows() const { return rows_; }

 private:
  std::ostream& out_;
  uint64_t rows_ = 0;
};

}  // namespace grantledger

#endif  // GRANTLEDGER_CLI_CSV_WRITER_H_
