// Sheet names Excel accepts; see report_sheet.h.
#include "cli/report_sheet.h"

namespace grantledger {

std::string SafeSheetName(const std::string& name) {
  std::string out;
  size_t units = 0;  // UTF-16 code units, as Excel counts its 31-character limit
  for (size_t i = 0; i < name.size();) {
    const unsigned char lead = static_cast<unsigned char>(name[i]);
    size_t length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (i + length > name.size()) length = name.size() - i;
    std::string ch = name.substr(i, length);
    i += length;
    if (ch.size() == 1 && std::string("[]:*?/\\").find(ch[0]) != std::string::npos) ch = "-";
    if (ch.size() == 1 && static_cast<unsigned char>(ch[0]) < 0x20) continue;
    const size_t ch_units = length == 4 ? 2 : 1;
    if (units + ch_units > 31) break;
    out += ch;
    units += ch_units;
  }
  while (!out.empty() && out.front() == '\'') out.erase(out.begin());
  while (!out.empty() && out.back() == '\'') out.pop_back();
  return out.empty() ? "Sheet1" : out;
}

}  // namespace grantledger
