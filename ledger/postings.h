// Double-entry postings: every event becomes a set of signed amounts on a grant's accounts
// that sums to zero. The rules compute postings (without touching state); ApplyPostings books
// them. Reversals book the negated postings of the event they cancel.
#ifndef GRANTLEDGER_LEDGER_POSTINGS_H_
#define GRANTLEDGER_LEDGER_POSTINGS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "ledger/grant_state.h"
#include "ledger/ore.h"

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
  Ore amount_ore;
};

using Postings = std::vector<Posting>;

// Two postings moving `amount_ore` from `from` (credited) to `to` (debited).
Postings Transfer(Account from, Account to, Ore amount);

// The same postings with every amount negated: what a reversal books.
Postings Negated(const Postings& postings);

// Sum of the amounts; zero for every set the rules produce. REQUIRES: no partial sum
// overflows (aborts otherwise; the rules bound every amount).
Ore SumOf(const Postings& postings);

// Books the postings on the grant's accounts (GrantState keeps int64_t öre).
// REQUIRES: SumOf(postings) == 0 and no balance overflows (the rules check amounts first;
// an overflow aborts).
void ApplyPostings(const Postings& postings, GrantState& grant);

// The balance an account has in `grant` (0 for an activity line that does not exist).
Ore BalanceOf(const GrantState& grant, const Account& account);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_POSTINGS_H_
