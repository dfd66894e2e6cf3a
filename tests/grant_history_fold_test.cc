// Folding a grant's history (CompactMoves, GrantHistory::Fold) changes no position: random
// histories, folded at random points, answer every as-of question exactly as the unfolded
// history does; and the stored form of moves (move_codec.h) round-trips and refuses damage.
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "ledger/as_of.h"
#include "ledger/grant_history.h"
#include "ledger/move_codec.h"

namespace grantledger {
namespace {

std::string Day(absl::CivilDay d) {
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

// What a position says, as text: every figure and the order of the purposes.
std::string Describe(const absl::StatusOr<GrantPosition>& p) {
  if (!p.ok()) return p.status().ToString();
  const GrantBalance& b = p->balance;
  std::string out = absl::StrCat(
      b.decided_ore.value(), " r", b.received_ore.value(), " a", b.allocated_ore.value(), " s",
      b.spent_ore.value(), " u", b.unassigned_spent_ore.value(), " p", b.repaid_ore.value(), " ci",
      b.carried_in_ore.value(), " co", b.carried_out_ore.value(), " e",
      p->eligible_spent_ore.value(), " i", p->ineligible_spent_ore.value(), " rem",
      b.remaining_ore.value(), "|");
  for (const ActivityBalance& a : b.activities) {
    absl::StrAppend(&out, a.activity, "/", a.division, ":", a.allocated_ore.value(), ",",
                    a.spent_ore.value(), ";");
  }
  for (const PurposeSpending& s : p->eligible_by_purpose) {
    absl::StrAppend(&out, s.purpose, "/", s.cost_group, "=", s.spent_ore.value(), ";");
  }
  return out;
}

struct RandomHistory {
  std::vector<v1::Event> events;  // event k has sequence k + 1
};

RandomHistory Generate(std::mt19937_64& rng, int n) {
  RandomHistory h;
  const absl::CivilDay start(2025, 1, 1);
  v1::Event reg;
  reg.set_grant_id("G");
  reg.set_effective_date("2025-01-01");
  auto* r = reg.mutable_grant_registered();
  r->set_decided_amount_ore(1'000'000);
  r->set_usage_period_start("2025-02-01");
  r->set_usage_period_end("2025-10-31");
  h.events.push_back(reg);
  for (int i = 1; i < n; ++i) {
    v1::Event e;
    e.set_grant_id("G");
    e.set_effective_date(Day(start + static_cast<int>(rng() % 365)));
    const int line = static_cast<int>(rng() % 4);
    switch (rng() % 8) {
      case 0:
        e.mutable_receipt()->set_amount_ore(1 + rng() % 1000);
        break;
      case 1:
        e.mutable_allocation()->set_amount_ore(1 + rng() % 1000);
        e.mutable_allocation()->set_activity(absl::StrCat("p", line));
        e.mutable_allocation()->set_division("D");
        break;
      case 2: {
        auto* x = e.mutable_reallocation();
        x->set_amount_ore(1 + rng() % 100);
        x->set_from_activity(absl::StrCat("p", line));
        x->set_from_division("D");
        x->set_to_activity(absl::StrCat("p", (line + 1) % 4));
        x->set_to_division("D");
        break;
      }
      case 3:
        e.mutable_repayment()->set_amount_ore(1 + rng() % 50);
        break;
      case 4:
        e.mutable_terms_amended()->set_usage_period_end(Day(start + static_cast<int>(rng() % 365)));
        break;
      default: {
        auto* x = e.mutable_expense();
        x->set_amount_ore(1 + rng() % 1000);
        x->set_credit(rng() % 5 == 0);
        if (rng() % 3) {
          x->set_activity(absl::StrCat("p", line));
          x->set_division("D");
        }
        x->set_purpose(absl::StrCat("purpose ", rng() % 3));
        x->set_cost_group(absl::StrCat("group ", rng() % 2));
        break;
      }
    }
    h.events.push_back(e);
  }
  return h;
}

TEST(GrantHistoryFoldTest, FoldingAtAnyPointChangesNoPosition) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 40; ++round) {
    const int n = 5 + static_cast<int>(rng() % 200);
    RandomHistory h = Generate(rng, n);
    GrantHistory whole;
    GrantHistory folded;
    std::vector<uint64_t> folds;
    for (int i = 0; i < n; ++i) {
      const uint64_t sequence = static_cast<uint64_t>(i) + 1;
      // Reversals: now and then, reverse an earlier money event.
      whole.Add(h.events[i], sequence, nullptr, false);
      folded.Add(h.events[i], sequence, nullptr, false);
      if (rng() % 17 == 0) {
        folded.Fold(sequence);
        folds.push_back(sequence);
      }
    }
    for (int q = 0; q < 60; ++q) {
      AsOf as_of{absl::CivilDay(2024, 12, 1) + static_cast<int>(rng() % 420), 0};
      if (rng() % 2) as_of.sequence = folded.compacted_through() + rng() % 20;
      SCOPED_TRACE(
          absl::StrCat("round ", round, " date ", Day(as_of.date), " seq ", as_of.sequence));
      EXPECT_EQ(Describe(PositionAsOf("G", folded, as_of)),
                Describe(PositionAsOf("G", whole, as_of)));
    }
  }
}

TEST(GrantHistoryFoldTest, EarlierSequencesFromStoredParts) {
  // The store's path for a sequence before the last fold: the compacted moves of the fold at
  // or before it, plus the moves of the next fold, counted up to the sequence.
  std::mt19937_64 rng(11);
  RandomHistory h = Generate(rng, 400);
  GrantHistory whole;
  GrantHistory folded;
  struct Part {
    uint64_t through;
    std::vector<Move> compacted;
    std::vector<Move> chunk;  // the moves folded in at `through`
  };
  std::vector<Part> parts;
  for (int i = 0; i < 400; ++i) {
    whole.Add(h.events[i], i + 1, nullptr, false);
    folded.Add(h.events[i], i + 1, nullptr, false);
    if ((i + 1) % 37 == 0) {
      std::vector<Move> chunk = folded.Fold(i + 1);
      parts.push_back({static_cast<uint64_t>(i + 1), folded.compacted(), std::move(chunk)});
    }
  }
  for (uint64_t s = 1; s < parts.back().through; s += 3) {
    // The last part at or before s, and the one after it.
    std::vector<Move> base;
    size_t next = 0;
    while (next < parts.size() && parts[next].through <= s) base = parts[next++].compacted;
    ASSERT_LT(next, parts.size());
    const AsOf as_of{absl::CivilDay(2025, 6, 1) + static_cast<int>(rng() % 200), s};
    SCOPED_TRACE(absl::StrCat("seq ", s));
    EXPECT_EQ(Describe(PositionAsOf("G", folded, base, parts[next].chunk, as_of)),
              Describe(PositionAsOf("G", whole, as_of)));
  }
}

TEST(GrantHistoryFoldTest, CompactedMovesAreBoundedByTheirKeys) {
  std::mt19937_64 rng(3);
  RandomHistory h = Generate(rng, 5000);
  GrantHistory history;
  for (int i = 0; i < 5000; ++i) history.Add(h.events[i], i + 1, nullptr, false);
  history.Fold(5000);
  // 365 days x a handful of kinds, lines, purposes: far fewer than the moves.
  EXPECT_LT(history.compacted().size(), 4000u);
  EXPECT_EQ(history.moves().size(), 0u);
}

TEST(MoveCodecTest, RoundTripsAndRefusesDamage) {
  std::mt19937_64 rng(5);
  RandomHistory h = Generate(rng, 300);
  GrantHistory history;
  for (int i = 0; i < 300; ++i) history.Add(h.events[i], i + 1, nullptr, false);
  const std::vector<Move> moves = history.Fold(300);
  const std::string bytes = EncodeMoves(moves);
  auto decoded = DecodeMoves(bytes, history.lines().size(), history.purposes().size(),
                             history.cost_groups().size());
  ASSERT_TRUE(decoded.has_value());
  ASSERT_EQ(decoded->size(), moves.size());
  for (size_t i = 0; i < moves.size(); ++i) {
    EXPECT_EQ((*decoded)[i].sequence, moves[i].sequence);
    EXPECT_EQ((*decoded)[i].amount_ore, moves[i].amount_ore);
    EXPECT_TRUE(SameMoveKey((*decoded)[i], moves[i]));
  }
  EXPECT_FALSE(DecodeMoves(bytes.substr(0, bytes.size() - 1), 99, 99, 99).has_value());
  EXPECT_FALSE(DecodeMoves(bytes + "x", 99, 99, 99).has_value());
  // A name index beyond the grant's names.
  EXPECT_FALSE(DecodeMoves(bytes, 0, 0, 0).has_value());
}

// Every date the codec accepts comes back as the same day (dates are stored as day numbers
// from 1970-01-01 and rebuilt without absl's day arithmetic).
TEST(MoveCodecTest, RoundTripsDatesAcrossItsRange) {
  std::vector<Move> moves;
  auto add = [&](absl::CivilDay effective, absl::CivilDay booking) {
    Move m;
    m.sequence = moves.size() + 1;
    m.effective = effective;
    m.booking = booking;
    m.kind = MoveKind::kReceipt;
    moves.push_back(m);
  };
  const absl::CivilDay epoch(1970, 1, 1);
  // Every day from 1896 to 2104 (leap years, century years, 2000), both directions of booking.
  for (absl::CivilDay d(1896, 1, 1); d < absl::CivilDay(2104, 12, 31); d += 1) add(d, d - 400);
  // The codec's limits: a million days either side of 1970.
  add(epoch - 1'000'000, epoch + 1'000'000);
  add(epoch + 1'000'000, epoch - 1'000'000);
  add(absl::CivilDay(-1, 2, 28), absl::CivilDay(-4, 2, 29));
  const std::string bytes = EncodeMoves(moves);
  auto decoded = DecodeMoves(bytes, 0, 0, 0);
  ASSERT_TRUE(decoded.has_value());
  ASSERT_EQ(decoded->size(), moves.size());
  for (size_t i = 0; i < moves.size(); ++i) {
    ASSERT_EQ((*decoded)[i].effective, moves[i].effective) << i;
    ASSERT_EQ((*decoded)[i].booking, moves[i].booking) << i;
  }
}

}  // namespace
}  // namespace grantledger
