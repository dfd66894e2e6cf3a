// Writes report sheets as an Excel workbook with libxlsxwriter: amounts as numbers in kronor
// with a krona number format (two decimals in a column where öre are present), dates as Excel
// dates, bold and frozen column headings, column widths that fit the widest cell.
#ifndef GRANTLEDGER_CLI_XLSX_WRITER_H_
#define GRANTLEDGER_CLI_XLSX_WRITER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "cli/report_sheet.h"

namespace grantledger {

// Writes `sheets` (one worksheet each, names made safe and unique) to `path`, replacing it.
// InvalidArgument naming the path when it cannot be written.
absl::Status WriteXlsx(const std::vector<Sheet>& sheets, const std::string& path);

}  // namespace grantledger

#endif  // GRANTLEDGER_CLI_XLSX_WRITER_H_
