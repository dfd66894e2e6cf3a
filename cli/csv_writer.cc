// The command line's CSV writer; see csv_writer.h.
#include "cli/csv_writer.h"

#include "absl/strings/str_cat.h"

namespace grantledger {

std::string CsvField(absl::string_view text) {
  bool quote = false;
  for (char c : text) {
    if (c == kCsvSeparator || c == '"' || c == '\r' || c == '\n') quote = true;
  }
  if (!text.empty()) {
    const char first = text.front(), last = text.back();
    if (first == ' ' || first == '\t' || last == ' ' || last == '\t') quote = true;
  }
  if (!quote) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string CsvAmount(int64_t amount_ore) {
  const bool negative = amount_ore < 0;
  const uint64_t magnitude =
      negative ? 0 - static_cast<uint64_t>(amount_ore) : static_cast<uint64_t>(amount_ore);
  std::string out = absl::StrCat(negative ? "-" : "", magnitude / 100);
  if (magnitude % 100 != 0) {
    const uint64_t ore = magnitude % 100;
    absl::StrAppend(&out, ",", ore < 10 ? "0" : "", ore);
  }
  return out;
}

CsvWriter::CsvWriter(std::ostream& out) : out_(out) { out_ << "\xEF\xBB\xBF"; }

void CsvWriter::Row(const std::vector<std::string>& cells) {
  std::string line;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) line += kCsvSeparator;
    line += CsvField(cells[i]);
  }
  line += "\r\n";
  out_ << line;
  ++rows_;
}

}  // namespace grantledger
