// A compact, append-only history of one grant's events for two-clock (bitemporal) queries:
// for every event, what it does to the grant's amounts, with its sequence number (when the
// ledger learned it) and its effective date (the day it is about). Pure data, no I/O.
//
// It is kept in two parts, so that its memory does not grow with the grant's history: the
// moves up to compacted_through(), folded together (CompactMoves: one move per distinct
// effective date, booking date, kind and line, which as_of.h reads exactly as the moves
// themselves), and the moves recorded since, in sequence order. The event store folds the
// recent moves in at each checkpoint and keeps both parts of every checkpoint on disk
// (ledger/store/history_store.h), for queries as known at an earlier sequence.
#ifndef GRANTLEDGER_LEDGER_GRANT_HISTORY_H_
#define GRANTLEDGER_LEDGER_GRANT_HISTORY_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/time/civil_time.h"
#include "grantledger/v1/events.pb.h"
#include "ledger/grant_state.h"
#include "ledger/segmented_vector.h"

namespace grantledger {

enum class MoveKind : uint8_t {
  kReceipt,
  kCarryIn,
  kCarryOut,
  kAllocation,
  kReallocation,
  kExpense,
  kRepayment
};

// One money movement. A reversal adds the reversed event's move with the amount negated, on
// the reversal's own effective date; an expense's reversal keeps the original booking date
// for deciding eligibility.
struct Move {
  uint64_t sequence = 0;
  absl::CivilDay effective;
  absl::CivilDay booking;  // expenses: the date that decides eligibility
  int64_t amount_ore = 0;  // signed
  MoveKind kind = MoveKind::kReceipt;
  int32_t line = -1;     // activity line (allocation, expense; a reallocation's source)
  int32_t to_line = -1;  // a reallocation's destination
  int32_t purpose = -1;  // expenses: index into purposes()
  int32_t cost_group = -1;
};

// A registration, amendment or condition record, kept whole: they are few.
struct TermsEvent {
  uint64_t sequence = 0;
  absl::CivilDay effective;
  v1::Event event;
};

// What one event adds to a grant's history, worked out from the event and the history as it
// stood (GrantHistory::Plan), so the event can be released before the history is extended
// (GrantHistory::Apply): the store plans while it validates and applies once the write is
// durable.
struct HistoryAddition {
  std::optional<Move> move;
  // Rare parts, kept out of line so additions stay small: a terms event, and names the
  // history did not know when planned (Apply interns them and fills the move's index).
  struct Rare {
    std::optional<TermsEvent> terms;
    std::optional<ActivityKey> new_line;
    std::optional<ActivityKey> new_to_line;
    std::optional<std::string> new_purpose;
    std::optional<std::string> new_cost_group;
  };
  std::unique_ptr<Rare> rare;
  Rare& MutableRare() {
    if (rare == nullptr) rare = std::make_unique<Rare>();
    return *rare;
  }
};

// Folds moves together: moves that differ only in sequence and amount become one, with the
// amounts summed and the smallest sequence. The result is ordered by that sequence, so that a
// reader meets each (purpose, cost group) first where it would have met it in `moves`, and it
// counts every move for a position whatever the date (as_of.h). Sums that would overflow are
// kept apart. `compacted` must itself be a result of CompactMoves; `moves` follow it.
template <typename Moves>
std::vector<Move> CompactMoves(const std::vector<Move>& compacted, const Moves& moves);

class GrantHistory {
 public:
  // Adds a logged event of this grant, or (`carry_in`) a carry-over into it. `target` is the
  // event a reversal reverses. REQUIRES: the event was accepted by the rules; sequences grow.
  void Add(const v1::Event& event, uint64_t sequence, const v1::Event* target, bool carry_in) {
    Apply(Plan(event, sequence, target, carry_in));
  }
  // Add in two steps. Additions planned against the same history state may be applied in
  // sequence order; names new to both are interned once.
  HistoryAddition Plan(const v1::Event& event, uint64_t sequence, const v1::Event* target,
                       bool carry_in) const;
  void Apply(HistoryAddition addition);

  // The moves recorded after compacted_through(), in sequence order.
  const SegmentedVector<Move>& moves() const { return moves_; }
  // Every move up to compacted_through(), folded (CompactMoves).
  const std::vector<Move>& compacted() const { return compacted_; }
  uint64_t compacted_through() const { return compacted_through_; }
  // Folds every move into the compacted part, as of `through` (the checkpoint's sequence, at
  // or after the last move), and returns the moves it folded in, in sequence order.
  std::vector<Move> Fold(uint64_t through);
  // Opening from a checkpoint: the compacted part as it was written, and the names.
  void Restore(uint64_t compacted_through, std::vector<Move> compacted);
  void RestoreNames(std::vector<ActivityKey> lines, std::vector<std::string> purposes,
                    std::vector<std::string> cost_groups);
  void RestoreTerms(std::vector<TermsEvent> terms) { terms_events_ = std::move(terms); }
  const std::vector<TermsEvent>& terms_events() const { return terms_events_; }
  const std::vector<ActivityKey>& lines() const { return lines_; }
  const std::vector<std::string>& purposes() const { return purposes_; }
  const std::vector<std::string>& cost_groups() const { return cost_groups_; }
  // The sequence of the registration (0 before it is added).
  uint64_t registered_sequence() const {
    return terms_events_.empty() ? 0 : terms_events_.front().sequence;
  }

 private:
  using NameIndex = std::map<std::string, int32_t, std::less<>>;
  // Looks lines up by reference to the event's strings, without copying them.
  struct LineRef {
    const std::string& activity;
    const std::string& division;
  };
  struct LineLess {
    using is_transparent = void;
    bool operator()(const ActivityKey& a, const ActivityKey& b) const { return a < b; }
    bool operator()(const ActivityKey& a, const LineRef& b) const {
      return std::tie(a.activity, a.division) < std::tie(b.activity, b.division);
    }
    bool operator()(const LineRef& a, const ActivityKey& b) const {
      return std::tie(a.activity, a.division) < std::tie(b.activity, b.division);
    }
  };
  // The move an event makes (nullopt for non-money events), with names not yet known left in
  // `addition` for Apply.
  std::optional<Move> MoveOf(const v1::Event& event, uint64_t sequence, bool carry_in,
                             HistoryAddition& addition) const;
  // Known names' indexes; -1 for a new one, which is left in `addition` for Apply.
  int32_t FindLine(const std::string& activity, const std::string& division,
                   HistoryAddition& addition, bool to_line) const;
  static int32_t FindName(const std::string& name, const NameIndex& index,
                          HistoryAddition& addition, bool cost_group);
  int32_t InternLine(ActivityKey key);
  static int32_t InternName(std::string name, std::vector<std::string>& table, NameIndex& index);

  SegmentedVector<Move> moves_;
  std::vector<Move> compacted_;
  uint64_t compacted_through_ = 0;
  std::vector<TermsEvent> terms_events_;
  std::vector<ActivityKey> lines_;
  std::map<ActivityKey, int32_t, LineLess> line_index_;
  std::vector<std::string> purposes_;
  NameIndex purpose_index_;
  std::vector<std::string> cost_groups_;
  NameIndex cost_group_index_;
};

// Whether two moves fold into one (all but sequence and amount equal).
bool SameMoveKey(const Move& a, const Move& b);
// The fold itself, over moves given one by one (CompactMoves).
class MoveFolder {
 public:
  explicit MoveFolder(const std::vector<Move>& compacted);
  void Add(const Move& move);
  std::vector<Move> Finish() &&;

 private:
  std::vector<Move> out_;
  // Per key hash, the indexes in out_ of moves with that hash.
  std::multimap<uint64_t, size_t> index_;
};

template <typename Moves>
std::vector<Move> CompactMoves(const std::vector<Move>& compacted, const Moves& moves) {
  MoveFolder folder(compacted);
  for (const Move& m : moves) folder.Add(m);
  return std::move(folder).Finish();
}

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_GRANT_HISTORY_H_
