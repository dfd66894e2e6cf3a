// Excel workbooks; see xlsx_writer.h.
#include "cli/xlsx_writer.h"

#include <xlsxwriter.h>

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "cli/table.h"
#include "ledger/civil_date.h"
#include "ledger/money.h"

namespace grantledger {
namespace {

struct Formats {
  lxw_format* bold = nullptr;
  lxw_format* title = nullptr;
  lxw_format* kronor = nullptr;      // whole kronor
  lxw_format* kronor_ore = nullptr;  // with two decimals
  lxw_format* kronor_bold = nullptr;
  lxw_format* kronor_ore_bold = nullptr;
  lxw_format* date = nullptr;
};

constexpr char kKronorFormat[] = "#,##0 \"kr\"";
constexpr char kKronorOreFormat[] = "#,##0.00 \"kr\"";

Formats MakeFormats(lxw_workbook* book) {
  Formats f;
  f.bold = workbook_add_format(book);
  format_set_bold(f.bold);
  f.title = workbook_add_format(book);
  format_set_bold(f.title);
  format_set_font_size(f.title, 14);
  f.kronor = workbook_add_format(book);
  format_set_num_format(f.kronor, kKronorFormat);
  f.kronor_ore = workbook_add_format(book);
  format_set_num_format(f.kronor_ore, kKronorOreFormat);
  f.kronor_bold = workbook_add_format(book);
  format_set_num_format(f.kronor_bold, kKronorFormat);
  format_set_bold(f.kronor_bold);
  f.kronor_ore_bold = workbook_add_format(book);
  format_set_num_format(f.kronor_ore_bold, kKronorOreFormat);
  format_set_bold(f.kronor_ore_bold);
  f.date = workbook_add_format(book);
  format_set_num_format(f.date, "yyyy-mm-dd");
  return f;
}

// What a cell shows, for column widths.
std::string Shown(const SheetCell& c, bool with_ore) {
  switch (c.kind) {
    case SheetCell::Kind::kText:
      return c.text;
    case SheetCell::Kind::kAmount:
      return with_ore && c.number % 100 == 0 ? FormatKronor(c.number) + ",00"
                                             : FormatKronor(c.number);
    case SheetCell::Kind::kDate:
      return FormatCivilDay(c.date);
    case SheetCell::Kind::kCount:
      return absl::StrCat(c.number);
    default:
      return "";
  }
}

class SheetWriter {
 public:
  SheetWriter(lxw_worksheet* ws, const Formats& f, size_t columns)
      : ws_(ws), f_(f), widths_(columns, 0), with_ore_(columns, false) {}

  void NoteOre(const std::vector<SheetRow>& rows) {
    for (const SheetRow& row : rows) {
      for (size_t c = 0; c < row.size() && c < with_ore_.size(); ++c) {
        if (row[c].kind == SheetCell::Kind::kAmount && row[c].number % 100 != 0)
          with_ore_[c] = true;
      }
    }
  }

  void Write(lxw_row_t r, const SheetRow& row, bool bold_all = false, bool fit = true) {
    for (size_t c = 0; c < row.size(); ++c) {
      const SheetCell& cell = row[c];
      const bool bold = bold_all || cell.bold;
      const bool ore = c < with_ore_.size() && with_ore_[c];
      const auto col = static_cast<lxw_col_t>(c);
      switch (cell.kind) {
        case SheetCell::Kind::kText:
          worksheet_write_string(ws_, r, col, cell.text.c_str(), bold ? f_.bold : nullptr);
          break;
        case SheetCell::Kind::kAmount: {
          lxw_format* format = ore ? (bold ? f_.kronor_ore_bold : f_.kronor_ore)
                                   : (bold ? f_.kronor_bold : f_.kronor);
          // Öre / 100 is exact to the öre in a double for every amount the ledger allows.
          worksheet_write_number(ws_, r, col, static_cast<double>(cell.number) / 100.0, format);
          break;
        }
        case SheetCell::Kind::kDate: {
          lxw_datetime when = {
              static_cast<int>(cell.date.year()), cell.date.month(), cell.date.day(), 0, 0, 0.0};
          worksheet_write_datetime(ws_, r, col, &when, f_.date);
          break;
        }
        case SheetCell::Kind::kCount:
          worksheet_write_number(ws_, r, col, static_cast<double>(cell.number),
                                 bold ? f_.bold : nullptr);
          break;
        default:
          break;
      }
      if (fit && c < widths_.size())
        widths_[c] = std::max(widths_[c], DisplayWidth(Shown(cell, ore)));
    }
  }

  void SetWidths() {
    for (size_t c = 0; c < widths_.size(); ++c) {
      const double width = std::min<double>(60, std::max<size_t>(8, widths_[c] + 2));
      worksheet_set_column(ws_, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), width,
                           nullptr);
    }
  }

 private:
  lxw_worksheet* ws_;
  const Formats& f_;
  std::vector<size_t> widths_;
  std::vector<bool> with_ore_;
};

}  // namespace

absl::Status WriteXlsx(const std::vector<Sheet>& sheets, const std::string& path) {
  lxw_workbook* book = workbook_new(path.c_str());
  if (book == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("--out ", path, ": cannot create the workbook; check the directory"));
  }
  const Formats f = MakeFormats(book);
  std::set<std::string> used;  // Excel compares sheet names without case
  for (const Sheet& sheet : sheets) {
    std::string name = SafeSheetName(sheet.name);
    for (int n = 2; used.contains(absl::AsciiStrToLower(name)); ++n) {
      const std::string suffix = absl::StrCat(" (", n, ")");
      name = SafeSheetName(sheet.name.substr(0, 31 - suffix.size())) + suffix;
    }
    used.insert(absl::AsciiStrToLower(name));
    lxw_worksheet* ws = workbook_add_worksheet(book, name.c_str());
    size_t columns = sheet.columns.size();
    for (const auto* part : {&sheet.header_block, &sheet.rows, &sheet.footer}) {
      for (const SheetRow& row : *part) columns = std::max(columns, row.size());
    }
    SheetWriter writer(ws, f, columns);
    writer.NoteOre(sheet.header_block);
    writer.NoteOre(sheet.rows);
    lxw_row_t r = 0;
    for (size_t i = 0; i < sheet.header_block.size(); ++i) {
      // The first cell of the block is the document's title: not counted for widths.
      writer.Write(r++, sheet.header_block[i], /*bold_all=*/false, /*fit=*/i > 0);
    }
    if (!sheet.header_block.empty()) ++r;
    if (!sheet.columns.empty()) {
      SheetRow heading;
      for (const std::string& c : sheet.columns) heading.push_back(SheetCell::Text(c));
      writer.Write(r++, heading, /*bold_all=*/true);
      worksheet_freeze_panes(ws, r, 0);
    }
    for (const SheetRow& row : sheet.rows) writer.Write(r++, row);
    if (!sheet.footer.empty()) ++r;
    for (const SheetRow& row : sheet.footer) writer.Write(r++, row, false, /*fit=*/false);
    writer.SetWidths();
    if (!sheet.header_block.empty() && !sheet.header_block[0].empty() &&
        sheet.header_block[0][0].kind == SheetCell::Kind::kText) {
      worksheet_write_string(ws, 0, 0, sheet.header_block[0][0].text.c_str(), f.title);
    }
  }
  const lxw_error error = workbook_close(book);
  if (error != LXW_NO_ERROR) {
    return absl::InvalidArgumentError(
        absl::StrCat("--out ", path, ": cannot write the workbook (", lxw_strerror(error), ")"));
  }
  return absl::OkStatus();
}

}  // namespace grantledger
