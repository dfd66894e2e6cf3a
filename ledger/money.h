// Money in integer öre (1 kr = 100 öre): parsing and Swedish formatting, with overflow checks.
// Never floating point. Used by the domain rules, the CLI and the entitlement models.
#ifndef GRANTLEDGER_LEDGER_MONEY_H_
#define GRANTLEDGER_LEDGER_MONEY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/ore.h"

namespace grantledger {

// The largest amount a single event may carry: 10^12 kr. Sums of amounts are overflow-checked.
inline constexpr int64_t kMaxEventAmountOre = 100'000'000'000'000;

// Returns a + b, or nullopt when the sum does not fit in int64.
std::optional<int64_t> CheckedAdd(int64_t a, int64_t b);
// Returns a - b, or nullopt when the difference does not fit in int64.
std::optional<int64_t> CheckedSub(int64_t a, int64_t b);

// "147 463 000 kr", "12 345,50 kr", "-3 000 kr": Swedish grouping with spaces, öre as ",NN"
// only when non-zero. With `with_unit` false the " kr" suffix is left out.
std::string FormatKronor(int64_t amount_ore, bool with_unit = true);
std::string FormatKronor(Ore amount, bool with_unit = true);

// Parses a kronor amount as written by people and ERP exports: "1 234,50", "1234.5", "-12",
// "147 463 000". At most two decimals; one decimal separator (',' or '.'); spaces (also
// non-breaking) as thousands separators. Returns öre. InvalidArgument says what is wrong.
absl::StatusOr<int64_t> ParseKronor(absl::string_view text);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_MONEY_H_
