// Double-entry postings; see postings.h.
#include "ledger/postings.h"

#include <cassert>
#include <cstdlib>

namespace grantledger {

Postings Transfer(Account from, Account to, Ore amount) {
  return {Posting{std::move(from), -amount}, Posting{std::move(to), amount}};
}

Postings Negated(const Postings& postings) {
  Postings out = postings;
  for (Posting& p : out) p.amount_ore = -p.amount_ore;
  return out;
}

Ore SumOf(const Postings& postings) {
  Ore sum;
  for (const Posting& p : postings) sum += p.amount_ore;
  return sum;
}

namespace {
int64_t* Slot(GrantState& grant, const Account& account) {
  switch (account.kind) {
    case AccountKind::kGrantor:
      return &grant.grantor_ore;
    case AccountKind::kCarryIn:
      return &grant.carry_in_ore;
    case AccountKind::kCarriedOut:
      return &grant.carried_out_ore;
    case AccountKind::kPool:
      return &grant.pool_ore;
    case AccountKind::kUnassignedSpent:
      return &grant.unassigned_spent_ore;
    case AccountKind::kRepaid:
      return &grant.repaid_ore;
    case AccountKind::kActivityAllocation:
      return &grant.activities[account.activity].allocation_ore;
    case AccountKind::kActivitySpent:
      return &grant.activities[account.activity].spent_ore;
  }
  std::abort();
}
}  // namespace

void ApplyPostings(const Postings& postings, GrantState& grant) {
  assert(SumOf(postings) == Ore(0));
  for (const Posting& p : postings) {
    int64_t* slot = Slot(grant, p.account);
    *slot = (Ore(*slot) + p.amount_ore).value();
  }
}

namespace {
int64_t BalanceSlot(const GrantState& grant, const Account& account) {
  switch (account.kind) {
    case AccountKind::kGrantor:
      return grant.grantor_ore;
    case AccountKind::kCarryIn:
      return grant.carry_in_ore;
    case AccountKind::kCarriedOut:
      return grant.carried_out_ore;
    case AccountKind::kPool:
      return grant.pool_ore;
    case AccountKind::kUnassignedSpent:
      return grant.unassigned_spent_ore;
    case AccountKind::kRepaid:
      return grant.repaid_ore;
    case AccountKind::kActivityAllocation:
    case AccountKind::kActivitySpent: {
      auto it = grant.activities.find(account.activity);
      if (it == grant.activities.end()) return 0;
      return account.kind == AccountKind::kActivityAllocation ? it->second.allocation_ore
                                                              : it->second.spent_ore;
    }
  }
  std::abort();
}
}  // namespace

Ore BalanceOf(const GrantState& grant, const Account& account) {
  return Ore(BalanceSlot(grant, account));
}

int64_t GrantState::TrialBalance() const {
  int64_t sum =
      grantor_ore + carry_in_ore + carried_out_ore + pool_ore + unassigned_spent_ore + repaid_ore;
  for (const auto& [key, accounts] : activities)
    sum += accounts.allocation_ore + accounts.spent_ore;
  return sum;
}

int64_t GrantState::AllocatedOre() const {
  int64_t sum = 0;
  for (const auto& [key, accounts] : activities)
    sum += accounts.allocation_ore + accounts.spent_ore;
  return sum;
}

int64_t GrantState::SpentOre() const {
  int64_t sum = unassigned_spent_ore;
  for (const auto& [key, accounts] : activities) sum += accounts.spent_ore;
  return sum;
}

}  // namespace grantledger
