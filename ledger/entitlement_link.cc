// Expected amounts from a grant's entitlement model; see entitlement_link.h.
#include "ledger/entitlement_link.h"

#include "absl/strings/str_cat.h"
#include "ledger/entitlement_per_unit.h"
#include "ledger/entitlement_population_share.h"
#include "ledger/money.h"
#include "ledger/status_macros.h"

namespace grantledger {

absl::StatusOr<ExpectedEntitlement> ExpectedAmount(const v1::EntitlementModel& model) {
  ExpectedEntitlement out;
  switch (model.model_case()) {
    case v1::EntitlementModel::kPopulationShare: {
      const auto& m = model.population_share();
      std::vector<WeightedRecipient> recipients;
      for (const auto& r : m.recipients())
        recipients.push_back(WeightedRecipient{r.name(), r.weight()});
      auto shares = ComputePopulationShares(m.pot_kr(), recipients);
      if (!shares.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("entitlement.population_share: ", shares.status().message()));
      }
      for (const RecipientShare& share : *shares) {
        if (share.name != m.recipient()) continue;
        out.model = "population share";
        out.expected_kr = share.amount_kr;
        out.basis = absl::StrCat(share.name, "'s share (weight ", share.weight, ") of ",
                                 FormatKronor(m.pot_kr() * 100), " over ", shares->size(),
                                 " recipients, largest remainder");
        return out;
      }
      return absl::InvalidArgumentError(
          absl::StrCat("entitlement.population_share.recipient: \"", m.recipient(),
                       "\" is not among the recipients; name this region as it is listed"));
    }
    case v1::EntitlementModel::kPerUnit: {
      const auto& m = model.per_unit();
      std::vector<UnitCategory> categories;
      for (const auto& c : m.categories()) {
        categories.push_back(
            UnitCategory{c.name(),
                         c.rate_kr(),
                         c.actual_count(),
                         {c.reference_counts().begin(), c.reference_counts().end()}});
      }
      PerUnitTerms terms;
      terms.unit_rule = m.exact_units() ? UnitRule::kExact : UnitRule::kFloor;
      if (m.cap_kr() > 0) terms.cap_kr = m.cap_kr();
      auto result = ComputePerUnitEntitlement(categories, terms);
      if (!result.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("entitlement.per_unit: ", result.status().message()));
      }
      out.model = "per unit above baseline";
      out.expected_kr = result->total_after_cap_kr;
      out.basis = absl::StrCat(categories.size(), " categories, ",
                               m.exact_units() ? "exact" : "whole", " units above the average, ",
                               FormatKronor(result->total_before_cap_kr * 100), " before the cap",
                               result->cap_reached ? " (cap reached)" : "");
      return out;
    }
    case v1::EntitlementModel::MODEL_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError(
      "entitlement: set population_share or per_unit with the model's parameters");
}

}  // namespace grantledger
