// Sealed years as pure rules (ledger/seal.h, ledger/rules_seal.cc): the period a year seals,
// the canonical account, what a seal refuses, and what it closes afterwards.
#include <map>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/civil_date.h"
#include "ledger/ledger_state.h"
#include "ledger/rules.h"
#include "ledger/seal.h"
#include "ledger/status_macros.h"
#include "ledger/tlog/note.h"
#include "tests/test_support.h"

namespace grantledger {
namespace {

using ::grantledger::testing::Envelope;
using ::grantledger::testing::IsOk;
using ::grantledger::testing::Receipt;
using ::grantledger::testing::RegisterGrant;
using ::grantledger::testing::Spend;
using ::grantledger::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr char kGrant[] = "RS/229/2025";

GrantTerms Terms(absl::CivilDay start, absl::CivilDay end) {
  GrantTerms t;
  t.usage_period_start = start;
  t.usage_period_end = end;
  return t;
}

TEST(SealPeriodTest, TheGrantsYearIsItsUsagePeriodWithinTheCalendarYear) {
  auto whole =
      SealPeriodOf(kGrant, Terms(absl::CivilDay(2025, 1, 1), absl::CivilDay(2025, 12, 31)), 2025);
  ASSERT_THAT(whole, IsOk());
  EXPECT_EQ(whole->start, absl::CivilDay(2025, 1, 1));
  EXPECT_EQ(whole->end, absl::CivilDay(2025, 12, 31));
  // A period over two years is reported a year at a time.
  const GrantTerms spanning = Terms(absl::CivilDay(2024, 7, 1), absl::CivilDay(2025, 6, 30));
  auto first = SealPeriodOf(kGrant, spanning, 2024);
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(first->start, absl::CivilDay(2024, 7, 1));
  EXPECT_EQ(first->end, absl::CivilDay(2024, 12, 31));
  auto second = SealPeriodOf(kGrant, spanning, 2025);
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ(second->start, absl::CivilDay(2025, 1, 1));
  EXPECT_EQ(second->end, absl::CivilDay(2025, 6, 30));
  EXPECT_THAT(SealPeriodOf(kGrant, spanning, 2026),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("2024-07-01–2025-06-30"), HasSubstr("no day in 2026"))));
}

TEST(SealPeriodTest, TheCanonicalAccountIsDocumentedLineByLine) {
  FinancialAccount a;
  a.grant_id = kGrant;
  a.as_of_date = absl::CivilDay(2025, 12, 31);
  a.disposable_ore = Ore(25'000'000);
  a.used_ore = Ore(23'405'400);
  a.remaining_ore = Ore(1'594'600);
  a.lines = {{"Samråd", "Köpta tjänster", Ore(23'000'000)}, {"Samråd", "", Ore(405'400)}};
  EXPECT_EQ(CanonicalAccount(a),
            "grantledger-account-v1\ngrant\tRS/229/2025\nas_of\t2025-12-31\n"
            "disposable_ore\t25000000\nused_ore\t23405400\nremaining_ore\t1594600\n"
            "line\tSamråd\tKöpta tjänster\t23000000\nline\tSamråd\t\t405400\n");
}

// A grant after a few events, the way the store holds it.
class SealRulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(Apply(RegisterGrant("reg", kGrant, 1'000'000'00)), IsOk());
    ASSERT_THAT(Apply(Receipt("rec", kGrant, 1'000'000'00, "2025-02-01")), IsOk());
    ASSERT_THAT(Apply(Spend("e1", kGrant, 200'000'00, "", "", "2025-06-01")), IsOk());
  }
  absl::Status Apply(const v1::Event& event, const SealFacts* facts = nullptr) {
    GL_RETURN_IF_ERROR(CheckEventShape(event));
    EventContext context;
    context.sequence = ++sequence_;
    context.seal_facts = facts;
    std::optional<GrantState> before = grant_;
    absl::Status s = ApplyEvent(event, context, grant_);
    if (!s.ok()) {
      EXPECT_EQ(grant_, before) << "a refused event changed the state";
      --sequence_;
    }
    return s;
  }
  static v1::Event Seal(const std::string& id, int32_t year, const std::string& date) {
    v1::Event e = Envelope(id, kGrant, date);
    v1::Seal* s = e.mutable_seal();
    s->set_year(year);
    s->set_period_start(absl::StrCat(year, "-01-01"));
    s->set_period_end(absl::StrCat(year, "-12-31"));
    s->set_account_sha256(std::string(32, 'a'));
    s->set_log_sequence(3);
    s->set_log_head_hash(std::string(32, 'h'));
    return e;
  }
  // What the store would find for Seal(...) at sequence 4.
  static SealFacts Facts() {
    SealFacts f;
    f.last_sequence = 3;
    f.last_hash = std::string(32, 'h');
    SealedAccount account;
    account.period = SealPeriod{2025, absl::CivilDay(2025, 1, 1), absl::CivilDay(2025, 12, 31)};
    f.account = account;
    f.account_sha256 = std::string(32, 'a');
    return f;
  }
  std::optional<GrantState> grant_;
  uint64_t sequence_ = 0;
};

TEST_F(SealRulesTest, ASealMatchingTheLedgerIsAcceptedOnceAndClosesItsPeriod) {
  const SealFacts facts = Facts();
  ASSERT_THAT(Apply(Seal("seal", 2025, "2026-03-20"), &facts), IsOk());
  ASSERT_EQ(grant_->seals.size(), 1u);
  EXPECT_EQ(grant_->seals.at(2025).sequence, 4u);
  // A second seal of the year.
  EXPECT_THAT(Apply(Seal("seal2", 2025, "2026-04-01")),
              StatusIs(absl::StatusCode::kAlreadyExists,
                       AllOf(HasSubstr("2025 of grant RS/229/2025 is already sealed"),
                             HasSubstr("sequence 4"))));
  // A late expense dated in the year: refused, naming the seal.
  EXPECT_THAT(Apply(Spend("late", kGrant, 100, "", "", "2025-12-31")),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("year 2025 (2025-01-01–2025-12-31) is sealed"),
                             HasSubstr("seal at sequence 4"), HasSubstr("post_close_reason"))));
  // Dated before the period too: the account per its end counts it.
  EXPECT_THAT(Apply(Receipt("early", kGrant, 100, "2024-12-15")),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("seal at sequence 4")));
  // With a reason it is a correction after the close.
  v1::Event correction = Spend("corr", kGrant, 100, "", "", "2025-12-31");
  correction.set_post_close_reason("faktura 4711 kom efter bokslutet");
  EXPECT_THAT(Apply(correction), IsOk());
  // After the period, nothing is closed.
  EXPECT_THAT(Apply(Spend("next", kGrant, 100, "", "", "2026-01-02")), IsOk());
  // The seals survive a checkpoint.
  LedgerState state;
  state.grants.emplace(kGrant, *grant_);
  auto restored = FromCheckpoint(ToCheckpoint(state));
  ASSERT_THAT(restored, IsOk());
  EXPECT_EQ(restored->grants.at(kGrant), *grant_);
}

TEST_F(SealRulesTest, ASealThatDoesNotMatchTheLedgerIsRefused) {
  SealFacts wrong_digest = Facts();
  wrong_digest.account_sha256 = std::string(32, 'b');
  EXPECT_THAT(
      Apply(Seal("seal", 2025, "2026-03-20"), &wrong_digest),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               AllOf(HasSubstr("seal.account_sha256"), HasSubstr("as recorded up to sequence 3"))));
  SealFacts moved_on = Facts();
  moved_on.last_sequence = 5;
  EXPECT_THAT(Apply(Seal("seal", 2025, "2026-03-20"), &moved_on),
              StatusIs(absl::StatusCode::kAborted, HasSubstr("seal again")));
  SealFacts other_hash = Facts();
  other_hash.last_hash = std::string(32, 'x');
  EXPECT_THAT(Apply(Seal("seal", 2025, "2026-03-20"), &other_hash),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("seal.log_head_hash")));
  SealFacts other_period = Facts();
  other_period.account->period.end = absl::CivilDay(2025, 6, 30);
  EXPECT_THAT(Apply(Seal("seal", 2025, "2026-03-20"), &other_period),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("reporting period for 2025 is 2025-01-01–2025-06-30")));
  // Dated inside the period it seals.
  const SealFacts facts = Facts();
  EXPECT_THAT(Apply(Seal("seal", 2025, "2025-12-31"), &facts),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not after the sealed")));
  // Malformed: a short digest, a reason on the seal itself.
  v1::Event short_digest = Seal("seal", 2025, "2026-03-20");
  short_digest.mutable_seal()->set_account_sha256("abc");
  EXPECT_THAT(Apply(short_digest),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("seal.account_sha256")));
  v1::Event with_reason = Seal("seal", 2025, "2026-03-20");
  with_reason.set_post_close_reason("x");
  EXPECT_THAT(Apply(with_reason),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("post_close_reason")));
  EXPECT_TRUE(grant_->seals.empty());
}

// A seal's checkpoint is checked against the log's tree before the record before the seal:
// a checkpoint of another size, of another root (another log, or an altered history), or not
// a checkpoint at all is refused, naming the field; the right one is kept.
TEST_F(SealRulesTest, ASealsCheckpointMustBeTheLogsTreeAtTheRecordBeforeIt) {
  const std::string root(32, 'r');
  absl::StatusOr<NoteSigner> signer = NoteSigner::Generate("region.example/grantledger");
  ASSERT_THAT(signer, IsOk());
  auto checkpoint = [&](uint64_t size, const std::string& of_root) {
    absl::StatusOr<std::string> note =
        signer->Sign(CheckpointBody({"region.example/grantledger", size, of_root}));
    EXPECT_THAT(note, IsOk());
    return note.value_or("");
  };
  auto sealed_with = [&](const std::string& text) {
    v1::Event seal = Seal("seal", 2025, "2026-03-20");
    seal.mutable_seal()->set_checkpoint(text);
    return seal;
  };
  SealFacts facts = Facts();
  facts.tree_root = root;
  EXPECT_THAT(Apply(sealed_with(checkpoint(2, root)), &facts),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("seal.checkpoint"), HasSubstr("tree of 2 records"),
                             HasSubstr("follows record 3"))));
  EXPECT_THAT(Apply(sealed_with(checkpoint(3, std::string(32, 'x'))), &facts),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("seal.checkpoint"), HasSubstr("not a checkpoint of this "
                                                                     "log"))));
  EXPECT_THAT(Apply(sealed_with("region.example/grantledger\n3\nnot a signed note\n"), &facts),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("seal.checkpoint"), HasSubstr("not a signed note"))));
  SealFacts no_tree = Facts();
  no_tree.tree_root = absl::FailedPreconditionError("the ledger's Merkle tree is not open");
  EXPECT_THAT(Apply(sealed_with(checkpoint(3, root)), &no_tree),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("cannot be checked")));
  EXPECT_TRUE(grant_->seals.empty());
  EXPECT_THAT(Apply(sealed_with(checkpoint(3, root)), &facts), IsOk());
  EXPECT_EQ(grant_->seals.size(), 1u);
}

TEST_F(SealRulesTest, ACarryOverIntoASealedYearNeedsAReason) {
  const SealFacts facts = Facts();
  ASSERT_THAT(Apply(Seal("seal", 2025, "2026-03-20"), &facts), IsOk());
  v1::Event carry = Envelope("co", "RS/1/2024", "2025-06-30");
  carry.mutable_carry_over()->set_amount_ore(100);
  carry.mutable_carry_over()->set_to_grant_id(kGrant);
  carry.mutable_carry_over()->set_decision_ref("S2025/1");
  EventContext context;
  context.sequence = 9;
  EXPECT_THAT(ApplyCarryIn(carry, context, grant_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("seal at sequence 4")));
  carry.set_post_close_reason("överföring beslutad i efterhand");
  EXPECT_THAT(ApplyCarryIn(carry, context, grant_), IsOk());
}

TEST(SealTrackerTest, FlagsOnlyEventsRecordedAfterASealOfTheirPeriod) {
  SealTracker tracker;
  v1::Event seal = Envelope("seal", kGrant, "2026-03-20");
  seal.mutable_seal()->set_year(2025);
  seal.mutable_seal()->set_period_start("2025-01-01");
  seal.mutable_seal()->set_period_end("2025-12-31");
  EXPECT_FALSE(tracker.Observe(Spend("before", kGrant, 1, "", "", "2025-06-01"), 3));
  EXPECT_FALSE(tracker.Observe(seal, 4));
  auto flagged = tracker.Observe(Spend("after", kGrant, 1, "", "", "2025-12-31"), 5);
  ASSERT_TRUE(flagged.has_value());
  EXPECT_EQ(flagged->year, 2025);
  EXPECT_EQ(flagged->sequence, 4u);
  EXPECT_FALSE(tracker.Observe(Spend("next", kGrant, 1, "", "", "2026-01-01"), 6));
  EXPECT_FALSE(tracker.Observe(Spend("other", "RS/1/2024", 1, "", "", "2025-06-01"), 7));
}

}  // namespace
}  // namespace grantledger
