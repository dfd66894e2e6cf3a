// Balances per grant, activity and division; see balances.h.
#include "ledger/balances.h"

#include <algorithm>
#include <map>

namespace grantledger {

ActivityBalance LineBalance(std::string activity, std::string division, Ore allocated_ore,
                            Ore spent_ore) {
  ActivityBalance line;
  line.activity = std::move(activity);
  line.division = std::move(division);
  line.allocated_ore = allocated_ore;
  line.spent_ore = spent_ore;
  line.remaining_ore = allocated_ore - spent_ore;
  line.overspent_ore = std::max(Ore(0), -line.remaining_ore);
  return line;
}

void CompleteBalance(GrantBalance& b) {
  std::sort(b.activities.begin(), b.activities.end(), ActivityOrder);
  std::map<std::string, DivisionBalance> divisions;
  b.allocated_ore = Ore(0);
  for (const ActivityBalance& line : b.activities) {
    b.allocated_ore += line.allocated_ore;
    DivisionBalance& d = divisions[line.division];
    d.division = line.division;
    d.allocated_ore += line.allocated_ore;
    d.spent_ore += line.spent_ore;
    d.remaining_ore += line.remaining_ore;
    d.overspent_ore += line.overspent_ore;
  }
  b.divisions.clear();
  for (auto& [name, d] : divisions) b.divisions.push_back(std::move(d));
  b.unallocated_ore = b.decided_ore - b.allocated_ore;
  b.remaining_ore = b.received_ore - b.spent_ore - b.repaid_ore - b.carried_out_ore;
  b.overspent_ore = std::max(Ore(0), -b.remaining_ore);
}

GrantBalance BalanceOfGrant(const GrantState& grant) {
  GrantBalance out;
  out.grant_id = grant.grant_id;
  // GrantState keeps int64_t öre: converted here.
  out.decided_ore = Ore(grant.terms.decided_amount_ore);
  out.received_ore = Ore(grant.received_ore());
  out.repaid_ore = Ore(grant.repaid_ore);
  out.carried_in_ore = Ore(grant.carried_in_ore());
  out.carried_out_ore = Ore(grant.carried_out_ore);
  out.unassigned_spent_ore = Ore(grant.unassigned_spent_ore);
  out.spent_ore = Ore(grant.SpentOre());
  for (const auto& [key, accounts] : grant.activities) {
    out.activities.push_back(LineBalance(key.activity, key.division,
                                         Ore(accounts.allocation_ore) + Ore(accounts.spent_ore),
                                         Ore(accounts.spent_ore)));
  }
  CompleteBalance(out);
  return out;
}

bool NaturalLess(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const bool da = a[i] >= '0' && a[i] <= '9';
    const bool db = b[j] >= '0' && b[j] <= '9';
    if (da && db) {
      size_t ei = i, ej = j;
      while (ei < a.size() && a[ei] >= '0' && a[ei] <= '9') ++ei;
      while (ej < b.size() && b[ej] >= '0' && b[ej] <= '9') ++ej;
      // Compare the numbers by length without leading zeros, then digit by digit.
      size_t si = i, sj = j;
      while (si + 1 < ei && a[si] == '0') ++si;
      while (sj + 1 < ej && b[sj] == '0') ++sj;
      if (ei - si != ej - sj) return ei - si < ej - sj;
      for (size_t k = 0; k < ei - si; ++k) {
        if (a[si + k] != b[sj + k]) return a[si + k] < b[sj + k];
      }
      i = ei;
      j = ej;
      continue;
    }
    if (a[i] != b[j]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
    ++i;
    ++j;
  }
  if (a.size() - i != b.size() - j) return a.size() - i < b.size() - j;
  return a < b;  // equal by natural order ("p01" vs "p1"): any consistent tie-break
}

bool ActivityOrder(const ActivityBalance& a, const ActivityBalance& b) {
  if (a.activity != b.activity) return NaturalLess(a.activity, b.activity);
  return a.division < b.division;
}

}  // namespace grantledger
