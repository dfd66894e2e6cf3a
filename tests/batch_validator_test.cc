// The batch validator on its own (ledger/store/batch_validator.h), table by table: a ledger
// view built by the rules from a few events, the prefetch the store would make, and a batch.
// No RocksDB, no threads: what the store's writer does around it is tested in
// event_store_test.cc.
#include "ledger/store/batch_validator.h"

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/civil_date.h"
#include "ledger/rules.h"
#include "ledger/store/event_error.h"
#include "ledger/store/record_chain.h"
#include "tests/test_support.h"

namespace grantledger {
namespace {

using ::grantledger::testing::Allocate;
using ::grantledger::testing::Envelope;
using ::grantledger::testing::IsOk;
using ::grantledger::testing::Receipt;
using ::grantledger::testing::RegisterGrant;
using ::grantledger::testing::Reverse;
using ::grantledger::testing::Spend;
using ::grantledger::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kGrant[] = "RS/229/2025";
constexpr char kOther[] = "RS/28/2026";
constexpr int64_t kNow = 1'750'000'000'000'000;

v1::Event CarryOver(const std::string& id, const std::string& from, const std::string& to,
                    int64_t amount_ore) {
  v1::Event carry = Envelope(id, from);
  carry.mutable_carry_over()->set_amount_ore(amount_ore);
  carry.mutable_carry_over()->set_to_grant_id(to);
  carry.mutable_carry_over()->set_decision_ref("S2026/00001");
  return carry;
}

// A ledger: the events logged so far (sequence = position + 1), the grant states the rules
// made of them, and the group's batches ahead of the one under test (pending).
class Ledger {
 public:
  explicit Ledger(std::vector<v1::Event> logged) {
    for (v1::Event& event : logged) Log(std::move(event));
  }
  void Log(v1::Event event) {
    const uint64_t sequence = log_.size() + 1;
    EventContext context;
    context.sequence = sequence;
    auto target = log_.find(event.has_reversal() ? event.reversal().reversed_sequence() : 0);
    context.reversal_target = target != log_.end() ? &target->second : nullptr;
    ASSERT_THAT(ForEachGrantSide(event,
                                 [&](const std::string& grant_id, bool carry_in) {
                                   std::optional<GrantState> slot;
                                   if (auto it = grants_.find(grant_id); it != grants_.end()) {
                                     slot = it->second;
                                   }
                                   absl::Status s = ApplySide(event, context, carry_in, slot);
                                   if (slot.has_value()) grants_[grant_id] = *slot;
                                   return s;
                                 }),
                IsOk());
    ForEachGrantSide(event, [&](const std::string& grant_id, bool carry_in) {
      histories_[grant_id].Add(event, sequence, carry_in ? nullptr : context.reversal_target,
                               carry_in);
      return absl::OkStatus();
    }).IgnoreError();
    ids_[event.event_id()] = sequence;
    log_.emplace(sequence, std::move(event));
  }
  // The batches ahead in the group: validated with `plan`, not yet in the log.
  void AddPending(const BatchPlan& plan, const std::vector<v1::Event>& events,
                  const std::vector<std::string>& encodings) {
    for (const BatchPlan::NewRecord& record : plan.records) {
      pending_events_.push_back(&events[record.index]);
      pending_ids_.emplace(
          events[record.index].event_id(),
          std::make_pair(record.sequence, absl::string_view(encodings[record.index])));
    }
    for (const auto& [id, grant] : plan.grants) pending_grants_[id] = grant;
  }

  LedgerView View() const {
    LedgerView view;
    view.grants = &grants_;
    view.pending_grants = &pending_grants_;
    view.pending_ids = &pending_ids_;
    view.pending_events = &pending_events_;
    view.histories = &histories_;
    view.committed_head_hash = std::string(32, 'h');
    view.first_pending_sequence = log_.size() + 1;
    view.next_sequence = log_.size() + 1 + pending_events_.size();
    return view;
  }
  // What the store reads for `batch` before validation.
  BatchPrefetch Prefetch(const std::vector<v1::Event>& batch) const {
    BatchPrefetch prefetch;
    for (const v1::Event& event : batch) {
      auto& candidate = prefetch.candidates.emplace_back();
      if (auto it = ids_.find(event.event_id()); it != ids_.end()) {
        candidate = BatchPrefetch::StoredCandidate{
            it->second, std::make_unique<v1::Event>(log_.at(it->second))};
      }
      if (event.has_reversal()) {
        const uint64_t target = event.reversal().reversed_sequence();
        auto it = log_.find(target);
        if (unreadable_.contains(target)) {
          prefetch.reversal_targets.emplace(
              target, absl::DataLossError(absl::StrCat("log record ", target, " is damaged")));
        } else if (it != log_.end()) {
          prefetch.reversal_targets.emplace(target, std::make_unique<v1::Event>(it->second));
        } else {
          prefetch.reversal_targets.emplace(target, absl::NotFoundError("beyond the head"));
        }
      }
    }
    return prefetch;
  }
  // Reading record `sequence` from the log fails.
  void MakeUnreadable(uint64_t sequence) { unreadable_.insert(sequence); }
  const std::map<std::string, GrantState>& grants() const { return grants_; }
  uint64_t head() const { return log_.size(); }

 private:
  std::map<uint64_t, v1::Event> log_;
  std::set<uint64_t> unreadable_;
  std::map<std::string, uint64_t> ids_;
  std::map<std::string, GrantState> grants_;
  std::map<std::string, GrantHistory> histories_;
  absl::flat_hash_map<std::string, std::optional<GrantState>> pending_grants_;
  PendingIds pending_ids_;
  std::vector<const v1::Event*> pending_events_;
};

// Validates `batch` against `ledger` as the store would.
struct Validated {
  std::vector<v1::Event> events;
  std::vector<std::string> encodings;
  absl::StatusOr<BatchPlan> plan;
};
Validated Validate(const Ledger& ledger, std::vector<v1::Event> batch,
                   const AppendOptions& options = {},
                   const std::vector<RestoredMeta>& restored = {}) {
  Validated out{std::move(batch), {}, absl::UnknownError("")};
  std::vector<const v1::Event*> pointers;
  for (const v1::Event& event : out.events) {
    out.encodings.push_back(SerializeEvent(event));
    pointers.push_back(&event);
  }
  const BatchPrefetch prefetch = ledger.Prefetch(out.events);
  auto encoded = [&](size_t i) -> absl::StatusOr<absl::string_view> {
    if (absl::Status s = CheckEventShape(out.events[i]); !s.ok()) {
      return AtEvent(s, i, out.events[i]);
    }
    return absl::string_view(out.encodings[i]);
  };
  BatchInput input{pointers, encoded, &options, restored, kNow};
  out.plan = ValidateBatch(ledger.View(), prefetch, input);
  return out;
}

std::vector<v1::Event> GrantSetup() {
  return {RegisterGrant("reg", kGrant, 1'000'000'00), Receipt("rec", kGrant, 1'000'000'00),
          Allocate("a1", kGrant, 600'000'00, "p7", "HS Kir")};
}

// Idempotency: an id already stored (in the log, ahead in the group or earlier in the batch)
// with the same content is the original; with other content it is refused.
TEST(BatchValidatorTest, Idempotency) {
  struct Case {
    std::string name;
    std::vector<v1::Event> batch;
    std::vector<uint64_t> sequences;  // empty: refused
    std::vector<bool> duplicates;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"a retry gets the original sequences", GrantSetup(), {1, 2, 3}, {true, true, true}, ""},
      {"a retry mixed with new events",
       {Receipt("rec", kGrant, 1'000'000'00), Spend("s1", kGrant, 5'00)},
       {2, 4},
       {true, false},
       ""},
      {"the same id twice in a batch",
       {Spend("s", kGrant, 1), Spend("s", kGrant, 1)},
       {4, 4},
       {false, true},
       ""},
      {"a stored id with other content",
       {Receipt("rec", kGrant, 5'00)},
       {},
       {},
       "event 0 (event_id \"rec\"): event_id was already used at sequence 2"},
      {"the same id with other content later in the batch",
       {Spend("t", kGrant, 1), Spend("t", kGrant, 2)},
       {},
       {},
       "event 1 (event_id \"t\"): event_id was already used at sequence 4"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Ledger ledger(GrantSetup());
    Validated v = Validate(ledger, c.batch);
    if (c.sequences.empty()) {
      EXPECT_THAT(v.plan, StatusIs(absl::StatusCode::kAlreadyExists,
                                   AllOf(HasSubstr(c.error), HasSubstr("new event_id"))));
      continue;
    }
    ASSERT_THAT(v.plan, IsOk());
    EXPECT_THAT(v.plan->result.sequences, ElementsAreArray(c.sequences));
    EXPECT_THAT(v.plan->result.duplicates, ElementsAreArray(c.duplicates));
    size_t fresh = 0;
    for (bool duplicate : c.duplicates) fresh += duplicate ? 0 : 1;
    EXPECT_EQ(v.plan->records.size(), fresh);
    EXPECT_EQ(v.plan->ids.size(), fresh);
  }
}

TEST(BatchValidatorTest, AnIdAheadInTheGroupIsStoredAlready) {
  Ledger ledger(GrantSetup());
  Validated ahead = Validate(ledger, {Spend("s", kGrant, 1'00)});
  ASSERT_THAT(ahead.plan, IsOk());
  ledger.AddPending(*ahead.plan, ahead.events, ahead.encodings);
  Validated same = Validate(ledger, {Spend("s", kGrant, 1'00), Spend("u", kGrant, 1'00)});
  ASSERT_THAT(same.plan, IsOk());
  EXPECT_THAT(same.plan->result.sequences, ElementsAre(4, 5));
  EXPECT_THAT(same.plan->result.duplicates, ElementsAre(true, false));
  EXPECT_THAT(Validate(ledger, {Spend("s", kGrant, 2'00)}).plan,
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("sequence 4")));
}

// The id index is derived: an entry naming a record with another id refuses the batch as
// damage (DataLoss, pointing at reindex) and never admits or refuses it as a duplicate.
TEST(BatchValidatorTest, AnIndexEntryNamingAnotherIdIsDamage) {
  Ledger ledger(GrantSetup());
  std::vector<v1::Event> batch = {Spend("s", kGrant, 1'00)};
  BatchPrefetch prefetch;
  prefetch.candidates.emplace_back() =
      BatchPrefetch::StoredCandidate{2, std::make_unique<v1::Event>(Receipt("rec", kGrant, 1))};
  const std::string bytes = SerializeEvent(batch[0]);
  std::vector<const v1::Event*> pointers = {&batch[0]};
  AppendOptions options;
  auto encoded = [&](size_t) -> absl::StatusOr<absl::string_view> { return bytes; };
  EXPECT_THAT(
      ValidateBatch(ledger.View(), prefetch, BatchInput{pointers, encoded, &options, {}, kNow}),
      StatusIs(absl::StatusCode::kDataLoss,
               AllOf(HasSubstr("the id index names record 2"), HasSubstr("reindex"))));
  // A candidate the store could not read is the batch's error.
  prefetch.candidates[0]->event = absl::DataLossError("log record 2 does not parse");
  EXPECT_THAT(
      ValidateBatch(ledger.View(), prefetch, BatchInput{pointers, encoded, &options, {}, kNow}),
      StatusIs(absl::StatusCode::kDataLoss, HasSubstr("record 2")));
}

// Expected versions, and the retry rule: a batch entirely stored already, unchanged, is a
// retry of one that was applied and gets its original sequences whatever the versions say.
TEST(BatchValidatorTest, ExpectedVersions) {
  struct Case {
    std::string name;
    std::map<std::string, uint64_t> expected;
    std::vector<v1::Event> batch;
    absl::StatusCode code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"current version", {{kGrant, 3}}, {Spend("s", kGrant, 1)}, absl::StatusCode::kOk, ""},
      {"stale version",
       {{kGrant, 2}},
       {Spend("s", kGrant, 1)},
       absl::StatusCode::kAborted,
       "expected_version: grant \"RS/229/2025\" is at version 3, not 2; read it again"},
      {"a new grant expected at 0",
       {{kOther, 0}},
       {RegisterGrant("reg2", kOther, 100'00)},
       absl::StatusCode::kOk,
       ""},
      {"a missing grant is at version 0",
       {{kOther, 1}},
       {RegisterGrant("reg2", kOther, 100'00)},
       absl::StatusCode::kAborted,
       "is at version 0, not 1"},
      {"a retry of an applied batch passes a stale version",
       {{kGrant, 0}},
       GrantSetup(),
       absl::StatusCode::kOk,
       ""},
      {"a retry with one new event does not",
       {{kGrant, 0}},
       {Receipt("rec", kGrant, 1'000'000'00), Spend("s", kGrant, 1)},
       absl::StatusCode::kAborted,
       "is at version 3, not 0"},
      {"a changed retry is a version conflict first",
       {{kGrant, 0}},
       {Receipt("rec", kGrant, 5'00)},
       absl::StatusCode::kAborted,
       "is at version 3, not 0"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Ledger ledger(GrantSetup());
    AppendOptions options;
    for (const auto& [grant, version] : c.expected) options.expected_versions[grant] = version;
    Validated v = Validate(ledger, c.batch, options);
    if (c.code == absl::StatusCode::kOk) {
      EXPECT_THAT(v.plan, IsOk());
    } else {
      EXPECT_THAT(v.plan, StatusIs(c.code, HasSubstr(c.message)));
    }
  }
}

// The version a batch sees includes the batches ahead of it in the group.
TEST(BatchValidatorTest, ExpectedVersionsCountTheBatchesAhead) {
  Ledger ledger(GrantSetup());
  Validated ahead = Validate(ledger, {Spend("s", kGrant, 1'00)});
  ASSERT_THAT(ahead.plan, IsOk());
  ledger.AddPending(*ahead.plan, ahead.events, ahead.encodings);
  AppendOptions options;
  options.expected_versions[kGrant] = 3;
  EXPECT_THAT(Validate(ledger, {Spend("t", kGrant, 1'00)}, options).plan,
              StatusIs(absl::StatusCode::kAborted, HasSubstr("version 4, not 3")));
  options.expected_versions[kGrant] = 4;
  EXPECT_THAT(Validate(ledger, {Spend("t", kGrant, 1'00)}, options).plan, IsOk());
}

// A reversal's target: earlier in the batch, ahead in the group, or in the log.
TEST(BatchValidatorTest, ReversalTargets) {
  struct Case {
    std::string name;
    std::vector<v1::Event> batch;
    absl::StatusCode code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"in the log", {Reverse("v", kGrant, 3)}, absl::StatusCode::kOk, ""},
      {"ahead in the group (sequence 4)", {Reverse("v", kGrant, 4)}, absl::StatusCode::kOk, ""},
      {"earlier in the batch",
       {Spend("t", kGrant, 2'00), Reverse("v", kGrant, 5)},
       absl::StatusCode::kOk,
       ""},
      {"later in the batch",
       {Reverse("v", kGrant, 6), Spend("t", kGrant, 2'00)},
       absl::StatusCode::kNotFound,
       "event 0 (event_id \"v\")"},
      {"beyond the head",
       {Reverse("v", kGrant, 99)},
       absl::StatusCode::kNotFound,
       "event 0 (event_id \"v\")"},
      {"unreadable in the log",
       {Reverse("v", kGrant, 2)},
       absl::StatusCode::kDataLoss,
       "log record 2 is damaged"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Ledger ledger(GrantSetup());
    ledger.MakeUnreadable(2);
    Validated ahead = Validate(ledger, {Spend("s", kGrant, 1'00)});
    ASSERT_THAT(ahead.plan, IsOk());
    ledger.AddPending(*ahead.plan, ahead.events, ahead.encodings);
    Validated v = Validate(ledger, c.batch);
    if (c.code == absl::StatusCode::kOk) {
      ASSERT_THAT(v.plan, IsOk());
      // The reversal cancels its target's postings.
      const uint64_t target = c.batch.back().reversal().reversed_sequence();
      const GrantState& grant = *v.plan->grants.at(kGrant);
      EXPECT_EQ(grant.event_count, 4u + c.batch.size());
      EXPECT_GT(target, 0u);
    } else {
      EXPECT_THAT(v.plan, StatusIs(c.code, HasSubstr(c.message)));
    }
  }
}

// A carry-over books on two grants: both states change, both get the sequence in their index
// and an addition in their history; a missing receiving grant refuses the event.
TEST(BatchValidatorTest, CarryOverTouchesBothGrants) {
  Ledger ledger(GrantSetup());
  ledger.Log(RegisterGrant("reg2", kOther, 500'000'00, "2026-01-01", "2026-12-31", "2027-03-31"));
  Validated v = Validate(ledger, {CarryOver("co", kGrant, kOther, 100'000'00)});
  ASSERT_THAT(v.plan, IsOk());
  EXPECT_EQ(v.plan->grants.at(kGrant)->event_count, 4u);
  EXPECT_TRUE(v.plan->grants.at(kOther).has_value());
  EXPECT_THAT(v.plan->changes.at(kGrant).sequences, ElementsAre(5));
  EXPECT_THAT(v.plan->changes.at(kOther).sequences, ElementsAre(5));
  EXPECT_EQ(v.plan->changes.at(kGrant).additions.size(), 1u);
  EXPECT_EQ(v.plan->changes.at(kOther).additions.size(), 1u);

  Ledger alone(GrantSetup());
  EXPECT_THAT(Validate(alone, {CarryOver("co", kGrant, kOther, 100'000'00)}).plan,
              StatusIs(absl::StatusCode::kNotFound,
                       AllOf(HasSubstr("event 0 (event_id \"co\")"), HasSubstr(kOther))));
}

// A dry run says what would be assigned and plans nothing to write.
TEST(BatchValidatorTest, DryRunPlansNothing) {
  Ledger ledger(GrantSetup());
  AppendOptions options;
  options.dry_run = true;
  Validated v =
      Validate(ledger, {Receipt("rec", kGrant, 1'000'000'00), Spend("s", kGrant, 1)}, options);
  ASSERT_THAT(v.plan, IsOk());
  EXPECT_THAT(v.plan->result.sequences, ElementsAre(2, 4));
  EXPECT_THAT(v.plan->result.duplicates, ElementsAre(true, false));
  EXPECT_THAT(v.plan->records, IsEmpty());
  EXPECT_TRUE(v.plan->grants.empty());
  EXPECT_TRUE(v.plan->changes.empty());
  EXPECT_TRUE(v.plan->ids.empty());
  // A dry run is refused like the real batch.
  EXPECT_THAT(Validate(ledger, {Allocate("a2", kGrant, 500'000'00, "p1", "Med")}, options).plan,
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("event 0")));
}

// Restored records keep their exported sequence and recorded time, or are refused.
TEST(BatchValidatorTest, VerbatimRestore) {
  AppendOptions verbatim;
  verbatim.verbatim = true;
  Ledger ledger(GrantSetup());
  auto meta = [](uint64_t sequence, int64_t time) {
    RestoredMeta m;
    m.sequence = sequence;
    m.recorded_time_unix_micros = time;
    return m;
  };
  Validated ok = Validate(ledger, {Spend("s", kGrant, 1), Spend("t", kGrant, 1)}, verbatim,
                          {meta(4, 10), meta(5, 20)});
  ASSERT_THAT(ok.plan, IsOk());
  ASSERT_EQ(ok.plan->records.size(), 2u);
  EXPECT_EQ(ok.plan->records[0].recorded_time_unix_micros, 10);
  EXPECT_EQ(ok.plan->records[1].recorded_time_unix_micros, 20);

  EXPECT_THAT(Validate(ledger, {Spend("s", kGrant, 1)}, verbatim, {meta(7, 10)}).plan,
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("record 7: the ledger's next sequence is 4; restore an export "
                                 "from its first record into a new, empty data directory")));
  EXPECT_THAT(
      Validate(ledger, {Receipt("rec", kGrant, 1'000'000'00)}, verbatim, {meta(4, 10)}).plan,
      StatusIs(absl::StatusCode::kDataLoss,
               HasSubstr("record 4: event_id \"rec\" is already at sequence 2; the "
                         "export was altered")));
}

// New records are planned in order: sequences from the view's next, the batch's recorded time,
// one by_grant run and one history addition per record and grant, and the new ids.
TEST(BatchValidatorTest, ThePlanOfANewBatch) {
  Ledger ledger(GrantSetup());
  Validated v = Validate(
      ledger, {Spend("s", kGrant, 1), Receipt("rec", kGrant, 1'000'000'00), Spend("t", kGrant, 2)});
  ASSERT_THAT(v.plan, IsOk());
  ASSERT_EQ(v.plan->records.size(), 2u);
  EXPECT_EQ(v.plan->records[0].index, 0u);
  EXPECT_EQ(v.plan->records[1].index, 2u);
  EXPECT_EQ(v.plan->records[1].sequence, 5u);
  EXPECT_EQ(v.plan->records[1].recorded_time_unix_micros, kNow);
  EXPECT_THAT(v.plan->changes.at(kGrant).sequences, ElementsAre(4, 5));
  EXPECT_EQ(v.plan->changes.at(kGrant).additions.size(), 2u);
  EXPECT_EQ(v.plan->ids.size(), 2u);
  EXPECT_EQ(v.plan->ids.at("t").first, 5u);
  EXPECT_EQ(v.plan->grants.at(kGrant)->event_count, 5u);
}

// A rejected batch leaves no trace: the view is unchanged, and the same ids are free to use.
TEST(BatchValidatorTest, ARejectedBatchLeavesNoTrace) {
  Ledger ledger(GrantSetup());
  Validated ahead = Validate(ledger, {Spend("s", kGrant, 1'00)});
  ASSERT_THAT(ahead.plan, IsOk());
  ledger.AddPending(*ahead.plan, ahead.events, ahead.encodings);
  const std::map<std::string, GrantState> grants_before = ledger.grants();
  const LedgerView before = ledger.View();
  const size_t pending_ids = before.pending_ids->size();
  const size_t pending_events = before.pending_events->size();
  const GrantState pending_grant = *before.pending_grants->at(kGrant);

  // The third event allocates beyond the decided amount.
  Validated rejected = Validate(ledger, {Spend("t", kGrant, 100'00, "p7", "HS Kir"),
                                         Allocate("a2", kGrant, 300'000'00, "p13", "Med"),
                                         Allocate("a3", kGrant, 100'000'01, "p1", "Regionen")});
  EXPECT_THAT(rejected.plan, StatusIs(absl::StatusCode::kFailedPrecondition,
                                      AllOf(HasSubstr("event 2"), HasSubstr("\"a3\""),
                                            HasSubstr("allocation.amount_ore"))));
  EXPECT_EQ(ledger.grants(), grants_before);
  const LedgerView after = ledger.View();
  EXPECT_EQ(after.pending_ids->size(), pending_ids);
  EXPECT_EQ(after.pending_events->size(), pending_events);
  EXPECT_EQ(*after.pending_grants->at(kGrant), pending_grant);
  EXPECT_EQ(after.next_sequence, before.next_sequence);

  Validated again = Validate(ledger, {Spend("t", kGrant, 100'00, "p7", "HS Kir"),
                                      Allocate("a2", kGrant, 300'000'00, "p13", "Med")});
  ASSERT_THAT(again.plan, IsOk());
  EXPECT_THAT(again.plan->result.sequences, ElementsAre(5, 6));
}

// A shape error (from the encoding) is reported at its event, after the errors of the events
// before it: the batch is judged in order.
TEST(BatchValidatorTest, ErrorsComeInTheBatchsOrder) {
  Ledger ledger(GrantSetup());
  v1::Event bad = Receipt("bad", kGrant, 0);  // not a positive amount
  EXPECT_THAT(Validate(ledger, {Spend("s", kGrant, 1), bad}).plan,
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("event 1")));
  EXPECT_THAT(Validate(ledger, {Allocate("a2", kGrant, 500'000'00, "p1", "Med"), bad}).plan,
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("event 0")));
}

// A seal is checked against the committed history and head: it passes when it names them, and
// is refused when records of its group are ahead of it (they are not in the history yet).
TEST(BatchValidatorTest, ASealIsCheckedAgainstTheCommittedLedger) {
  Ledger ledger({RegisterGrant("reg", kGrant, 1'000'000'00),
                 Receipt("rec", kGrant, 1'000'000'00, "2025-02-01"),
                 Spend("e1", kGrant, 200'000'00, "", "", "2025-06-01")});
  v1::Event seal = Envelope("seal", kGrant, "2026-03-20");
  v1::Seal* s = seal.mutable_seal();
  s->set_year(2025);
  const SealFacts facts = SealFactsFor(seal, ledger.View(), 4);
  ASSERT_THAT(facts.account, IsOk());
  EXPECT_EQ(facts.last_sequence, 3u);
  s->set_period_start(FormatCivilDay(facts.account->period.start));
  s->set_period_end(FormatCivilDay(facts.account->period.end));
  s->set_account_sha256(facts.account_sha256);
  s->set_log_sequence(3);
  s->set_log_head_hash(std::string(32, 'h'));
  Validated sealed = Validate(ledger, {seal});
  ASSERT_THAT(sealed.plan, IsOk());
  EXPECT_TRUE(sealed.plan->grants.at(kGrant)->seals.contains(2025));

  Validated ahead = Validate(ledger, {Spend("e2", kGrant, 1'00, "", "", "2025-07-01")});
  ASSERT_THAT(ahead.plan, IsOk());
  ledger.AddPending(*ahead.plan, ahead.events, ahead.encodings);
  EXPECT_THAT(Validate(ledger, {seal}).plan,
              StatusIs(absl::StatusCode::kAborted, HasSubstr("event 0 (event_id \"seal\")")));
}

}  // namespace
}  // namespace grantledger
