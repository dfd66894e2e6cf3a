// The compact per-grant history; see grant_history.h.
#include "ledger/grant_history.h"

#include "ledger/civil_date.h"

namespace grantledger {
namespace {
absl::CivilDay DayOf(const v1::Event& event) {
  // Dates were checked when the event was accepted.
  return ParseCivilDay(event.effective_date(), "effective_date").value_or(absl::CivilDay());
}
}  // namespace

int32_t GrantHistory::Intern(const std::string& text, std::vector<std::string>& table,
                             std::map<std::string, int32_t>& index) {
  auto [it, inserted] = index.emplace(text, static_cast<int32_t>(table.size()));
  if (inserted) table.push_back(text);
  return it->second;
}

int32_t GrantHistory::LineIndex(const std::string& activity, const std::string& division) {
  ActivityKey key{activity, division};
  auto [it, inserted] = line_index_.emplace(key, static_cast<int32_t>(lines_.size()));
  if (inserted) lines_.push_back(std::move(key));
  return it->second;
}

std::optional<Move> GrantHistory::MoveOf(const v1::Event& event, uint64_t sequence, bool carry_in) {
  Move move;
  move.sequence = sequence;
  move.effective = DayOf(event);
  move.booking = move.effective;
  switch (event.body_case()) {
    case v1::Event::kReceipt:
      move.kind = MoveKind::kReceipt;
      move.amount_ore = event.receipt().amount_ore();
      return move;
    case v1::Event::kCarryOver:
      move.kind = carry_in ? MoveKind::kCarryIn : MoveKind::kCarryOut;
      move.amount_ore = event.carry_over().amount_ore();
      return move;
    case v1::Event::kAllocation:
      move.kind = MoveKind::kAllocation;
      move.amount_ore = event.allocation().amount_ore();
      move.line = LineIndex(event.allocation().activity(), event.allocation().division());
      return move;
    case v1::Event::kReallocation: {
      const v1::Reallocation& r = event.reallocation();
      move.kind = MoveKind::kReallocation;
      move.amount_ore = r.amount_ore();
      move.line = LineIndex(r.from_activity(), r.from_division());
      move.to_line = LineIndex(r.to_activity(), r.to_division());
      return move;
    }
    case v1::Event::kExpense: {
      const v1::Expense& e = event.expense();
      move.kind = MoveKind::kExpense;
      move.amount_ore = e.amount_ore();
      if (!e.activity().empty()) move.line = LineIndex(e.activity(), e.division());
      move.purpose = Intern(e.purpose(), purposes_, purpose_index_);
      move.cost_group = Intern(e.cost_group(), cost_groups_, cost_group_index_);
      return move;
    }
    case v1::Event::kRepayment:
      move.kind = MoveKind::kRepayment;
      move.amount_ore = event.repayment().amount_ore();
      return move;
    default:
      return std::nullopt;
  }
}

void GrantHistory::Add(const v1::Event& event, uint64_t sequence, const v1::Event* target,
                       bool carry_in) {
  switch (event.body_case()) {
    case v1::Event::kGrantRegistered:
    case v1::Event::kTermsAmended:
    case v1::Event::kConditionRecorded:
      terms_events_.push_back(TermsEvent{sequence, DayOf(event), event});
      return;
    case v1::Event::kReversal: {
      if (target == nullptr) return;
      std::optional<Move> original = MoveOf(*target, sequence, false);
      if (!original) return;
      original->amount_ore = -original->amount_ore;
      original->effective = DayOf(event);  // the correction applies from its own date
      moves_.push_back(*original);         // booking keeps the original's date
      return;
    }
    default: {
      std::optional<Move> move = MoveOf(event, sequence, carry_in);
      if (move) moves_.push_back(*move);
      return;
    }
  }
}

}  // namespace grantledger
