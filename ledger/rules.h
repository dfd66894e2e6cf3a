// The domain rules of domain.md, as pure functions with no I/O: (grant state, event) -> new
// grant state or an error that names the field and the fix. The event store calls these for
// every append and every replay, so a replay reproduces exactly what the appends did.
//
// Split like rippled's transactors: CheckEventShape is the stateless check (preflight);
// ApplyEvent checks the event against the state and then mutates it (preclaim + doApply).
#ifndef GRANTLEDGER_LEDGER_RULES_H_
#define GRANTLEDGER_LEDGER_RULES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "grantledger/v1/events.pb.h"
#include "ledger/grant_state.h"
#include "ledger/postings.h"
#include "ledger/seal.h"

namespace grantledger {

// Stateless checks of one event: ids, dates, amounts, required fields, limits.
// InvalidArgument naming the field (e.g. "expense.amount_ore") and what to write instead.
absl::Status CheckEventShape(const v1::Event& event);

// What the store found for a seal being appended, at the record before it (ledger/seal.h).
struct SealFacts {
  uint64_t last_sequence = 0;  // the record before the seal
  std::string last_hash;       // its chain hash
  // The account the seal's year covers as recorded up to last_sequence, or why there is none.
  absl::StatusOr<SealedAccount> account = absl::UnknownError("not computed");
  std::string account_sha256;  // SHA-256 of account->canonical
  // The root of the log's Merkle tree of last_sequence leaves, for a seal that carries a
  // signed checkpoint (filled only then), or why it cannot be had.
  absl::StatusOr<std::string> tree_root = absl::UnknownError("not computed");
};

// What the rules need besides the grant's state.
struct EventContext {
  uint64_t sequence = 0;  // the sequence number the event gets
  // For a reversal: the event it reverses, looked up by the caller (nullptr if none exists).
  const v1::Event* reversal_target = nullptr;
  // A new event being appended, not one replayed from the log or restored from an export.
  // Rules added after events were stored apply only to new ones, so a log written before them
  // still opens, replays and restores (today: an expense's activity line must exist).
  bool appending = false;
  // For a seal being appended: what the store found (nullptr when replaying or restoring: the
  // seal was checked when it was appended, and `grantledger verify-seal` checks it again).
  const SealFacts* seal_facts = nullptr;
};

// Checks `event` against `grant` (nullopt: no grant with the event's grant_id yet) and, if it
// is allowed, applies it. On error `grant` is unchanged.
// REQUIRES: CheckEventShape(event).ok().
absl::Status ApplyEvent(const v1::Event& event, const EventContext& context,
                        std::optional<GrantState>& grant);

// The postings a money event (receipt, allocation, reallocation, expense, repayment) books,
// after checking it against the grant. Errors for the other event kinds.
absl::StatusOr<Postings> MoneyEventPostings(const v1::Event& event, const GrantState& grant);

// An expense on an activity line must name a line the grant has (one that an allocation or a
// reallocation created): FailedPrecondition listing the grant's lines otherwise. An expense
// with neither activity nor division is unassigned spending and always passes.
// REQUIRES: event.has_expense().
absl::Status CheckExpenseLineExists(const v1::Event& event, const GrantState& grant);

// The postings a money event books, without any check (empty for other event kinds). What a
// reversal negates.
Postings PostingsOf(const v1::Event& event);
Postings PostingsOf(v1::Event::BodyCase kind, int64_t amount_ore, const ActivityKey& line,
                    const ActivityKey& to_line);

// The postings of a reversal, after checking that `target` may be reversed now.
absl::StatusOr<Postings> ReversalPostings(const v1::Event& reversal, const v1::Event* target,
                                          const GrantState& grant);

// Terms: registering a grant, amending its terms, recording a condition (rules_grant.cc).
absl::StatusOr<GrantState> RegisterGrant(const v1::Event& event, uint64_t sequence);
absl::Status AmendTerms(const v1::Event& event, GrantState& grant);
absl::Status RecordCondition(const v1::Event& event, uint64_t sequence, GrantState& grant);

// Sealed years (rules_seal.cc). An event dated on or before the end of a sealed period of
// `grant` needs post_close_reason: FailedPrecondition naming the seal otherwise.
absl::Status CheckSealedPeriods(const v1::Event& event, const GrantState& grant);
// A seal: its year not sealed yet, dated after its period, and (when appending) its log point,
// period and account digest equal to what the store found (context.seal_facts).
// REQUIRES: event.has_seal().
absl::Status ApplySeal(const v1::Event& event, const EventContext& context, GrantState& grant);

// A carry-over touches two grants: ApplyEvent books the giving grant's side (the event's
// grant_id); ApplyCarryIn books the receiving grant's side (to_grant_id), where the money
// enters as received. NotFound when the receiving grant is not registered.
// REQUIRES: event.has_carry_over().
absl::Status ApplyCarryIn(const v1::Event& event, const EventContext& context,
                          std::optional<GrantState>& to_grant);
Postings CarryInPostings(int64_t amount_ore);

// The grant ids an event changes: its own, and for a carry-over the receiving grant too.
std::vector<std::string> GrantsTouched(const v1::Event& event);

// The one dispatch of an event onto the grants it books on: its own grant (carry_in false),
// then for a carry-over the receiving grant (carry_in true). Validating a batch, recovery,
// replay and the histories all walk an event this way, so they cannot disagree on it.
// `visit(grant_id, carry_in)` returns an absl::Status; the first error stops the walk.
template <typename Visit>
absl::Status ForEachGrantSide(const v1::Event& event, Visit&& visit) {
  if (absl::Status s = visit(event.grant_id(), false); !s.ok()) return s;
  if (event.has_carry_over()) return visit(event.carry_over().to_grant_id(), true);
  return absl::OkStatus();
}

// The rules for one side of an event: ApplyEvent on its own grant, ApplyCarryIn on a
// carry-over's receiving grant.
absl::Status ApplySide(const v1::Event& event, const EventContext& context, bool carry_in,
                       std::optional<GrantState>& grant);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_RULES_H_
