// Reading real CSV exports; see csv_reader.h.
#include "ledger/csv_reader.h"

#include "absl/strings/str_cat.h"

namespace grantledger {
namespace {

char DetectSeparator(absl::string_view text) {
  int semicolons = 0, commas = 0, tabs = 0;
  bool quoted = false;
  for (char c : text) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '\n') break;
    if (c == ';') ++semicolons;
    if (c == ',') ++commas;
    if (c == '\t') ++tabs;
  }
  if (semicolons == 0 && commas == 0 && tabs == 0) return ',';
  if (semicolons >= tabs && semicolons >= commas) return ';';
  if (tabs >= commas) return '\t';
  return ',';
}

bool IsPad(char c, char separator) { return c == ' ' || (c == '\t' && separator != '\t'); }

}  // namespace

std::string SeparatorName(char separator) {
  if (separator == '\t') return "tab";
  return absl::StrCat("'", std::string(1, separator), "'");
}

absl::StatusOr<char> ParseCsvSeparator(absl::string_view name) {
  if (name.empty() || name == "auto") return 0;
  if (name == ";" || name == "semicolon") return ';';
  if (name == "," || name == "comma") return ',';
  if (name == "tab" || name == "\t" || name == "\\t") return '\t';
  return absl::InvalidArgumentError(
      absl::StrCat("--separator ", name, ": give ';', ',', tab or auto"));
}

absl::StatusOr<CsvTable> ReadCsv(absl::string_view bytes, absl::string_view source,
                                 const CsvReadOptions& options) {
  const std::string name(source);
  auto decoded = ToUtf8(bytes, options.encoding, source);
  if (!decoded.ok()) return decoded.status();
  const std::string& text = *decoded;
  const char sep = options.separator != 0 ? options.separator : DetectSeparator(text);

  // Records: (line it starts on, cells).
  std::vector<CsvRow> records;
  int line = 1;
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    CsvRow record;
    record.line = line;
    bool blank = true;  // every cell empty
    while (true) {
      // One cell.
      while (i < n && IsPad(text[i], sep)) ++i;
      std::string cell;
      if (i < n && text[i] == '"') {
        const int opened = line;
        ++i;
        bool closed = false;
        while (i < n) {
          const char c = text[i];
          if (c == '"') {
            if (i + 1 < n && text[i + 1] == '"') {
              cell += '"';
              i += 2;
              continue;
            }
            closed = true;
            ++i;
            break;
          }
          if (c == '\r' && i + 1 < n && text[i + 1] == '\n') {
            ++i;
            continue;
          }
          if (c == '\n') ++line;
          cell += c;
          ++i;
        }
        if (!closed) {
          return absl::InvalidArgumentError(absl::StrCat(
              name, ":", opened,
              ": a quoted cell opened here has no closing quote: close it with \" (write \"\" "
              "for a quote inside it)"));
        }
        while (i < n && IsPad(text[i], sep)) ++i;
        if (i < n && text[i] != sep && text[i] != '\n' && text[i] != '\r') {
          return absl::InvalidArgumentError(absl::StrCat(
              name, ":", line, ", cell ", record.fields.size() + 1,
              ": text after a closing quote: put the whole cell in quotes, or separate cells "
              "with ",
              SeparatorName(sep)));
        }
      } else {
        const size_t start = i;
        while (i < n && text[i] != sep && text[i] != '\n' && text[i] != '\r') ++i;
        size_t end = i;
        while (end > start && IsPad(text[end - 1], sep)) --end;
        cell = text.substr(start, end - start);
      }
      record.fields.push_back(std::move(cell));
      if (i < n && text[i] == sep) {
        ++i;
        continue;
      }
      // End of the record: CR LF, LF, a lone CR, or the end of the text.
      if (i < n && text[i] == '\r') ++i;
      if (i < n && text[i] == '\n') ++i;
      ++line;
      break;
    }
    // A row of empty cells (";;;" from a spreadsheet) is blank too.
    for (const std::string& cell : record.fields) blank = blank && cell.empty();
    if (!blank) records.push_back(std::move(record));
  }
  if (records.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": the file is empty: write a header row, then one row per line"));
  }
  CsvTable table;
  table.delimiter = sep;
  table.header = std::move(records[0].fields);
  while (!table.header.empty() && table.header.back().empty()) table.header.pop_back();
  for (size_t k = 1; k < records.size(); ++k) {
    CsvRow& row = records[k];
    while (row.fields.size() > table.header.size() && row.fields.back().empty())
      row.fields.pop_back();
    if (row.fields.size() > table.header.size() && !options.allow_extra_cells) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ":", row.line, ": has ", row.fields.size(),
                       " cells but the header has ", table.header.size(), "; a cell that holds ",
                       SeparatorName(sep), " must be in quotes (or remove the extra cells)"));
    }
    table.rows.push_back(std::move(row));
  }
  if (table.rows.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": there are no data rows after the header (line ", records[0].line,
                     "): add one row per line"));
  }
  return table;
}

}  // namespace grantledger
