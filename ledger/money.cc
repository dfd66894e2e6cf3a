// Money parsing and formatting; see money.h.
#include "ledger/money.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace grantledger {

std::optional<int64_t> CheckedAdd(int64_t a, int64_t b) {
  int64_t out;
  if (__builtin_add_overflow(a, b, &out)) return std::nullopt;
  return out;
}

std::optional<int64_t> CheckedSub(int64_t a, int64_t b) {
  int64_t out;
  if (__builtin_sub_overflow(a, b, &out)) return std::nullopt;
  return out;
}

std::string FormatKronor(int64_t amount_ore, bool with_unit) {
  const bool negative = amount_ore < 0;
  // Work in unsigned to format INT64_MIN safely.
  uint64_t magnitude =
      negative ? 0 - static_cast<uint64_t>(amount_ore) : static_cast<uint64_t>(amount_ore);
  uint64_t kronor = magnitude / 100;
  uint64_t ore = magnitude % 100;
  std::string digits = std::to_string(kronor);
  std::string grouped;
  grouped.reserve(digits.size() + digits.size() / 3 + 8);
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped.push_back(' ');
    grouped.push_back(digits[i]);
  }
  std::string out = negative ? "-" : "";
  out += grouped;
  if (ore != 0) {
    out += ',';
    if (ore < 10) out += '0';
    out += std::to_string(ore);
  }
  if (with_unit) out += " kr";
  return out;
}

std::string FormatKronor(Ore amount, bool with_unit) {
  return FormatKronor(amount.value(), with_unit);
}

absl::StatusOr<int64_t> ParseKronor(absl::string_view text) {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("amount \"", text, "\" ", why,
                     ": write kronor like 1234,50 or 1 234.50 (at most two decimals)"));
  };
  size_t i = 0;
  // Trim ASCII spaces at both ends.
  size_t end = text.size();
  while (i < end && (text[i] == ' ' || text[i] == '\t')) ++i;
  while (end > i && (text[end - 1] == ' ' || text[end - 1] == '\t')) --end;
  if (i == end) return bad("is empty");
  bool negative = false;
  if (text[i] == '-' || text[i] == '+') {
    negative = text[i] == '-';
    ++i;
  }
  uint64_t kronor = 0;
  int kronor_digits = 0;
  int decimals = -1;  // -1: no separator seen yet
  uint64_t ore = 0;
  while (i < end) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= '0' && c <= '9') {
      if (decimals >= 0) {
        if (decimals == 2) return bad("has more than two decimals");
        ore = ore * 10 + (c - '0');
        ++decimals;
      } else {
        if (kronor > 10'000'000'000'000ULL) return bad("is too large");
        kronor = kronor * 10 + (c - '0');
        ++kronor_digits;
      }
      ++i;
    } else if (c == ',' || c == '.') {
      if (decimals >= 0) return bad("has more than one decimal separator");
      if (kronor_digits == 0) return bad("has no kronor before the decimal separator");
      decimals = 0;
      ++i;
    } else if (c == ' ' && decimals < 0 && kronor_digits > 0) {
      ++i;  // thousands separator
    } else if (c == 0xC2 && i + 1 < end && static_cast<unsigned char>(text[i + 1]) == 0xA0 &&
               decimals < 0 && kronor_digits > 0) {
      i += 2;  // UTF-8 non-breaking space as thousands separator
    } else {
      return bad(absl::StrCat("has an unexpected character at position ", i + 1));
    }
  }
  if (kronor_digits == 0) return bad("has no digits");
  if (decimals == 0) return bad("ends with a decimal separator");
  if (decimals == 1) ore *= 10;
  uint64_t total = kronor * 100 + ore;
  if (total > static_cast<uint64_t>(kMaxEventAmountOre)) return bad("is too large");
  int64_t value = static_cast<int64_t>(total);
  return negative ? -value : value;
}

}  // namespace grantledger
