// Double-entry postings: every event becomes a set of signed amounts on a grant's accounts
// that sums to zero. The rules compute postings (without touching state); ApplyPostings books
// them. Reversals book the negated postings of the event they cancel.
#ifndef GRANTLEDGER_LEDGER_POSTINGS_H_
#define GRANTLEDGER_LEDGER_POSTINGS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "ledger/grant_state.h"

namespace grantledger {

enum class AccountKind {
  kGrantor,
  kCarryIn,
  kCarriedOut,
  kPool,
  kActivityAllocation,
  kActivitySpent,
  kUnassignedSpent,
  kRepaid
};

struct Account {
  AccountKind kind;
  ActivityKey activity;  // only for the two activity kinds
};

// One signed amount on one account: debit positive, credit negative.
struct Posting {
  Account account;
  int64_t amount_ore;
};

using Postings = std::vector<Posting>;

// Two postings moving `amount_ore` from `from` (credited) to `to` (debited).
Postings Transfer(Account from, Account to, int64_t amount_ore);

// The same postings with every amount negated: what a reversal books.
Postings Negated(const Postings& postings);

// Sum of the amounts; zero for every set the rules produce.
int64_t SumOf(const Postings& postings);

// Books the postings on the grant's accounts.
// REQUIRES: SumOf(postings) == 0 and no balance overflows (the rules check amounts first).
void ApplyPostings(const Postings& postings, GrantState& grant);

// The balance an account has in `grant` (0 for an activity line that does not exist).
int64_t BalanceOf(const GrantState& grant, const Account& account);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_POSTINGS_H_
