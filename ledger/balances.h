// Balances read off a grant's accounts: per grant, per activity line and per division.
// Pure functions of GrantState; what the queries, the CLI and the tests report.
#ifndef GRANTLEDGER_LEDGER_BALANCES_H_
#define GRANTLEDGER_LEDGER_BALANCES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "ledger/grant_state.h"

namespace grantledger {

struct ActivityBalance {
  std::string activity;
  std::string division;
  int64_t allocated_ore = 0;  // allocations plus reallocations in, minus reallocations out
  int64_t spent_ore = 0;
  int64_t remaining_ore = 0;  // allocated - spent; negative when overspent
  int64_t overspent_ore = 0;  // max(0, spent - allocated)
};

struct DivisionBalance {
  std::string division;
  int64_t allocated_ore = 0;
  int64_t spent_ore = 0;
  int64_t remaining_ore = 0;
  int64_t overspent_ore = 0;  // sum of the division's overspent lines
};

struct GrantBalance {
  std::string grant_id;
  int64_t decided_ore = 0;
  int64_t received_ore = 0;
  int64_t allocated_ore = 0;
  int64_t unallocated_ore = 0;       // decided - allocated
  int64_t spent_ore = 0;             // all spending, with activity or not
  int64_t unassigned_spent_ore = 0;  // spending booked with no activity
  int64_t repaid_ore = 0;
  int64_t carried_in_ore = 0;   // included in received
  int64_t carried_out_ore = 0;  // carried over into a later grant
  // received - spent - repaid - carried out; negative = overspent
  int64_t remaining_ore = 0;
  int64_t overspent_ore = 0;                // max(0, -remaining)
  std::vector<ActivityBalance> activities;  // in ActivityOrder
  std::vector<DivisionBalance> divisions;   // sorted by division
};

GrantBalance BalanceOfGrant(const GrantState& grant);

// One activity line's balance from what was allocated to it and spent on it.
ActivityBalance LineBalance(std::string activity, std::string division, int64_t allocated_ore,
                            int64_t spent_ore);
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
