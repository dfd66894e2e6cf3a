// Population share (S2024 vårdplatser, bilaga 2): a pot in whole kronor split over named
// recipients by weight with the largest-remainder method, so the shares sum exactly to the pot.
// Pure functions, exact integer arithmetic (absl::int128 for pot*weight), no I/O.
#ifndef GRANTLEDGER_LEDGER_ENTITLEMENT_POPULATION_SHARE_H_
#define GRANTLEDGER_LEDGER_ENTITLEMENT_POPULATION_SHARE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace grantledger {

// One recipient and its weight (population, or any non-negative whole number).
struct WeightedRecipient {
  std::string name;
  int64_t weight = 0;
};

// One recipient's share of the pot.
struct RecipientShare {
  std::string name;
  int64_t weight = 0;
  int64_t amount_kr = 0;
  // True when the recipient got one extra krona for its fractional remainder.
  bool got_remainder_krona = false;
};

// Splits `pot_kr` over `weights` by the largest-remainder method: each recipient first gets the
// integer part of pot_kr * weight / total_weight; the kronor left over go one each to the largest
// fractional remainders; equal remainders go to the larger weight, then to the earlier position.
// The result has one amount per weight, in input order, and sums exactly to `pot_kr`. A zero
// weight gets 0. Errors (InvalidArgument): no weights, a negative pot, a negative weight, all
// weights zero. Never overflows: products are computed in 128 bits.
absl::StatusOr<std::vector<int64_t>> SplitByLargestRemainder(int64_t pot_kr,
                                                             absl::Span<const int64_t> weights);

// The same split for named recipients; shares come back in input order. Errors name the
// recipient (1-based position and name).
absl::StatusOr<std::vector<RecipientShare>> ComputePopulationShares(
    int64_t pot_kr, const std::vector<WeightedRecipient>& recipients);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_ENTITLEMENT_POPULATION_SHARE_H_
