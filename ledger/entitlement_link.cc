// Expected amounts from a grant's entitlement model; see entitlement_link.h.
#include "ledger/entitlement_link.h"

#include "absl/strings/str_cat.h"
#include "ledger/entitlement_per_unit.h"
#include "ledger/entitlement_population_share.h"
#include "ledger/money.h"
#include "ledger/status_macros.h"

namespace grantledger {
namespace {

// The models count whole kronor; the ledger counts öre.
absl::StatusOr<Ore> OreOfKronor(int64_t kronor, absl::string_view field) {
  std::optional<Ore> out = Ore::CheckedFromKronor(kronor);
  if (!out.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", kronor,
                     " kr is beyond what the ledger can hold; check the unit "
                     "(whole kronor)"));
  }
  return *out;
}

}  // namespace

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
      GL_ASSIGN_OR_RETURN(const Ore pot,
                          OreOfKronor(m.pot_kr(), "entitlement.population_share.pot_kr"));
      for (const RecipientShare& share : *shares) {
        if (share.name != m.recipient()) continue;
        out.model = "population share";
        out.expected_ore = Ore::FromKronor(share.amount_kr);  // at most the pot
        out.basis =
            absl::StrCat(share.name, "'s share (weight ", share.weight, ") of ", FormatKronor(pot),
                         " over ", shares->size(), " recipients, largest remainder");
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
      GL_ASSIGN_OR_RETURN(const Ore before_cap,
                          OreOfKronor(result->total_before_cap_kr, "entitlement.per_unit"));
      out.expected_ore = Ore::FromKronor(result->total_after_cap_kr);  // at most before_cap
      out.basis =
          absl::StrCat(categories.size(), " categories, ", m.exact_units() ? "exact" : "whole",
                       " units above the average, ", FormatKronor(before_cap), " before the cap",
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
