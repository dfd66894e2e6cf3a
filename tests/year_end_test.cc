// Year-end scenarios from the seeds, through the real store with an injected recorded-time
// clock: obligations as of an effective date and as known at a recorded time, eligibility,
// repayment and overdue, the 2019 minorities account, a moved deadline, a rejected
// application, a carry-over, and an unmet basic requirement.
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "cli/sample_grants.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/obligations.h"
#include "ledger/store/event_store.h"
#include "tests/test_support.h"

namespace grantledger {
namespace {

using ::grantledger::testing::Envelope;
using ::grantledger::testing::IsOk;
using ::grantledger::testing::Receipt;
using ::grantledger::testing::RegisterGrant;
using ::grantledger::testing::Repay;
using ::grantledger::testing::Spend;
using ::grantledger::testing::StatusIs;
using ::grantledger::testing::TempDir;
using ::testing::HasSubstr;

int64_t Kr(int64_t kronor) { return kronor * 100; }
absl::Time At(int y, int m, int d) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, 12, 0, 0), absl::UTCTimeZone());
}

class YearEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EventStoreOptions options;
    options.path = dir_.path();
    options.check_invariants = true;
    options.sync = false;
    options.clock = [this] { return now_; };
    auto store = EventStore::Open(options);
    ASSERT_THAT(store, IsOk());
    store_ = std::move(*store);
  }
  void PostAt(absl::Time when, std::vector<v1::Event> events) {
    now_ = when;
    ASSERT_THAT(store_->Append(std::move(events)), IsOk());
  }
  Obligation ObligationAt(const std::string& grant, absl::CivilDay date, uint64_t sequence = 0) {
    auto position = store_->Position(grant, AsOf{date, sequence});
    EXPECT_THAT(position, IsOk());
    return ObligationOf(*position);
  }

  TempDir dir_;
  absl::Time now_ = At(2025, 5, 26);
  std::unique_ptr<EventStore> store_;
};

TEST_F(YearEndTest, Rs229ObligationOnBothClocks) {
  PostAt(At(2025, 5, 26), sample::Rs229Decision());
  PostAt(At(2025, 12, 30), sample::Rs229YearOfExpenses());
  // Year-end postings dated 2025-12-31, and one expense dated January 2026, posted in February.
  std::vector<v1::Event> february = sample::Rs229LateYearEndPostings();
  february.push_back(
      Spend("erp-9929-2026-1", "RS/229/2025", Kr(75'000), "p7", "HS Kir", "2026-01-20"));
  PostAt(At(2026, 2, 10), february);

  const absl::CivilDay year_end(2025, 12, 31);
  const uint64_t known_jan15 = store_->SequenceAtRecordedTime(At(2026, 1, 15));
  const uint64_t known_mar01 = store_->SequenceAtRecordedTime(At(2026, 3, 1));
  EXPECT_EQ(known_jan15, 211u);  // 28 + 183: the February postings were not yet known
  EXPECT_EQ(known_mar01, 214u);

  // As known on 2026-01-15: spent 143 016 388 kr of 147 463 000 kr.
  Obligation jan = ObligationAt("RS/229/2025", year_end, known_jan15);
  EXPECT_TRUE(jan.period_ended);
  EXPECT_EQ(jan.received_ore.value(), Kr(147'463'000));
  EXPECT_EQ(jan.eligible_spent_ore.value(), Kr(143'016'388));
  EXPECT_EQ(jan.unused_ore.value(), Kr(4'446'612));
  EXPECT_EQ(jan.repayable_ore.value(), Kr(4'446'612));
  EXPECT_EQ(jan.outstanding_ore.value(), Kr(4'446'612));
  EXPECT_EQ(jan.repayment_deadline, absl::CivilDay(2026, 3, 31));
  EXPECT_EQ(jan.days_left, 90);
  EXPECT_EQ(jan.status, ObligationStatus::kOpen);

  // As known on 2026-03-01: the 330 000 kr dated 2025-12-31 count; the January expense not.
  Obligation mar = ObligationAt("RS/229/2025", year_end, known_mar01);
  EXPECT_EQ(mar.eligible_spent_ore.value(), Kr(143'346'388));
  EXPECT_EQ(mar.ineligible_spent_ore.value(), 0);  // dated after the as-of date: not counted at all
  EXPECT_EQ(mar.outstanding_ore.value(), Kr(4'116'612));
  // The earlier answer is unchanged by the later postings.
  EXPECT_EQ(ObligationAt("RS/229/2025", year_end, known_jan15).outstanding_ore.value(),
            Kr(4'446'612));

  // Per 2026-03-10 the January expense is recorded, shown as ineligible, and changes nothing.
  Obligation march10 = ObligationAt("RS/229/2025", absl::CivilDay(2026, 3, 10));
  EXPECT_EQ(march10.ineligible_spent_ore.value(), Kr(75'000));
  EXPECT_EQ(march10.outstanding_ore.value(), Kr(4'116'612));
  EXPECT_EQ(march10.status, ObligationStatus::kDueSoon);
  EXPECT_EQ(march10.days_left, 21);

  // Not repaid by the deadline: overdue.
  Obligation april = ObligationAt("RS/229/2025", absl::CivilDay(2026, 4, 1));
  EXPECT_EQ(april.status, ObligationStatus::kOverdue);
  EXPECT_EQ(april.days_left, -1);

  // A repayment dated 2026-03-20 settles it.
  v1::Event repayment = Repay("rs229-repay", "RS/229/2025", Kr(4'116'612));
  repayment.set_effective_date("2026-03-20");
  PostAt(At(2026, 3, 20), {repayment});
  Obligation settled = ObligationAt("RS/229/2025", absl::CivilDay(2026, 4, 1));
  EXPECT_EQ(settled.outstanding_ore.value(), 0);
  EXPECT_EQ(settled.status, ObligationStatus::kSettled);
  // Before the repayment's date it is still outstanding.
  EXPECT_EQ(ObligationAt("RS/229/2025", absl::CivilDay(2026, 3, 19)).outstanding_ore.value(),
            Kr(4'116'612));
}

TEST_F(YearEndTest, InPeriodBurnRateAndForecast) {
  PostAt(At(2025, 1, 2), {RegisterGrant("reg", "G/1/2025", Kr(365'000)),
                          Receipt("rec", "G/1/2025", Kr(365'000), "2025-01-02")});
  PostAt(At(2025, 3, 2), {Spend("s1", "G/1/2025", Kr(59'000), "", "", "2025-02-28")});
  Obligation o = ObligationAt("G/1/2025", absl::CivilDay(2025, 2, 28));  // day 59 of 365
  EXPECT_FALSE(o.period_ended);
  EXPECT_EQ(o.status, ObligationStatus::kOpen);
  EXPECT_EQ(o.repayable_ore.value(), 0);
  EXPECT_EQ(o.unused_ore.value(), Kr(306'000));
  EXPECT_EQ(o.days_elapsed, 59);
  EXPECT_EQ(o.burn_rate_ore_per_day.value(), Kr(1'000));
  EXPECT_EQ(o.forecast_unused_at_end_ore.value(), 0);  // spending 1 000 kr a day uses it all
}

TEST_F(YearEndTest, NationalMinorities2019FinancialAccount) {
  const std::string grant = "RS/285/2019";
  v1::Event reg =
      RegisterGrant("nm-reg", grant, Kr(250'000), "2019-01-01", "2019-12-31", "2020-03-31");
  reg.mutable_grant_registered()->set_grantor("Sametinget");
  PostAt(At(2019, 3, 11), {reg, Receipt("nm-rec", grant, Kr(250'000), "2019-03-11")});
  struct Line {
    const char* purpose;
    const char* cost_group;
    int64_t kronor;
  };
  // The table in riktade-statsbidrag-2020-sammanstallning.md.
  const Line lines[] = {
      {"Inflytande, delaktighet och samråd", "lokalhyra", 17575},
      {"Inflytande, delaktighet och samråd", "förtäring", 2628},
      {"Inflytande, delaktighet och samråd", "arvoden", 34251},
      {"Språk -och kultur", "studiecirklar", 41632},
      {"Språk -och kultur", "litteratur-/tidskriftsinköp", 728},
      {"Samordning", "personal, lön", 31682},
      {"Samordning", "resor och logi", 4937},
      {"Ärendehandläggning", "tolk/översättning", 23139},
      {"Ärendehandläggning", "fortbildning av personal", 77482},
  };
  std::vector<v1::Event> expenses;
  int n = 0;
  for (const Line& l : lines) {
    v1::Event e = Spend(absl::StrCat("nm-", ++n), grant, Kr(l.kronor), "", "", "2019-11-30");
    e.mutable_expense()->set_purpose(l.purpose);
    e.mutable_expense()->set_cost_group(l.cost_group);
    expenses.push_back(e);
  }
  PostAt(At(2019, 12, 20), expenses);
  auto position = store_->Position(grant, AsOf{absl::CivilDay(2019, 12, 31), 0});
  ASSERT_THAT(position, IsOk());
  FinancialAccount account = FinancialAccountOf(*position);
  EXPECT_EQ(account.disposable_ore.value(), Kr(250'000));
  EXPECT_EQ(account.used_ore.value(), Kr(234'054));
  EXPECT_EQ(account.remaining_ore.value(), Kr(15'946));
  ASSERT_EQ(account.lines.size(), 9u);
  std::map<std::string, int64_t> per_purpose;
  for (const PurposeSpending& s : account.lines) per_purpose[s.purpose] += s.spent_ore.value();
  EXPECT_EQ(per_purpose["Inflytande, delaktighet och samråd"], Kr(54'454));
  EXPECT_EQ(per_purpose["Språk -och kultur"], Kr(42'360));
  EXPECT_EQ(per_purpose["Samordning"], Kr(36'619));
  EXPECT_EQ(per_purpose["Ärendehandläggning"], Kr(100'621));
  EXPECT_EQ(ObligationOf(*position).outstanding_ore.value(), Kr(15'946));
}

TEST_F(YearEndTest, ReportingDeadlineMovedIn2020) {
  // RS/29/2020: handlingsplaner due 2020-09-30, moved to 2021-03-31 by the 2020-04-24 agreement.
  v1::Event reg = RegisterGrant("t-reg", "RS/29/2020", Kr(27'600'000), "2020-01-01", "2020-12-31",
                                "2021-03-31");
  reg.mutable_grant_registered()->set_reporting_deadline("2020-09-30");
  reg.mutable_grant_registered()->set_kind(v1::GRANT_KIND_PERFORMANCE_BASED);
  PostAt(At(2020, 2, 1), {reg});
  v1::Event moved = Envelope("t-moved", "RS/29/2020", "2020-04-24");
  moved.mutable_terms_amended()->set_reporting_deadline("2021-03-31");
  moved.mutable_terms_amended()->set_decision_ref("Tilläggsöverenskommelse 2020-04-24");
  PostAt(At(2020, 4, 27), {moved});
  EXPECT_EQ(ObligationAt("RS/29/2020", absl::CivilDay(2020, 3, 1)).reporting_deadline,
            absl::CivilDay(2020, 9, 30));
  EXPECT_EQ(ObligationAt("RS/29/2020", absl::CivilDay(2020, 12, 31)).reporting_deadline,
            absl::CivilDay(2021, 3, 31));
  // As known before the amendment was recorded, even per 2020-12-31, the old deadline holds.
  EXPECT_EQ(ObligationAt("RS/29/2020", absl::CivilDay(2020, 12, 31), 1).reporting_deadline,
            absl::CivilDay(2020, 9, 30));
}

TEST_F(YearEndTest, RejectedApplicationOwesNothing) {
  v1::Event reg =
      RegisterGrant("r-reg", "RS/242/2020", Kr(900'000), "2020-01-01", "2020-12-31", "2021-03-31");
  reg.mutable_grant_registered()->set_kind(v1::GRANT_KIND_APPLIED_FOR);
  v1::Event rejected = Envelope("r-rejected", "RS/242/2020", "2020-05-15");
  rejected.mutable_terms_amended()->set_decided_amount_ore(0);
  rejected.mutable_terms_amended()->set_decision_ref("Avslag 2020-05-15");
  PostAt(At(2020, 5, 20), {reg, rejected});
  Obligation o = ObligationAt("RS/242/2020", absl::CivilDay(2020, 12, 31));
  EXPECT_TRUE(o.rejected);
  EXPECT_EQ(o.decided_ore.value(), 0);
  EXPECT_EQ(o.outstanding_ore.value(), 0);
  EXPECT_EQ(o.status, ObligationStatus::kSettled);
  // And nothing can be allocated on it.
  EXPECT_THAT(store_->Append({testing::Allocate("r-a", "RS/242/2020", 1, "p1", "Med")}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("decided amount")));
}

TEST_F(YearEndTest, CarryOverLeavesTheOldObligationAndEntersTheNewGrant) {
  // Cancer care: 2019's remaining stimulus funds included in the 2020 grant.
  PostAt(At(2019, 4, 1), {RegisterGrant("c19", "RS/40/2019", Kr(4'300'000), "2019-01-01",
                                        "2019-12-31", "2020-03-31"),
                          Receipt("c19-rec", "RS/40/2019", Kr(4'300'000), "2019-04-01"),
                          Spend("c19-s", "RS/40/2019", Kr(2'200'000), "", "", "2019-10-01")});
  PostAt(At(2020, 1, 10), {RegisterGrant("c20", "RS/28/2020", Kr(3'840'000), "2020-01-01",
                                         "2020-12-31", "2021-03-31"),
                           Receipt("c20-rec", "RS/28/2020", Kr(2'100'000), "2020-01-10")});
  v1::Event carry = Envelope("c-carry", "RS/40/2019", "2019-12-31");
  carry.mutable_carry_over()->set_amount_ore(Kr(2'100'000));
  carry.mutable_carry_over()->set_to_grant_id("RS/28/2020");
  carry.mutable_carry_over()->set_decision_ref("Delegationsbeslut 2020-04-16");
  PostAt(At(2020, 4, 16), {carry});

  Obligation old_grant = ObligationAt("RS/40/2019", absl::CivilDay(2019, 12, 31));
  EXPECT_EQ(old_grant.carried_out_ore.value(), Kr(2'100'000));
  EXPECT_EQ(old_grant.unused_ore.value(), 0);
  EXPECT_EQ(old_grant.status, ObligationStatus::kSettled);
  auto new_grant = store_->Position("RS/28/2020", AsOf{absl::CivilDay(2020, 12, 31), 0});
  ASSERT_THAT(new_grant, IsOk());
  EXPECT_EQ(new_grant->carried_in_ore.value(), Kr(2'100'000));
  EXPECT_EQ(new_grant->balance.received_ore.value(), Kr(4'200'000));
  EXPECT_EQ(ObligationOf(*new_grant).outstanding_ore.value(), Kr(4'200'000));
  // The current-state projection agrees, and the new grant's history shows the carry-over.
  EXPECT_EQ(store_->Grant("RS/28/2020")->received_ore(), Kr(4'200'000));
  auto replayed = store_->GrantAtSequence("RS/28/2020", store_->Head().sequence);
  ASSERT_THAT(replayed, IsOk());
  EXPECT_EQ(*replayed, *store_->Grant("RS/28/2020"));
  // Carrying over more than is unused is refused.
  v1::Event too_much = Envelope("c-carry-2", "RS/40/2019", "2019-12-31");
  too_much.mutable_carry_over()->set_amount_ore(1);
  too_much.mutable_carry_over()->set_to_grant_id("RS/28/2020");
  too_much.mutable_carry_over()->set_decision_ref("x");
  EXPECT_THAT(store_->Append({too_much}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("unused funds")));
}

TEST_F(YearEndTest, UnmetBasicRequirementMakesEverythingRepayable) {
  // S2024 vårdplatser: without reporting bed data the region must repay all of it.
  v1::Event reg = RegisterGrant("v-reg", "S2024/01234", Kr(9'410'162), "2024-01-01", "2024-12-31",
                                "2025-03-31");
  reg.mutable_grant_registered()->set_kind(v1::GRANT_KIND_PERFORMANCE_BASED);
  v1::GrantCondition* c = reg.mutable_grant_registered()->add_conditions();
  c->set_condition_id("bed-data");
  c->set_description("rapportera in vårdplatsdata till Socialstyrelsen");
  PostAt(At(2024, 3, 1), {reg, Receipt("v-rec", "S2024/01234", Kr(9'410'162), "2024-03-01"),
                          Spend("v-s", "S2024/01234", Kr(9'000'000), "", "", "2024-10-31")});
  EXPECT_EQ(ObligationAt("S2024/01234", absl::CivilDay(2024, 12, 31)).outstanding_ore.value(),
            Kr(410'162));
  v1::Event unmet = Envelope("v-unmet", "S2024/01234", "2024-12-31");
  unmet.mutable_condition_recorded()->set_condition_id("bed-data");
  unmet.mutable_condition_recorded()->set_met(false);
  PostAt(At(2025, 1, 20), {unmet});
  Obligation o = ObligationAt("S2024/01234", absl::CivilDay(2024, 12, 31));
  EXPECT_EQ(o.condition_repayable_ore.value(), Kr(9'410'162));
  EXPECT_EQ(o.repayable_ore.value(), Kr(9'410'162));  // the whole amount, not more
  EXPECT_EQ(o.outstanding_ore.value(), Kr(9'410'162));
  // An unknown condition id is NotFound.
  v1::Event unknown = Envelope("v-unknown", "S2024/01234", "2024-12-31");
  unknown.mutable_condition_recorded()->set_condition_id("no-such");
  EXPECT_THAT(store_->Append({unknown}),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("bed-data")));
}

TEST_F(YearEndTest, ObligationListAndYearOverview) {
  PostAt(At(2025, 2, 1),
         {RegisterGrant("a", "A/1/2025", Kr(100), "2025-01-01", "2025-12-31", "2026-03-31"),
          Receipt("a-r", "A/1/2025", Kr(100)),
          RegisterGrant("b", "B/1/2025", Kr(50), "2025-01-01", "2025-06-30", "2025-09-30"),
          Receipt("b-r", "B/1/2025", Kr(50)),
          RegisterGrant("c", "C/1/2025", Kr(10), "2025-01-01", "2025-12-31", "2026-03-31"),
          Receipt("c-r", "C/1/2025", Kr(10)), Spend("c-s", "C/1/2025", Kr(10))});
  std::vector<Obligation> all;
  for (const GrantPosition& p : store_->Positions(AsOf{absl::CivilDay(2025, 12, 31), 0})) {
    all.push_back(ObligationOf(p));
  }
  ASSERT_EQ(all.size(), 3u);
  auto next = NextRepaymentDeadline(all, absl::CivilDay(2025, 12, 31));
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, absl::CivilDay(2026, 3, 31));  // B's deadline has passed; C has nothing unused
  ObligationList list = ListObligations(all, *next, *next);
  ASSERT_EQ(list.obligations.size(), 1u);
  EXPECT_EQ(list.obligations[0].grant_id, "A/1/2025");
  EXPECT_EQ(list.outstanding_ore.value(), Kr(100));
  ObligationList wide =
      ListObligations(all, absl::CivilDay(2025, 1, 1), absl::CivilDay(2026, 12, 31));
  ASSERT_EQ(wide.obligations.size(), 2u);
  EXPECT_EQ(wide.obligations[0].grant_id, "B/1/2025");  // earlier deadline first
  EXPECT_EQ(wide.obligations[0].status, ObligationStatus::kOverdue);
  ASSERT_EQ(wide.per_grantor.size(), 1u);
  EXPECT_EQ(wide.per_grantor[0].outstanding_ore.value(), Kr(150));
  YearOverview year = OverviewOfYear(all, "2025");
  EXPECT_EQ(year.grants.size(), 3u);
  EXPECT_EQ(year.received_ore.value(), Kr(160));
  EXPECT_EQ(year.spent_ore.value(), Kr(10));
  EXPECT_EQ(year.repayable_ore.value(), Kr(150));
}

}  // namespace
}  // namespace grantledger
