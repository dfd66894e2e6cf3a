// Grouped counts; see format_count.h.
#include "cli/format_count.h"

#include "absl/strings/str_cat.h"
#include "cli/messages.h"

namespace grantledger {

std::string GroupDigits(uint64_t n) {
  const std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ' ';
    out += digits[i];
  }
  return out;
}

std::string CountOf(uint64_t n, const char* singular, const char* plural) {
  return absl::StrCat(GroupDigits(n), " ", Tr(n == 1 ? singular : plural));
}

}  // namespace grantledger
