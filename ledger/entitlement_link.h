// Links a grant to its entitlement model: the amount the model says the grant should pay,
// from the parameters recorded on the grant (grant_registered / terms_amended .entitlement),
// for `grantledger entitle show` to set beside what was received. Pure functions.
#ifndef GRANTLEDGER_LEDGER_ENTITLEMENT_LINK_H_
#define GRANTLEDGER_LEDGER_ENTITLEMENT_LINK_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "grantledger/v1/events.pb.h"
#include "ledger/ore.h"

namespace grantledger {

struct ExpectedEntitlement {
  std::string model;  // "population share", "per unit above baseline"
  Ore expected_ore;   // what the model pays this grant (whole kronor: the models count kronor)
  std::string basis;  // one line on how, for people
};

// InvalidArgument naming the parameter when the model cannot be computed (no recipients, the
// named recipient missing, no categories, a negative count, an amount beyond what öre can
// hold...).
absl::StatusOr<ExpectedEntitlement> ExpectedAmount(const v1::EntitlementModel& model);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_ENTITLEMENT_LINK_H_
