// The compact per-grant history; see grant_history.h.
#include "ledger/grant_history.h"

#include <algorithm>

#include "absl/hash/hash.h"
#include "ledger/civil_date.h"

namespace grantledger {
namespace {
absl::CivilDay DayOf(const v1::Event& event) {
  // Dates were checked when the event was accepted.
  return ParseCivilDay(event.effective_date(), "effective_date").value_or(absl::CivilDay());
}
}  // namespace

int32_t GrantHistory::FindLine(const std::string& activity, const std::string& division,
                               HistoryAddition& addition, bool to_line) const {
  auto it = line_index_.find(LineRef{activity, division});
  if (it != line_index_.end()) return it->second;
  HistoryAddition::Rare& rare = addition.MutableRare();
  (to_line ? rare.new_to_line : rare.new_line) = ActivityKey{activity, division};
  return -1;
}

int32_t GrantHistory::FindName(const std::string& name, const NameIndex& index,
                               HistoryAddition& addition, bool cost_group) {
  auto it = index.find(name);
  if (it != index.end()) return it->second;
  HistoryAddition::Rare& rare = addition.MutableRare();
  (cost_group ? rare.new_cost_group : rare.new_purpose) = name;
  return -1;
}

int32_t GrantHistory::InternLine(ActivityKey key) {
  auto it = line_index_.find(key);
  if (it != line_index_.end()) return it->second;
  const auto index = static_cast<int32_t>(lines_.size());
  line_index_.emplace(key, index);
  lines_.push_back(std::move(key));
  return index;
}

int32_t GrantHistory::InternName(std::string name, std::vector<std::string>& table,
                                 NameIndex& index) {
  auto it = index.find(name);
  if (it != index.end()) return it->second;
  const auto position = static_cast<int32_t>(table.size());
  index.emplace(name, position);
  table.push_back(std::move(name));
  return position;
}

std::optional<Move> GrantHistory::MoveOf(const v1::Event& event, uint64_t sequence, bool carry_in,
                                         HistoryAddition& addition) const {
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
      move.line =
          FindLine(event.allocation().activity(), event.allocation().division(), addition, false);
      return move;
    case v1::Event::kReallocation: {
      const v1::Reallocation& r = event.reallocation();
      move.kind = MoveKind::kReallocation;
      move.amount_ore = r.amount_ore();
      move.line = FindLine(r.from_activity(), r.from_division(), addition, false);
      move.to_line = FindLine(r.to_activity(), r.to_division(), addition, true);
      return move;
    }
    case v1::Event::kExpense: {
      const v1::Expense& e = event.expense();
      move.kind = MoveKind::kExpense;
      // A credit lowers spending: the move carries it negative (see ExpenseSignedOre).
      move.amount_ore = e.credit() ? -e.amount_ore() : e.amount_ore();
      if (!e.activity().empty()) move.line = FindLine(e.activity(), e.division(), addition, false);
      move.purpose = FindName(e.purpose(), purpose_index_, addition, false);
      move.cost_group = FindName(e.cost_group(), cost_group_index_, addition, true);
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

HistoryAddition GrantHistory::Plan(const v1::Event& event, uint64_t sequence,
                                   const v1::Event* target, bool carry_in) const {
  HistoryAddition addition;
  switch (event.body_case()) {
    case v1::Event::kGrantRegistered:
    case v1::Event::kTermsAmended:
    case v1::Event::kConditionRecorded:
      addition.MutableRare().terms = TermsEvent{sequence, DayOf(event), event};
      break;
    case v1::Event::kReversal:
      if (target == nullptr) break;
      addition.move = MoveOf(*target, sequence, false, addition);
      if (addition.move) {
        addition.move->amount_ore = -addition.move->amount_ore;
        addition.move->effective = DayOf(event);  // the correction applies from its own date
      }                                           // booking keeps the original's date
      break;
    default:
      addition.move = MoveOf(event, sequence, carry_in, addition);
      break;
  }
  return addition;
}

void GrantHistory::Apply(HistoryAddition addition) {
  if (addition.rare != nullptr) {
    HistoryAddition::Rare& rare = *addition.rare;
    if (rare.terms) terms_events_.push_back(std::move(*rare.terms));
    if (addition.move) {
      Move& move = *addition.move;
      if (rare.new_line) move.line = InternLine(std::move(*rare.new_line));
      if (rare.new_to_line) move.to_line = InternLine(std::move(*rare.new_to_line));
      if (rare.new_purpose) {
        move.purpose = InternName(std::move(*rare.new_purpose), purposes_, purpose_index_);
      }
      if (rare.new_cost_group) {
        move.cost_group =
            InternName(std::move(*rare.new_cost_group), cost_groups_, cost_group_index_);
      }
    }
  }
  if (addition.move) moves_.push_back(*addition.move);
}

std::vector<Move> GrantHistory::Fold(uint64_t through) {
  std::vector<Move> folded(moves_.begin(), moves_.end());
  compacted_ = CompactMoves(compacted_, folded);
  compacted_through_ = std::max(compacted_through_, through);
  moves_ = SegmentedVector<Move>();
  return folded;
}

void GrantHistory::Restore(uint64_t compacted_through, std::vector<Move> compacted) {
  compacted_through_ = compacted_through;
  compacted_ = std::move(compacted);
  moves_ = SegmentedVector<Move>();
}

void GrantHistory::RestoreNames(std::vector<ActivityKey> lines, std::vector<std::string> purposes,
                                std::vector<std::string> cost_groups) {
  lines_.clear();
  line_index_.clear();
  for (ActivityKey& key : lines) InternLine(std::move(key));
  purposes_.clear();
  purpose_index_.clear();
  for (std::string& name : purposes) InternName(std::move(name), purposes_, purpose_index_);
  cost_groups_.clear();
  cost_group_index_.clear();
  for (std::string& name : cost_groups) {
    InternName(std::move(name), cost_groups_, cost_group_index_);
  }
}

namespace {
auto KeyOf(const Move& m) {
  return std::make_tuple(m.effective, m.booking, static_cast<int>(m.kind), m.line, m.to_line,
                         m.purpose, m.cost_group);
}
}  // namespace

bool SameMoveKey(const Move& a, const Move& b) { return KeyOf(a) == KeyOf(b); }

MoveFolder::MoveFolder(const std::vector<Move>& compacted) : out_(compacted) {
  for (size_t i = 0; i < out_.size(); ++i) index_.emplace(absl::HashOf(KeyOf(out_[i])), i);
}

void MoveFolder::Add(const Move& move) {
  const uint64_t hash = absl::HashOf(KeyOf(move));
  auto [begin, end] = index_.equal_range(hash);
  for (auto it = begin; it != end; ++it) {
    Move& into = out_[it->second];
    if (!SameMoveKey(into, move)) continue;
    int64_t sum = 0;
    if (__builtin_add_overflow(into.amount_ore, move.amount_ore, &sum)) continue;
    into.amount_ore = sum;
    into.sequence = std::min(into.sequence, move.sequence);
    return;
  }
  index_.emplace(hash, out_.size());
  out_.push_back(move);
}

std::vector<Move> MoveFolder::Finish() && {
  std::stable_sort(out_.begin(), out_.end(),
                   [](const Move& a, const Move& b) { return a.sequence < b.sequence; });
  return std::move(out_);
}

}  // namespace grantledger
