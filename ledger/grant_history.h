// A compact, append-only history of one grant's events for two-clock (bitemporal) queries:
// for every event, what it does to the grant's amounts, with its sequence number (when the
// ledger learned it) and its effective date (the day it is about). Pure data, no I/O: the
// event store keeps one per grant in memory and as_of.h reads positions off it.
#ifndef GRANTLEDGER_LEDGER_GRANT_HISTORY_H_
#define GRANTLEDGER_LEDGER_GRANT_HISTORY_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "grantledger/v1/events.pb.h"
#include "ledger/grant_state.h"

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

class GrantHistory {
 public:
  // Adds a logged event of this grant, or (`carry_in`) a carry-over into it. `target` is the
  // event a reversal reverses. REQUIRES: the event was accepted by the rules; sequences grow.
  void Add(const v1::Event& event, uint64_t sequence, const v1::Event* target, bool carry_in);

  const std::vector<Move>& moves() const { return moves_; }
  const std::vector<TermsEvent>& terms_events() const { return terms_events_; }
  const std::vector<ActivityKey>& lines() const { return lines_; }
  const std::vector<std::string>& purposes() const { return purposes_; }
  const std::vector<std::string>& cost_groups() const { return cost_groups_; }
  // The sequence of the registration (0 before it is added).
  uint64_t registered_sequence() const {
    return terms_events_.empty() ? 0 : terms_events_.front().sequence;
  }

 private:
  int32_t LineIndex(const std::string& activity, const std::string& division);
  static int32_t Intern(const std::string& text, std::vector<std::string>& table,
                        std::map<std::string, int32_t>& index);
  // The move an event makes (nullopt for non-money events).
  std::optional<Move> MoveOf(const v1::Event& event, uint64_t sequence, bool carry_in);

  std::vector<Move> moves_;
  std::vector<TermsEvent> terms_events_;
  std::vector<ActivityKey> lines_;
  std::map<ActivityKey, int32_t> line_index_;
  std::vector<std::string> purposes_;
  std::map<std::string, int32_t> purpose_index_;
  std::vector<std::string> cost_groups_;
  std::map<std::string, int32_t> cost_group_index_;
};

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_GRANT_HISTORY_H_
