// Balances per grant, activity and division; see balances.h.
#include "ledger/balances.h"

#include <algorithm>
#include <map>

namespace grantledger {

GrantBalance BalanceOfGrant(const GrantState& grant) {
  GrantBalance out;
  out.grant_id = grant.grant_id;
  out.decided_ore = grant.terms.decided_amount_ore;
  out.received_ore = grant.received_ore();
  out.repaid_ore = grant.repaid_ore;
  out.unassigned_spent_ore = grant.unassigned_spent_ore;
  out.spent_ore = grant.unassigned_spent_ore;
  std::map<std::string, DivisionBalance> divisions;
  for (const auto& [key, accounts] : grant.activities) {
    ActivityBalance line;
    line.activity = key.activity;
    line.division = key.division;
    line.spent_ore = accounts.spent_ore;
    line.allocated_ore = accounts.allocation_ore + accounts.spent_ore;
    line.remaining_ore = accounts.allocation_ore;
    line.overspent_ore = std::max<int64_t>(0, -accounts.allocation_ore);
    out.allocated_ore += line.allocated_ore;
    out.spent_ore += line.spent_ore;
    DivisionBalance& d = divisions[key.division];
    d.division = key.division;
    d.allocated_ore += line.allocated_ore;
    d.spent_ore += line.spent_ore;
    d.remaining_ore += line.remaining_ore;
    d.overspent_ore += line.overspent_ore;
    out.activities.push_back(std::move(line));
  }
  for (auto& [name, d] : divisions) out.divisions.push_back(std::move(d));
  out.unallocated_ore = out.decided_ore - out.allocated_ore;
  out.carried_in_ore = grant.carried_in_ore();
  out.carried_out_ore = grant.carried_out_ore;
  out.remaining_ore = out.received_ore - out.spent_ore - out.repaid_ore - out.carried_out_ore;
  out.overspent_ore = std::max<int64_t>(0, -out.remaining_ore);
  return out;
}

}  // namespace grantledger
