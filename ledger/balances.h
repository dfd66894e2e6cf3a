// Balances read off a grant's accounts: per grant, per activity line and per division, in Ore
// (GrantState's int64_t accounts are converted here). Pure functions of GrantState; what the
// queries, the CLI and the tests report.
#ifndef GRANTLEDGER_LEDGER_BALANCES_H_
#define GRANTLEDGER_LEDGER_BALANCES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "ledger/grant_state.h"
#include "ledger/ore.h"

namespace grantledger {

struct ActivityBalance {
  std::string activity;
  std::string division;
  Ore allocated_ore;  // allocations plus reallocations in, minus reallocations out
  Ore spent_ore;
  Ore remaining_ore;  // allocated - spent; negative when overspent
  Ore overspent_ore;  // max(0, spent - allocated)
};

struct DivisionBalance {
  std::string division;
  Ore allocated_ore;
  Ore spent_ore;
  Ore remaining_ore;
  Ore overspent_ore;  // sum of the division's overspent lines
};

struct GrantBalance {
  std::string grant_id;
  Ore decided_ore;
  Ore received_ore;
  Ore allocated_ore;
  Ore unallocated_ore;       // decided - allocated
  Ore spent_ore;             // all spending, with activity or not
  Ore unassigned_spent_ore;  // spending booked with no activity
  Ore repaid_ore;
  Ore carried_in_ore;   // included in received
  Ore carried_out_ore;  // carried over into a later grant
  // received - spent - repaid - carried out; negative = overspent
  Ore remaining_ore;
  Ore overspent_ore;                        // max(0, -remaining)
  std::vector<ActivityBalance> activities;  // in ActivityOrder
  std::vector<DivisionBalance> divisions;   // sorted by division
};

GrantBalance BalanceOfGrant(const GrantState& grant);

// One activity line's balance from what was allocated to it and spent on it.
ActivityBalance LineBalance(std::string activity, std::string division, Ore allocated_ore,
                            Ore spent_ore);
// Given the lines and the grant's decided, received, spent, repaid and carried-out amounts:
// sorts the lines, sums them per division, and sets allocated, unallocated, remaining and
// overspent.
void CompleteBalance(GrantBalance& balance);

// Orders activity codes as people read them: "p2" before "p10", then by division.
bool ActivityOrder(const ActivityBalance& a, const ActivityBalance& b);
// Natural order of text with numbers in it: "p2" < "p10" < "p10a".
bool NaturalLess(const std::string& a, const std::string& b);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_BALANCES_H_
