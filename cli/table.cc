// Aligned text tables; see table.h.
#include "cli/table.h"

#include <algorithm>

namespace grantledger {

size_t DisplayWidth(const std::string& text) {
  size_t width = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++width;
  }
  return width;
}

Table::Table(std::vector<std::string> header, std::vector<bool> right_aligned)
    : right_aligned_(std::move(right_aligned)) {
  right_aligned_.resize(header.size(), false);
  rows_.push_back(std::move(header));
  rows_.push_back({});
}

void Table::AddRow(std::vector<std::string> cells) {
  cells.resize(right_aligned_.size());
  rows_.push_back(std::move(cells));
}

void Table::AddRule() { rows_.push_back({}); }

void Table::Print(std::ostream& out) const {
  std::vector<size_t> widths(right_aligned_.size(), 0);
  for (const auto& row : rows_) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], DisplayWidth(row[i]));
  }
  size_t total = 0;
  for (size_t w : widths) total += w + 2;
  for (const auto& row : rows_) {
    if (row.empty()) {
      out << std::string(total > 2 ? total - 2 : 0, '-') << '\n';
      continue;
    }
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      const size_t pad = widths[i] - DisplayWidth(row[i]);
      if (right_aligned_[i])
        line += std::string(pad, ' ') + row[i];
      else
        line += row[i] + (i + 1 < row.size() ? std::string(pad, ' ') : "");
      if (i + 1 < row.size()) line += "  ";
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
  }
}

}  // namespace grantledger
