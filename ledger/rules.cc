// ApplyEvent: dispatches an event to its rule and books the result on the grant.
#include "ledger/rules.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "ledger/limits.h"
#include "ledger/money.h"
#include "ledger/status_macros.h"

namespace grantledger {
namespace {

// Every account stays within ±kMaxBalanceOre, so sums over a grant never overflow.
absl::Status CheckBalancesStayInRange(const Postings& postings, const GrantState& grant) {
  for (const Posting& p : postings) {
    std::optional<Ore> next = CheckedAdd(BalanceOf(grant, p.account), p.amount_ore);
    if (!next || *next > Ore(kMaxBalanceOre) || *next < Ore(-kMaxBalanceOre)) {
      return absl::InvalidArgumentError(
          absl::StrCat("amount: booking it would take an account of ", grant.grant_id,
                       " beyond the ledger's limit of ", FormatKronor(kMaxBalanceOre),
                       "; check the amount's unit (öre, not kronor)"));
    }
  }
  return absl::OkStatus();
}

void CountEvent(uint64_t sequence, GrantState& grant) {
  grant.last_sequence = sequence;
  ++grant.event_count;
}

}  // namespace

absl::Status ApplyEvent(const v1::Event& event, const EventContext& context,
                        std::optional<GrantState>& grant) {
  if (event.has_grant_registered()) {
    if (grant.has_value()) {
      return absl::AlreadyExistsError(
          absl::StrCat("grant_id: grant ", event.grant_id(), " is already registered (sequence ",
                       grant->registered_sequence, "); to change its terms post terms_amended"));
    }
    GL_ASSIGN_OR_RETURN(GrantState registered, RegisterGrant(event, context.sequence));
    grant = std::move(registered);
    CountEvent(context.sequence, *grant);
    return absl::OkStatus();
  }
  if (!grant.has_value()) {
    return absl::NotFoundError(absl::StrCat("grant_id: grant ", event.grant_id(),
                                            " is not registered; post grant_registered for it "
                                            "first, or check the diary number"));
  }
  GL_RETURN_IF_ERROR(CheckSealedPeriods(event, *grant));
  Postings postings;
  switch (event.body_case()) {
    case v1::Event::kSeal:
      GL_RETURN_IF_ERROR(ApplySeal(event, context, *grant));
      CountEvent(context.sequence, *grant);
      return absl::OkStatus();
    case v1::Event::kTermsAmended:
      GL_RETURN_IF_ERROR(AmendTerms(event, *grant));
      CountEvent(context.sequence, *grant);
      return absl::OkStatus();
    case v1::Event::kConditionRecorded:
      GL_RETURN_IF_ERROR(RecordCondition(event, context.sequence, *grant));
      CountEvent(context.sequence, *grant);
      return absl::OkStatus();
    case v1::Event::kReversal: {
      GL_ASSIGN_OR_RETURN(postings, ReversalPostings(event, context.reversal_target, *grant));
      break;
    }
    default: {
      if (context.appending && event.has_expense()) {
        GL_RETURN_IF_ERROR(CheckExpenseLineExists(event, *grant));
      }
      GL_ASSIGN_OR_RETURN(postings, MoneyEventPostings(event, *grant));
      break;
    }
  }
  if (SumOf(postings) != Ore(0)) std::abort();  // a rule produced unbalanced postings: a bug
  GL_RETURN_IF_ERROR(CheckBalancesStayInRange(postings, *grant));
  ApplyPostings(postings, *grant);
  if (event.has_reversal()) grant->reversed_sequences.insert(event.reversal().reversed_sequence());
  CountEvent(context.sequence, *grant);
  return absl::OkStatus();
}

absl::Status ApplyCarryIn(const v1::Event& event, const EventContext& context,
                          std::optional<GrantState>& to_grant) {
  const v1::CarryOver& c = event.carry_over();
  if (!to_grant.has_value()) {
    return absl::NotFoundError(absl::StrCat("carry_over.to_grant_id: grant ", c.to_grant_id(),
                                            " is not registered; register the later grant first"));
  }
  GL_RETURN_IF_ERROR(CheckSealedPeriods(event, *to_grant));
  Postings postings = CarryInPostings(c.amount_ore());
  GL_RETURN_IF_ERROR(CheckBalancesStayInRange(postings, *to_grant));
  ApplyPostings(postings, *to_grant);
  CountEvent(context.sequence, *to_grant);
  return absl::OkStatus();
}

std::vector<std::string> GrantsTouched(const v1::Event& event) {
  if (event.has_carry_over()) return {event.grant_id(), event.carry_over().to_grant_id()};
  return {event.grant_id()};
}

absl::Status ApplySide(const v1::Event& event, const EventContext& context, bool carry_in,
                       std::optional<GrantState>& grant) {
  return carry_in ? ApplyCarryIn(event, context, grant) : ApplyEvent(event, context, grant);
}

}  // namespace grantledger
