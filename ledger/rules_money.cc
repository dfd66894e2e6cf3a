// Rules for the money events: receipt, allocation, reallocation, expense, repayment. Each
// checks the event against the grant and returns the balanced postings it books.
#include "absl/strings/str_cat.h"
#include "ledger/limits.h"
#include "ledger/money.h"
#include "ledger/rules.h"

namespace grantledger {
namespace {

using absl::StrCat;

Account Grantor() { return {AccountKind::kGrantor, {}}; }
Account Pool() { return {AccountKind::kPool, {}}; }
Account Allocation(const ActivityKey& key) { return {AccountKind::kActivityAllocation, key}; }
Account Spent(const ActivityKey& key) { return {AccountKind::kActivitySpent, key}; }

std::string LineName(const ActivityKey& key) {
  return StrCat("activity ", key.activity, " in division ", key.division);
}

absl::Status CheckNewLine(const GrantState& grant, const ActivityKey& key,
                          absl::string_view field) {
  if (grant.activities.size() >= kMaxActivitiesPerGrant && !grant.activities.contains(key)) {
    return absl::FailedPreconditionError(
        StrCat(field, ": grant ", grant.grant_id, " already has ", kMaxActivitiesPerGrant,
               " activity lines, the limit; book on an existing line"));
  }
  return absl::OkStatus();
}

absl::StatusOr<Postings> AllocationPostings(const v1::Allocation& a, const GrantState& grant) {
  ActivityKey key{a.activity(), a.division()};
  if (absl::Status s = CheckNewLine(grant, key, "allocation.activity"); !s.ok()) return s;
  const int64_t allocated_ore = grant.AllocatedOre();
  const int64_t unallocated_ore = grant.terms.decided_amount_ore - allocated_ore;
  if (a.amount_ore() > unallocated_ore) {
    return absl::FailedPreconditionError(StrCat(
        "allocation.amount_ore: allocating ", FormatKronor(a.amount_ore()), " to ", LineName(key),
        " would exceed the decided amount of ", grant.grant_id, " (",
        FormatKronor(grant.terms.decided_amount_ore), ", of which ", FormatKronor(allocated_ore),
        " is allocated, ", FormatKronor(unallocated_ore),
        " unallocated); allocate at most the unallocated amount or amend the decided amount"));
  }
  return PostingsOf(v1::Event::kAllocation, a.amount_ore(), key, {});
}

absl::StatusOr<Postings> ReallocationPostings(const v1::Reallocation& r, const GrantState& grant) {
  ActivityKey from{r.from_activity(), r.from_division()};
  ActivityKey to{r.to_activity(), r.to_division()};
  if (absl::Status s = CheckNewLine(grant, to, "reallocation.to_activity"); !s.ok()) return s;
  auto it = grant.activities.find(from);
  const int64_t unspent_ore = it == grant.activities.end() ? 0 : it->second.allocation_ore;
  if (r.amount_ore() > unspent_ore) {
    return absl::FailedPreconditionError(
        StrCat("reallocation.amount_ore: ", FormatKronor(r.amount_ore()),
               " is more than the unspent "
               "allocation of ",
               LineName(from), " (", FormatKronor(std::max<int64_t>(unspent_ore, 0)),
               "); move at most the unspent allocation"));
  }
  return PostingsOf(v1::Event::kReallocation, r.amount_ore(), from, to);
}

absl::StatusOr<Postings> ExpensePostings(const v1::Expense& e, const GrantState& grant) {
  ActivityKey key{e.activity(), e.division()};
  if (!e.activity().empty()) {
    if (absl::Status s = CheckNewLine(grant, key, "expense.activity"); !s.ok()) return s;
  }
  // Beyond the allocation is accepted: the cost already happened in the ERP; it shows as
  // overspent (a negative allocation balance).
  // A credit (a refund or correction on the object) books the same postings negated.
  return PostingsOf(v1::Event::kExpense, e.credit() ? -e.amount_ore() : e.amount_ore(), key, {});
}

absl::StatusOr<Postings> CarryOverPostings(const v1::CarryOver& c, const GrantState& grant) {
  const int64_t remaining_ore =
      grant.received_ore() - grant.SpentOre() - grant.repaid_ore - grant.carried_out_ore;
  if (c.amount_ore() > remaining_ore) {
    return absl::FailedPreconditionError(
        StrCat("carry_over.amount_ore: ", FormatKronor(c.amount_ore()),
               " is more than the unused "
               "funds of ",
               grant.grant_id, " (", FormatKronor(std::max<int64_t>(remaining_ore, 0)),
               ": received less spent, repaid and already carried over)"));
  }
  return PostingsOf(v1::Event::kCarryOver, c.amount_ore(), {}, {});
}

absl::StatusOr<Postings> RepaymentPostings(const v1::Repayment& r, const GrantState& grant) {
  const int64_t repayable_ore = grant.received_ore() - grant.repaid_ore - grant.carried_out_ore;
  if (r.amount_ore() > repayable_ore) {
    return absl::FailedPreconditionError(
        StrCat("repayment.amount_ore: ", FormatKronor(r.amount_ore()), " is more than ",
               grant.grant_id, " has received and not yet repaid (received ",
               FormatKronor(grant.received_ore()), ", repaid ", FormatKronor(grant.repaid_ore),
               "); repay at most ", FormatKronor(std::max<int64_t>(repayable_ore, 0))));
  }
  return PostingsOf(v1::Event::kRepayment, r.amount_ore(), {}, {});
}

}  // namespace

absl::Status CheckExpenseLineExists(const v1::Event& event, const GrantState& grant) {
  const v1::Expense& e = event.expense();
  if (e.activity().empty() && e.division().empty()) return absl::OkStatus();  // unassigned
  const ActivityKey key{e.activity(), e.division()};
  if (grant.activities.contains(key)) return absl::OkStatus();
  // The grant's lines, at most kListed of them, as activity/division.
  constexpr size_t kListed = 40;
  std::string lines;
  size_t listed = 0;
  for (const auto& [line, accounts] : grant.activities) {
    if (listed == kListed) {
      absl::StrAppend(&lines, " and ", grant.activities.size() - kListed, " more");
      break;
    }
    absl::StrAppend(&lines, listed == 0 ? "" : ", ", line.activity, "/", line.division);
    ++listed;
  }
  return absl::FailedPreconditionError(
      StrCat("expense.activity: grant ", grant.grant_id, " has no activity line ", e.activity(),
             "/", e.division(), "; ",
             lines.empty() ? std::string("it has no lines yet") : StrCat("its lines are ", lines),
             ". Book the expense on one of them (check the activity code and division for a typo), "
             "allocate to the new line first, or leave activity and division empty for unassigned "
             "spending"));
}

Postings PostingsOf(v1::Event::BodyCase kind, int64_t amount_ore, const ActivityKey& line,
                    const ActivityKey& to_line) {
  const Ore amount(amount_ore);  // the rules keep int64_t; postings carry Ore
  switch (kind) {
    case v1::Event::kReceipt:
      return Transfer(Grantor(), Pool(), amount);
    case v1::Event::kAllocation:
      return Transfer(Pool(), Allocation(line), amount);
    case v1::Event::kReallocation:
      return Transfer(Allocation(line), Allocation(to_line), amount);
    case v1::Event::kExpense:
      if (line.activity.empty()) {
        // Unassigned spending of the grant, paid from the pool.
        return Transfer(Pool(), Account{AccountKind::kUnassignedSpent, {}}, amount);
      }
      return Transfer(Allocation(line), Spent(line), amount);
    case v1::Event::kRepayment:
      return Transfer(Pool(), Account{AccountKind::kRepaid, {}}, amount);
    case v1::Event::kCarryOver:  // the giving grant's side
      return Transfer(Pool(), Account{AccountKind::kCarriedOut, {}}, amount);
    default:
      return {};
  }
}

Postings PostingsOf(const v1::Event& event) {
  switch (event.body_case()) {
    case v1::Event::kReceipt:
      return PostingsOf(event.body_case(), event.receipt().amount_ore(), {}, {});
    case v1::Event::kAllocation:
      return PostingsOf(event.body_case(), event.allocation().amount_ore(),
                        {event.allocation().activity(), event.allocation().division()}, {});
    case v1::Event::kReallocation: {
      const v1::Reallocation& r = event.reallocation();
      return PostingsOf(event.body_case(), r.amount_ore(), {r.from_activity(), r.from_division()},
                        {r.to_activity(), r.to_division()});
    }
    case v1::Event::kExpense:
      return PostingsOf(
          event.body_case(),
          event.expense().credit() ? -event.expense().amount_ore() : event.expense().amount_ore(),
          {event.expense().activity(), event.expense().division()}, {});
    case v1::Event::kRepayment:
      return PostingsOf(event.body_case(), event.repayment().amount_ore(), {}, {});
    case v1::Event::kCarryOver:
      return PostingsOf(event.body_case(), event.carry_over().amount_ore(), {}, {});
    default:
      return {};
  }
}

absl::StatusOr<Postings> MoneyEventPostings(const v1::Event& event, const GrantState& grant) {
  switch (event.body_case()) {
    case v1::Event::kReceipt:
      return PostingsOf(event);
    case v1::Event::kAllocation:
      return AllocationPostings(event.allocation(), grant);
    case v1::Event::kReallocation:
      return ReallocationPostings(event.reallocation(), grant);
    case v1::Event::kExpense:
      return ExpensePostings(event.expense(), grant);
    case v1::Event::kRepayment:
      return RepaymentPostings(event.repayment(), grant);
    case v1::Event::kCarryOver:
      return CarryOverPostings(event.carry_over(), grant);
    default:
      return absl::InvalidArgumentError("body: not a money event");
  }
}

Postings CarryInPostings(int64_t amount_ore) {
  return Transfer(Account{AccountKind::kCarryIn, {}}, Pool(), Ore(amount_ore));
}

}  // namespace grantledger
