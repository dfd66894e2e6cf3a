// Deadlines that never hide money: `unused` lists what is overdue, reporting deadlines have a
// status of their own (submitted once a report is recorded), `obligations --due-within` exits 5,
// warnings appear under the tables, and "today" is the date in Sweden.
#include "ledger/deadlines.h"

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/swedish_time.h"
#include "tests/test_support.h"

namespace grantledger {
namespace {

using ::grantledger::testing::RunCli;
using ::grantledger::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

Obligation Due(const std::string& id, absl::CivilDay deadline, absl::CivilDay as_of,
               int64_t outstanding_ore) {
  Obligation o;
  o.grant_id = id;
  o.grantor = "Socialstyrelsen";
  o.as_of_date = as_of;
  o.usage_period_start = absl::CivilDay(2025, 1, 1);
  o.usage_period_end = absl::CivilDay(2025, 12, 31);
  o.repayment_deadline = deadline;
  o.period_ended = as_of >= o.usage_period_end;
  o.unused_ore = o.repayable_ore = o.outstanding_ore = Ore(outstanding_ore);
  o.days_left = deadline - as_of;
  return o;
}

TEST(DeadlinesTest, TheDefaultUnusedListKeepsWhatIsOverdue) {
  const absl::CivilDay today(2026, 4, 15);
  std::vector<Obligation> all = {
      Due("overdue", absl::CivilDay(2026, 3, 31), today, 413096150),
      Due("repaid-late", absl::CivilDay(2026, 3, 31), today, 0),
      Due("next", absl::CivilDay(2026, 6, 30), today, 1000),
      Due("later", absl::CivilDay(2026, 9, 30), today, 1000),
  };
  all[1].unused_ore = Ore(500);  // unused, but repaid: nothing outstanding, not listed
  ObligationList list = DefaultUnusedList(all, today);
  ASSERT_EQ(list.obligations.size(), 2u);
  EXPECT_EQ(list.obligations[0].grant_id, "overdue");
  EXPECT_EQ(list.obligations[1].grant_id, "next");
  EXPECT_EQ(list.outstanding_ore.value(), 413096150 + 1000);
  EXPECT_EQ(list.deadline_from, absl::CivilDay(2026, 3, 31));
  EXPECT_EQ(list.deadline_to, absl::CivilDay(2026, 6, 30));
  // Only the overdue one, when no deadline is ahead.
  EXPECT_EQ(DefaultUnusedList({all[0]}, today).obligations.size(), 1u);
  EXPECT_TRUE(DefaultUnusedList({all[1]}, today).obligations.empty());
}

TEST(DeadlinesTest, ReportingStatusAndDueWithin) {
  Obligation o = Due("g", absl::CivilDay(2026, 3, 31), absl::CivilDay(2026, 3, 1), 0);
  EXPECT_EQ(ReportingStatusOf(o), ReportingStatus::kNone);
  o.reporting_deadline = absl::CivilDay(2026, 3, 31);
  EXPECT_EQ(ReportingStatusOf(o), ReportingStatus::kDueSoon);
  EXPECT_EQ(ReportingStatusOf(o, 10), ReportingStatus::kUpcoming);
  EXPECT_FALSE(DueWithin(o, 10));
  EXPECT_TRUE(DueWithin(o, 30));
  o.as_of_date = absl::CivilDay(2026, 4, 1);
  EXPECT_EQ(ReportingStatusOf(o), ReportingStatus::kOverdue);
  EXPECT_TRUE(DueWithin(o, 0));
  o.report_submitted = true;
  EXPECT_EQ(ReportingStatusOf(o), ReportingStatus::kSubmitted);
  EXPECT_FALSE(DueWithin(o, 0));
  Obligation money = Due("m", absl::CivilDay(2026, 3, 31), absl::CivilDay(2026, 3, 20), 100);
  EXPECT_TRUE(DueWithin(money, 11));
  EXPECT_FALSE(DueWithin(money, 10));
}

TEST(DeadlinesTest, Warnings) {
  Obligation o = Due("g", absl::CivilDay(2026, 3, 31), absl::CivilDay(2026, 3, 10), 5000);
  o.ineligible_spent_ore = Ore(700);
  auto w = WarningsFor(o);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].kind, DeadlineWarning::Kind::kSpentOutsidePeriod);
  EXPECT_EQ(w[1].kind, DeadlineWarning::Kind::kUnusedNearDeadline);
  EXPECT_EQ(w[1].days, 21);
  Obligation late = Due("l", absl::CivilDay(2026, 3, 31), absl::CivilDay(2026, 4, 2), 5000);
  ASSERT_EQ(WarningsFor(late).size(), 1u);
  EXPECT_EQ(WarningsFor(late)[0].kind, DeadlineWarning::Kind::kRepaymentOverdue);
  // In the period: half the period gone, 60 % of the decided amount spent.
  Obligation running = Due("r", absl::CivilDay(2026, 3, 31), absl::CivilDay(2025, 7, 1), 0);
  running.decided_ore = running.received_ore = Ore(1000000);
  running.days_in_period = 365;
  running.days_elapsed = 182;
  running.eligible_spent_ore = Ore(600000);
  running.forecast_unused_at_end_ore = Ore(1000000 - 600000 * 365 / 182);
  ASSERT_EQ(WarningsFor(running).size(), 1u);
  EXPECT_EQ(WarningsFor(running)[0].kind, DeadlineWarning::Kind::kForecastAboveAllocation);
  EXPECT_EQ(WarningsFor(running)[0].amount_ore, Ore(600000 * 365 / 182 - 1000000));
}

TEST(SwedishTimeTest, TodayAndTheEndOfADayAreSwedish) {
  // 23:30 UTC on New Year's Eve is already 1 January in Stockholm (UTC+1 in winter).
  EXPECT_EQ(
      SwedishDay(absl::FromCivil(absl::CivilSecond(2025, 12, 31, 23, 30, 0), absl::UTCTimeZone())),
      absl::CivilDay(2026, 1, 1));
  // The end of 15 January in Stockholm is 22:59:59.999999 UTC; of 15 June, 21:59:59.999999.
  EXPECT_EQ(EndOfSwedishDay(absl::CivilDay(2026, 1, 15)),
            absl::FromCivil(absl::CivilSecond(2026, 1, 15, 23, 0, 0), absl::UTCTimeZone()) -
                absl::Microseconds(1));
  EXPECT_EQ(EndOfSwedishDay(absl::CivilDay(2026, 6, 15)),
            absl::FromCivil(absl::CivilSecond(2026, 6, 15, 22, 0, 0), absl::UTCTimeZone()) -
                absl::Microseconds(1));
}

class DeadlinesCliTest : public ::testing::Test {
 protected:
  using Result = ::grantledger::testing::CliResult;
  Result Run(const std::string& args) { return RunCli(dir_, args); }
  std::string Db() const { return dir_.Sub("data"); }
  void SetUp() override {
    for (const char* file : {"sample-grants.jsonl"}) {
      Result r =
          Run(absl::StrCat("post ", GRANTLEDGER_SOURCE_DIR, "/examples/", file, " --db ", Db()));
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    Result r = Run(absl::StrCat("import-expenses ", GRANTLEDGER_SOURCE_DIR,
                                "/examples/erp-9929-2026-02.csv --db ", Db()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  TempDir dir_;
};

// The regression: after the deadline `unused` said "nothing is unused or outstanding".
TEST_F(DeadlinesCliTest, UnusedListsWhatIsOverdue) {
  Result before = Run("unused --as-of 2026-03-10 --json --db " + Db());
  ASSERT_EQ(before.exit_code, 0) << before.err;
  Result r = Run("unused --as-of 2026-04-15 --db " + Db());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, Not(HasSubstr("nothing is unused")));
  EXPECT_THAT(r.out, HasSubstr("RS/229/2025"));
  EXPECT_THAT(r.out, HasSubstr("overdue"));
  EXPECT_THAT(r.out, HasSubstr("15 days late"));
  EXPECT_THAT(r.out, HasSubstr("warning: RS/229/2025"));
}

TEST_F(DeadlinesCliTest, DueWithinExitsFiveAndReportsGetTheirStatus) {
  Result quiet = Run("obligations --as-of 2019-01-01 --due-within 1 --db " + Db());
  EXPECT_EQ(quiet.exit_code, 0) << quiet.err;
  Result due = Run("obligations --as-of 2026-03-10 --due-within 30 --db " + Db());
  EXPECT_EQ(due.exit_code, 5) << due.err;
  EXPECT_THAT(due.out, HasSubstr("due soon"));
  EXPECT_THAT(due.err, HasSubstr("due or overdue within 30 days"));
  // The 2019 and 2020 grants' reports were never recorded: overdue, so even 0 days is exit 5.
  Result reports = Run("obligations --as-of 2026-03-10 --due-within 0 --db " + Db());
  EXPECT_EQ(reports.exit_code, 5) << reports.err;
  EXPECT_THAT(reports.out, HasSubstr("overdue"));

  // A report recorded for RS/229/2025 on 2026-03-20: submitted from that day on.
  const std::string report = dir_.Sub("report.jsonl");
  std::ofstream(report)
      << R"({"event_id":"rs229-report","grant_id":"RS/229/2025","effective_date":"2026-03-20","source":"coordinator","condition_recorded":{"condition_id":"report-submitted","met":true,"note":"ekonomisk redovisning sent"}})"
      << "\n";
  Result posted = Run(absl::StrCat("post ", report, " --db ", Db()));
  ASSERT_EQ(posted.exit_code, 0) << posted.err;
  Result json = Run("obligations --as-of 2026-03-25 --json --db " + Db());
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const size_t at = json.out.find("\"grant_id\":\"RS/229/2025\"");
  ASSERT_NE(at, std::string::npos);
  EXPECT_THAT(json.out.substr(at, 1500), HasSubstr("\"reporting_status\":\"submitted\""));
  Result earlier = Run("obligations --as-of 2026-03-19 --json --db " + Db());
  EXPECT_THAT(earlier.out.substr(earlier.out.find("\"grant_id\":\"RS/229/2025\""), 1500),
              HasSubstr("\"reporting_status\":\"due soon\""));
  // The recorded report does not change what must be repaid.
  Result replay = Run("replay --db " + Db());
  EXPECT_EQ(replay.exit_code, 0) << replay.err;
}

// Summaries and the frames around errors are Swedish too (issue 16); the core's own messages
// stay English (docs/decisions.md).
TEST_F(DeadlinesCliTest, SummariesAndErrorFramesInSwedish) {
  const std::string samples = absl::StrCat(GRANTLEDGER_SOURCE_DIR, "/examples/sample-grants.jsonl");
  Result again = Run(absl::StrCat("post ", samples, " --lang sv --db ", Db()));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("bokförde 0 händelser, 245 redan i huvudboken; huvud "));
  Result dry = Run(absl::StrCat("post ", samples, " --dry-run --lang sv --db ", Db()));
  EXPECT_THAT(dry.out, HasSubstr("giltigt: 245 händelser (0 nya, 245 redan i huvudboken); "
                                 "inget skrevs"));
  Result due = Run("obligations --lang sv --as-of 2026-03-10 --due-within 30 --db " + Db());
  EXPECT_EQ(due.exit_code, 5);
  EXPECT_THAT(due.err, HasSubstr("har en återbetalning eller redovisning som förfaller"));
  const std::string csv = dir_.Sub("balans.csv");
  Result file = Run("balance RS/229/2025 --format csv --out " + csv + " --lang sv --db " + Db());
  ASSERT_EQ(file.exit_code, 0) << file.err;
  EXPECT_THAT(file.out, HasSubstr("skrev " + csv + ": "));
  EXPECT_THAT(file.out, HasSubstr("rader och en rubrikrad"));
  // A rejected file: the frame is Swedish, the rule's own message English, the prefix one.
  const std::string bad = dir_.Sub("bad.jsonl");
  std::ofstream(bad)
      << R"({"event_id":"sv-1","grant_id":"RS/404/2025","effective_date":"2025-06-30","source":"t","receipt":{"amount_ore":"100"}})"
      << "\n";
  Result rejected = Run(absl::StrCat("post ", bad, " --lang sv --db ", Db()));
  EXPECT_NE(rejected.exit_code, 0);
  EXPECT_THAT(rejected.err, HasSubstr("grantledger: " + bad + ":1: "));
  EXPECT_THAT(rejected.err, HasSubstr("grantledger: inget skrevs"));
  // English stays available.
  Result english = Run(absl::StrCat("post ", samples, " --lang en --db ", Db()));
  EXPECT_THAT(english.out, HasSubstr("posted 0 events, 245 already in the ledger"));
}

TEST_F(DeadlinesCliTest, GrantsWarnAndSwedishIsAvailable) {
  Result r = Run("grants --as-of 2026-03-10 --db " + Db());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("warning: RS/229/2025"));
  EXPECT_THAT(r.out, HasSubstr("must be repaid by 2026-03-31 (21 days left)"));
  EXPECT_THAT(r.out, HasSubstr("booked outside the usage period"));
  Result sv = Run("obligations --lang sv --as-of 2026-04-15 --db " + Db());
  ASSERT_EQ(sv.exit_code, 0) << sv.err;
  EXPECT_THAT(sv.out, HasSubstr("bidragsgivare"));
  EXPECT_THAT(sv.out, HasSubstr("förfallen"));
  EXPECT_THAT(sv.out, HasSubstr("varning: RS/229/2025"));
  Result env = Run("--lang en unused --as-of 2026-04-15 --db " + Db());
  EXPECT_THAT(env.out, HasSubstr("overdue"));
}

}  // namespace
}  // namespace grantledger
