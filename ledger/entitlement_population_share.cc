// Largest-remainder population share; see entitlement_population_share.h.
#include "ledger/entitlement_population_share.h"

#include <algorithm>
#include <numeric>

#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"
#include "ledger/status_macros.h"

namespace grantledger {
namespace {

struct SplitDetail {
  std::vector<int64_t> amounts_kr;
  std::vector<bool> got_remainder_krona;
};

absl::StatusOr<SplitDetail> Split(int64_t pot_kr, absl::Span<const int64_t> weights) {
  if (weights.empty()) {
    return absl::InvalidArgumentError(
        "nothing to split: give at least one recipient with a weight");
  }
  if (pot_kr < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("pot is ", pot_kr, " kr: write a pot of zero or more whole kronor"));
  }
  absl::int128 total_weight = 0;  // n * 2^63 fits for any realistic n
  for (size_t i = 0; i < weights.size(); ++i) {
    if (weights[i] < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "recipient ", i + 1, ": weight is ", weights[i], ": write zero or a positive number"));
    }
    total_weight += weights[i];
  }
  if (total_weight == 0) {
    return absl::InvalidArgumentError(
        "all weights are zero: at least one recipient needs a positive weight");
  }
  const size_t n = weights.size();
  SplitDetail out;
  out.amounts_kr.resize(n);
  out.got_remainder_krona.assign(n, false);
  std::vector<absl::int128> remainder(n);
  int64_t allotted_kr = 0;
  for (size_t i = 0; i < n; ++i) {
    const absl::int128 product = absl::int128(pot_kr) * weights[i];  // <= 2^126
    // quotient <= pot_kr because weights[i] <= total_weight, so it fits in int64.
    out.amounts_kr[i] = static_cast<int64_t>(product / total_weight);
    remainder[i] = product % total_weight;
    allotted_kr += out.amounts_kr[i];  // sum of quotients <= pot_kr: no overflow
  }
  // Sum of remainders = leftover * total_weight and each remainder < total_weight, so more
  // than `leftover` recipients have a positive remainder: zero weights never get a krona.
  const int64_t leftover_kr = pot_kr - allotted_kr;
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (remainder[a] != remainder[b]) return remainder[a] > remainder[b];
    if (weights[a] != weights[b]) return weights[a] > weights[b];
    return a < b;
  });
  for (int64_t k = 0; k < leftover_kr; ++k) {
    out.amounts_kr[order[k]] += 1;
    out.got_remainder_krona[order[k]] = true;
  }
  return out;
}

}  // namespace

absl::StatusOr<std::vector<int64_t>> SplitByLargestRemainder(int64_t pot_kr,
                                                             absl::Span<const int64_t> weights) {
  GL_ASSIGN_OR_RETURN(SplitDetail detail, Split(pot_kr, weights));
  return std::move(detail.amounts_kr);
}

absl::StatusOr<std::vector<RecipientShare>> ComputePopulationShares(
    int64_t pot_kr, const std::vector<WeightedRecipient>& recipients) {
  std::vector<int64_t> weights;
  weights.reserve(recipients.size());
  for (size_t i = 0; i < recipients.size(); ++i) {
    if (recipients[i].weight < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("recipient ", i + 1, " (\"", recipients[i].name, "\"): weight is ",
                       recipients[i].weight, ": write zero or a positive number"));
    }
    weights.push_back(recipients[i].weight);
  }
  GL_ASSIGN_OR_RETURN(SplitDetail detail, Split(pot_kr, weights));
  std::vector<RecipientShare> shares(recipients.size());
  for (size_t i = 0; i < recipients.size(); ++i) {
    shares[i].name = recipients[i].name;
    shares[i].weight = recipients[i].weight;
    shares[i].amount_kr = detail.amounts_kr[i];
    shares[i].got_remainder_krona = detail.got_remainder_krona[i];
  }
  return shares;
}

}  // namespace grantledger
