// Amounts as spreadsheets and ERPs write them, to integer öre: "1 234,50", "1.234,50",
// "1,234.50", "-12", "1 000 000" with a space, U+00A0 or U+202F between groups of three, or '.'
// between groups when the decimal separator is ','. A number that could be read two ways is
// refused, never guessed: "1 2 3 4" (groups that are not thousands), or "1.234" when it is not
// known whether '.' separates thousands or decimals.
#ifndef GRANTLEDGER_LEDGER_AMOUNT_TEXT_H_
#define GRANTLEDGER_LEDGER_AMOUNT_TEXT_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace grantledger {

enum class DecimalMark {
  kAuto,   // the mark a number shows when only one reading is possible
  kComma,  // ',' is the decimal separator; '.' may separate thousands
  kPoint,  // '.' is the decimal separator; ',' may separate thousands
};

// "auto", "," / "comma", "." / "point". InvalidArgument otherwise.
absl::StatusOr<DecimalMark> ParseDecimalMark(absl::string_view name);

// The amount in öre; at most two decimals; a leading '-' or U+2212 for a negative amount;
// at most 10^12 kr. InvalidArgument says what is wrong and how to write it.
absl::StatusOr<int64_t> ParseAmountText(absl::string_view text, DecimalMark mark);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_AMOUNT_TEXT_H_
