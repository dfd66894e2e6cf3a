// The domain rules, one test per rule, run as pure functions with no storage: each asserts
// the status code and the key words of the message, and that a rejection changes nothing.
#include "ledger/rules.h"

#include <map>
#include <optional>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/balances.h"
#include "tests/test_support.h"

namespace grantledger {
namespace {

using ::grantledger::testing::Allocate;
using ::grantledger::testing::Envelope;
using ::grantledger::testing::IsOk;
using ::grantledger::testing::Reallocate;
using ::grantledger::testing::Receipt;
using ::grantledger::testing::RegisterGrant;
using ::grantledger::testing::Repay;
using ::grantledger::testing::Reverse;
using ::grantledger::testing::Spend;
using ::grantledger::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

// Applies events in order with the pure rules, the way the store does, but in memory.
class PureLedger {
 public:
  absl::Status Apply(const v1::Event& event) {
    absl::Status shape = CheckEventShape(event);
    if (!shape.ok()) return shape;
    EventContext context;
    context.sequence = log_.size() + 1;
    if (event.has_reversal()) {
      uint64_t target = event.reversal().reversed_sequence();
      if (target >= 1 && target <= log_.size()) context.reversal_target = &log_[target - 1];
    }
    std::optional<GrantState>& slot = grants_[event.grant_id()];
    std::optional<GrantState> before = slot;
    absl::Status status = ApplyEvent(event, context, slot);
    if (!status.ok()) {
      EXPECT_EQ(slot, before) << "a rejected event changed the state";
      return status;
    }
    EXPECT_EQ(slot->TrialBalance(), 0);
    log_.push_back(event);
    return status;
  }
  const GrantState& grant(const std::string& id) { return *grants_[id]; }
  GrantBalance balance(const std::string& id) { return BalanceOfGrant(*grants_[id]); }

 private:
  std::vector<v1::Event> log_;
  std::map<std::string, std::optional<GrantState>> grants_;
};

constexpr char kGrant[] = "RS/229/2025";

const ActivityBalance& Line(const GrantBalance& b, const std::string& activity) {
  for (const ActivityBalance& a : b.activities) {
    if (a.activity == activity) return a;
  }
  ADD_FAILURE() << "no activity line " << activity;
  static const ActivityBalance kNone;
  return kNone;
}

class RulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(ledger_.Apply(RegisterGrant("reg", kGrant, 1'000'000'00)), IsOk());  // seq 1
    ASSERT_THAT(ledger_.Apply(Receipt("rec", kGrant, 1'000'000'00)), IsOk());        // seq 2
    ASSERT_THAT(ledger_.Apply(Allocate("a1", kGrant, 600'000'00, "p7", "HS Kir")), IsOk());  // 3
    ASSERT_THAT(ledger_.Apply(Allocate("a2", kGrant, 300'000'00, "p13", "Med")), IsOk());    // 4
  }
  PureLedger ledger_;
};

TEST_F(RulesTest, UnknownGrantIsNotFound) {
  EXPECT_THAT(ledger_.Apply(Receipt("x", "RS/999/2025", 100)),
              StatusIs(absl::StatusCode::kNotFound,
                       AllOf(HasSubstr("RS/999/2025"), HasSubstr("not registered"))));
}

TEST_F(RulesTest, GrantRegisteredTwiceIsAlreadyExists) {
  EXPECT_THAT(ledger_.Apply(RegisterGrant("reg2", kGrant, 5)),
              StatusIs(absl::StatusCode::kAlreadyExists,
                       AllOf(HasSubstr("already registered"), HasSubstr("terms_amended"))));
}

TEST_F(RulesTest, ZeroOrNegativeAmountIsInvalidArgument) {
  EXPECT_THAT(ledger_.Apply(Receipt("z", kGrant, 0)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("receipt.amount_ore"), HasSubstr("positive"))));
  EXPECT_THAT(ledger_.Apply(Spend("n", kGrant, -5, "p7", "HS Kir")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("expense.amount_ore")));
  EXPECT_THAT(ledger_.Apply(Repay("r", kGrant, 0)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("repayment.amount_ore")));
}

TEST_F(RulesTest, AllocatingBeyondDecidedIsFailedPrecondition) {
  // 900 000 kr of 1 000 000 kr is allocated; 100 000 kr is left.
  EXPECT_THAT(ledger_.Apply(Allocate("a3", kGrant, 100'000'01, "p1", "Regionen")),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("allocation.amount_ore"), HasSubstr("decided amount"),
                             HasSubstr("100 000 kr unallocated"))));
  EXPECT_THAT(ledger_.Apply(Allocate("a4", kGrant, 100'000'00, "p1", "Regionen")), IsOk());
  EXPECT_EQ(ledger_.balance(kGrant).unallocated_ore.value(), 0);
}

TEST_F(RulesTest, AllocationNeedsActivityAndDivision) {
  EXPECT_THAT(ledger_.Apply(Allocate("a5", kGrant, 100, "", "Med")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("allocation.activity")));
  EXPECT_THAT(ledger_.Apply(Allocate("a6", kGrant, 100, "p1", "")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("allocation.division")));
}

TEST_F(RulesTest, ReallocatingMoreThanUnspentIsFailedPrecondition) {
  ASSERT_THAT(ledger_.Apply(Spend("s1", kGrant, 250'000'00, "p13", "Med")), IsOk());
  // p13 has 50 000 kr unspent.
  EXPECT_THAT(ledger_.Apply(Reallocate("r1", kGrant, 50'000'01, "p13", "Med", "p7", "HS Kir")),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("unspent"), HasSubstr("p13"), HasSubstr("50 000 kr"))));
  EXPECT_THAT(ledger_.Apply(Reallocate("r2", kGrant, 50'000'00, "p13", "Med", "p7", "HS Kir")),
              IsOk());
  GrantBalance b = ledger_.balance(kGrant);
  EXPECT_EQ(b.allocated_ore.value(), 900'000'00);  // a reallocation moves money, it adds none
  EXPECT_EQ(b.activities[0].activity, "p7");       // natural order: p7 before p13
  EXPECT_EQ(Line(b, "p13").allocated_ore.value(), 250'000'00);
  EXPECT_EQ(Line(b, "p13").remaining_ore.value(), 0);
  EXPECT_EQ(Line(b, "p7").allocated_ore.value(), 650'000'00);
}

TEST_F(RulesTest, ReallocatingFromAnUnknownLineIsFailedPrecondition) {
  EXPECT_THAT(ledger_.Apply(Reallocate("r3", kGrant, 1, "p99", "Med", "p7", "HS Kir")),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("p99")));
}

TEST_F(RulesTest, ReallocationNeedsApproverAndDecisionReference) {
  v1::Event no_approver = Reallocate("r4", kGrant, 100, "p13", "Med", "p7", "HS Kir");
  no_approver.mutable_reallocation()->clear_approver();
  EXPECT_THAT(ledger_.Apply(no_approver),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("reallocation.approver"), HasSubstr("HSLG"))));
  v1::Event no_ref = Reallocate("r5", kGrant, 100, "p13", "Med", "p7", "HS Kir");
  no_ref.mutable_reallocation()->clear_decision_ref();
  EXPECT_THAT(ledger_.Apply(no_ref),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("reallocation.decision_ref")));
}

TEST_F(RulesTest, InvestmentExpenseIsInvalidArgument) {
  v1::Event e = Spend("inv", kGrant, 500'000'00, "p7", "HS Kir");
  e.mutable_expense()->set_nature(v1::COST_NATURE_INVESTMENT);
  EXPECT_THAT(ledger_.Apply(e), StatusIs(absl::StatusCode::kInvalidArgument,
                                         AllOf(HasSubstr("expense.nature"),
                                               HasSubstr("current year's depreciation"))));
}

TEST_F(RulesTest, DepreciationOfAnotherYearIsInvalidArgument) {
  v1::Event e = Spend("dep", kGrant, 50'000'00, "p7", "HS Kir", "2025-12-31");
  e.mutable_expense()->set_nature(v1::COST_NATURE_DEPRECIATION);
  e.mutable_expense()->set_depreciation_year(2024);
  EXPECT_THAT(ledger_.Apply(e),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("expense.depreciation_year")));
  e.set_event_id("dep2");
  e.mutable_expense()->set_depreciation_year(2025);
  EXPECT_THAT(ledger_.Apply(e), IsOk());
}

TEST_F(RulesTest, RepayingMoreThanReceivedMinusRepaidIsFailedPrecondition) {
  ASSERT_THAT(ledger_.Apply(Repay("p1", kGrant, 400'000'00)), IsOk());
  EXPECT_THAT(ledger_.Apply(Repay("p2", kGrant, 600'000'01)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("repayment.amount_ore"), HasSubstr("600 000 kr"))));
  EXPECT_THAT(ledger_.Apply(Repay("p3", kGrant, 600'000'00)), IsOk());
}

TEST_F(RulesTest, ReversingUnknownOrReversedEventIsRejected) {
  EXPECT_THAT(ledger_.Apply(Reverse("v1", kGrant, 77)),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no event has sequence 77")));
  ASSERT_THAT(ledger_.Apply(Spend("s2", kGrant, 10'000'00, "p7", "HS Kir")), IsOk());  // seq 5
  ASSERT_THAT(ledger_.Apply(Reverse("v2", kGrant, 5)), IsOk());
  EXPECT_EQ(ledger_.balance(kGrant).spent_ore.value(), 0);
  EXPECT_THAT(ledger_.Apply(Reverse("v3", kGrant, 5)),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("already reversed")));
  EXPECT_THAT(ledger_.Apply(Reverse("v4", kGrant, 1)),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("cannot be reversed")));
}

TEST_F(RulesTest, ReversalMustNameTheSameGrant) {
  ASSERT_THAT(ledger_.Apply(RegisterGrant("reg-b", "RS/1/2025", 100)), IsOk());  // seq 5
  EXPECT_THAT(ledger_.Apply(Reverse("v5", "RS/1/2025", 2)),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("belongs to grant")));
}

TEST_F(RulesTest, ExpenseBeyondAllocationIsAcceptedAsOverspent) {
  ASSERT_THAT(ledger_.Apply(Spend("o1", kGrant, 350'000'00, "p13", "Med")), IsOk());
  GrantBalance b = ledger_.balance(kGrant);
  EXPECT_EQ(Line(b, "p13").spent_ore.value(), 350'000'00);
  EXPECT_EQ(Line(b, "p13").remaining_ore.value(), -50'000'00);
  EXPECT_EQ(Line(b, "p13").overspent_ore.value(), 50'000'00);
  EXPECT_EQ(b.divisions[1].division, "Med");
  EXPECT_EQ(b.divisions[1].overspent_ore.value(), 50'000'00);
}

TEST_F(RulesTest, ExpenseWithNoActivityIsUnassignedSpending) {
  ASSERT_THAT(ledger_.Apply(Spend("u1", kGrant, 12'345'50)), IsOk());
  GrantBalance b = ledger_.balance(kGrant);
  EXPECT_EQ(b.unassigned_spent_ore.value(), 12'345'50);
  EXPECT_EQ(b.spent_ore.value(), 12'345'50);
  EXPECT_EQ(b.remaining_ore.value(), 1'000'000'00 - 12'345'50);
}

TEST_F(RulesTest, ExpenseWithActivityNeedsDivision) {
  EXPECT_THAT(ledger_.Apply(Spend("d1", kGrant, 100, "p7", "")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("expense.division")));
}

TEST_F(RulesTest, EnvelopeFieldsAreChecked) {
  v1::Event e = Receipt("", kGrant, 100);
  EXPECT_THAT(ledger_.Apply(e),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("event_id")));
  e = Receipt("e1", kGrant, 100);
  e.set_effective_date("2025-02-30");
  EXPECT_THAT(ledger_.Apply(e),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("effective_date"), HasSubstr("YYYY-MM-DD"))));
  e = Envelope("e2", kGrant);
  EXPECT_THAT(ledger_.Apply(e), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("body")));
}

TEST_F(RulesTest, TermsAmendedCannotCutDecidedBelowAllocated) {
  v1::Event e = Envelope("t1", kGrant);
  e.mutable_terms_amended()->set_decided_amount_ore(800'000'00);
  e.mutable_terms_amended()->set_decision_ref("RS/300/2025");
  EXPECT_THAT(ledger_.Apply(e),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("already allocated")));
  e.mutable_terms_amended()->set_decided_amount_ore(950'000'00);
  e.mutable_terms_amended()->set_reporting_deadline("2026-04-30");
  EXPECT_THAT(ledger_.Apply(e), IsOk());
  EXPECT_EQ(ledger_.grant(kGrant).terms.decided_amount_ore, 950'000'00);
  EXPECT_EQ(ledger_.grant(kGrant).terms.reporting_deadline, absl::CivilDay(2026, 4, 30));
}

TEST_F(RulesTest, ReversingAnAllocationThatWasSpentIsRejected) {
  ASSERT_THAT(ledger_.Apply(Spend("s3", kGrant, 250'000'00, "p13", "Med")), IsOk());
  EXPECT_THAT(ledger_.Apply(Reverse("v6", kGrant, 4)),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("spent or moved")));
}

TEST(BalancesTest, ActivitiesInNaturalOrder) {
  EXPECT_TRUE(NaturalLess("p2", "p10"));
  EXPECT_FALSE(NaturalLess("p10", "p2"));
  EXPECT_TRUE(NaturalLess("p7", "p7-8"));
  EXPECT_TRUE(NaturalLess("p7-8", "p7-forstarkning"));
  EXPECT_TRUE(NaturalLess("p9", "p10"));
  EXPECT_FALSE(NaturalLess("p1", "p1"));
}

TEST(PostingsTest, EveryMoneyEventBalances) {
  for (const v1::Event& e :
       {Receipt("a", kGrant, 7), Allocate("b", kGrant, 7, "p1", "Med"),
        Reallocate("c", kGrant, 7, "p1", "Med", "p2", "Med"), Spend("d", kGrant, 7),
        Spend("e", kGrant, 7, "p1", "Med"), Repay("f", kGrant, 7)}) {
    Postings postings = PostingsOf(e);
    EXPECT_EQ(postings.size(), 2u);
    EXPECT_EQ(SumOf(postings), Ore(0));
    EXPECT_EQ(SumOf(Negated(postings)), Ore(0));
  }
}

}  // namespace
}  // namespace grantledger
