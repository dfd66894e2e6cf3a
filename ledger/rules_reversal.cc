// Rules for a reversal (rättelse): cancels an earlier money event of the same grant by booking
// its postings negated. Nothing is updated or deleted; the reversed event stays in the log.
#include "absl/strings/str_cat.h"
#include "ledger/money.h"
#include "ledger/rules.h"

namespace grantledger {
namespace {
using absl::StrCat;

bool IsMoneyEvent(const v1::Event& event) {
  switch (event.body_case()) {
    case v1::Event::kReceipt:
    case v1::Event::kAllocation:
    case v1::Event::kReallocation:
    case v1::Event::kExpense:
    case v1::Event::kRepayment:
      return true;
    default:
      return false;
  }
}

// Unspent allocation of an activity line (0 if the line does not exist).
int64_t UnspentOf(const GrantState& grant, const std::string& activity,
                  const std::string& division) {
  auto it = grant.activities.find(ActivityKey{activity, division});
  return it == grant.activities.end() ? 0 : it->second.allocation_ore;
}
}  // namespace

absl::StatusOr<Postings> ReversalPostings(const v1::Event& reversal, const v1::Event* target,
                                          const GrantState& grant) {
  const uint64_t seq = reversal.reversal().reversed_sequence();
  if (target == nullptr) {
    return absl::NotFoundError(StrCat("reversal.reversed_sequence: no event has sequence ", seq,
                                      "; give the sequence number of an existing event"));
  }
  if (target->grant_id() != grant.grant_id) {
    return absl::FailedPreconditionError(
        StrCat("reversal.reversed_sequence: event ", seq, " belongs to grant ", target->grant_id(),
               ", not ", grant.grant_id, "; post the reversal with grant_id \"", target->grant_id(),
               "\""));
  }
  if (grant.reversed_sequences.contains(seq)) {
    return absl::FailedPreconditionError(StrCat("reversal.reversed_sequence: event ", seq,
                                                " is already reversed; nothing left to cancel"));
  }
  if (!IsMoneyEvent(*target)) {
    return absl::FailedPreconditionError(
        StrCat("reversal.reversed_sequence: event ", seq,
               " is a registration, amendment, condition record, carry-over, reversal or seal and "
               "cannot be "
               "reversed; post terms_amended to change terms, a new condition_recorded to change a "
               "condition, or the original event again (with a new event_id) to undo a reversal"));
  }
  switch (target->body_case()) {
    case v1::Event::kReceipt: {
      const int64_t amount = target->receipt().amount_ore();
      if (grant.received_ore() - amount < grant.repaid_ore) {
        return absl::FailedPreconditionError(
            StrCat("reversal.reversed_sequence: reversing receipt ", seq, " (",
                   FormatKronor(amount), ") would leave less received than already repaid (",
                   FormatKronor(grant.repaid_ore), "); reverse the repayment first"));
      }
      break;
    }
    case v1::Event::kAllocation: {
      const v1::Allocation& a = target->allocation();
      if (UnspentOf(grant, a.activity(), a.division()) < a.amount_ore()) {
        return absl::FailedPreconditionError(StrCat(
            "reversal.reversed_sequence: allocation ", seq, " (", FormatKronor(a.amount_ore()),
            ") has been spent or moved from activity ", a.activity(), " in ", a.division(),
            "; reverse those expenses or reallocations first, or reallocate instead"));
      }
      break;
    }
    case v1::Event::kReallocation: {
      const v1::Reallocation& r = target->reallocation();
      if (UnspentOf(grant, r.to_activity(), r.to_division()) < r.amount_ore()) {
        return absl::FailedPreconditionError(
            StrCat("reversal.reversed_sequence: the money reallocation ", seq,
                   " moved to activity ", r.to_activity(), " in ", r.to_division(),
                   " has been spent or moved on; reverse those first"));
      }
      break;
    }
    default:
      break;  // expenses and repayments can always be cancelled
  }
  return Negated(PostingsOf(*target));
}

}  // namespace grantledger
