// CSV parsing; see csv.h.
#include "ledger/csv.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace grantledger {
namespace {

std::string S(absl::string_view text) { return std::string(text); }

absl::Status RowError(absl::string_view source, int line, const absl::Status& status) {
  return absl::InvalidArgumentError(absl::StrCat(S(source), ":", line, ": ", status.message()));
}

bool IsBlank(absl::string_view line) { return TrimSpaces(line).empty(); }

// Splits one line; quoted fields keep their spaces.
absl::StatusOr<std::vector<std::string>> SplitLine(absl::string_view line, char delimiter) {
  std::vector<std::string> fields;
  size_t i = 0;
  while (true) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    std::string field;
    if (i < line.size() && line[i] == '"') {
      ++i;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          closed = true;
          ++i;
          break;
        }
        field.push_back(line[i++]);
      }
      if (!closed) {
        return absl::InvalidArgumentError(
            "a quoted field has no closing quote: close it with \" (write \"\" for a quote)");
      }
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
      if (i < line.size() && line[i] != delimiter) {
        return absl::InvalidArgumentError(absl::StrCat(
            "text after a closing quote: put the whole field in quotes, or separate with '",
            std::string(1, delimiter), "'"));
      }
    } else {
      size_t end = line.find(delimiter, i);
      if (end == absl::string_view::npos) end = line.size();
      field = S(TrimSpaces(line.substr(i, end - i)));
      i = end;
    }
    fields.push_back(std::move(field));
    if (i >= line.size()) break;
    ++i;  // the delimiter
  }
  return fields;
}

}  // namespace

absl::string_view TrimSpaces(absl::string_view text) {
  size_t begin = 0, end = text.size();
  while (begin < end && (text[begin] == ' ' || text[begin] == '\t')) ++begin;
  while (end > begin && (text[end - 1] == ' ' || text[end - 1] == '\t')) --end;
  return text.substr(begin, end - begin);
}

absl::StatusOr<CsvTable> ParseCsv(absl::string_view text, absl::string_view source) {
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<std::pair<int, absl::string_view>> lines;
  int line_number = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == absl::string_view::npos) end = text.size();
    absl::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ++line_number;
    if (!IsBlank(line)) lines.emplace_back(line_number, line);
    start = end + 1;
  }
  if (lines.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(S(source), ": the file is empty: write a header row, then one row per line"));
  }
  CsvTable table;
  const absl::string_view header = lines[0].second;
  if (header.find(';') != absl::string_view::npos && header.find(',') == absl::string_view::npos) {
    table.delimiter = ';';
  }
  for (size_t k = 0; k < lines.size(); ++k) {
    absl::StatusOr<std::vector<std::string>> fields = SplitLine(lines[k].second, table.delimiter);
    if (!fields.ok()) return RowError(source, lines[k].first, fields.status());
    if (k == 0) {
      table.header = std::move(*fields);
    } else if (fields->size() > table.header.size()) {
      // Most often an unquoted delimiter inside a text, which would shift every field after
      // it into the wrong column.
      return RowError(
          source, lines[k].first,
          absl::InvalidArgumentError(absl::StrCat(
              "the row has ", fields->size(), " fields but the header has ", table.header.size(),
              ": a text containing '", std::string(1, table.delimiter),
              "' must be in double quotes, e.g. \"Hyra", std::string(1, table.delimiter),
              " lokal\" (write \"\" for a quote inside it)")));
    } else {
      table.rows.push_back(CsvRow{lines[k].first, std::move(*fields)});
    }
  }
  if (table.rows.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(S(source), ": there are no data rows after the header (line ", lines[0].first,
                     "): add one row per line"));
  }
  return table;
}

absl::StatusOr<std::string> ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat(path, ": cannot open the file: check the path and that it is readable"));
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) return absl::InvalidArgumentError(absl::StrCat(path, ": cannot read the file"));
  return contents.str();
}

}  // namespace grantledger
