// Issue 13's input-validation holes, in the core: every text of every event is checked (UTF-8,
// limits, control, bidirectional-formatting and byte-order-mark characters, blank ids) before
// anything is written, and an error quotes only a short escaped prefix of a bad value; an
// expense must name an activity line the grant has; a retried batch gets its original
// sequences whatever its expected versions say; depreciation_year belongs to depreciation only;
// a CSV row with more fields than its header is refused; a measured value's whole part is
// bounded before it is scaled.
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "gtest/gtest.h"
#include "ledger/csv.h"
#include "ledger/entitlement_csv.h"
#include "ledger/rules.h"
#include "ledger/store/event_store.h"
#include "ledger/text_rules.h"
#include "tests/test_support.h"

namespace grantledger {
namespace {

using ::google::protobuf::Descriptor;
using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::Message;
using ::grantledger::testing::Allocate;
using ::grantledger::testing::Envelope;
using ::grantledger::testing::IsOk;
using ::grantledger::testing::Reallocate;
using ::grantledger::testing::Receipt;
using ::grantledger::testing::RegisterGrant;
using ::grantledger::testing::Spend;
using ::grantledger::testing::StatusIs;
using ::grantledger::testing::TempDir;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kGrant[] = "RS/229/2025";
constexpr char kWindows1252[] = "K\xf6pta tj\xe4nster";  // "Köpta tjänster" saved as Windows-1252

std::unique_ptr<EventStore> OpenStore(const std::string& path) {
  EventStoreOptions options;
  options.path = path;
  options.check_invariants = true;
  auto store = EventStore::Open(options);
  EXPECT_THAT(store, IsOk());
  return std::move(*store);
}

// --- text rules -------------------------------------------------------------------------

TEST(TextRulesTest, NamesEachDefect) {
  EXPECT_EQ(TextDefect("Köpta tjänster, Nära vård, 2025-12-31"), "");
  EXPECT_THAT(TextDefect(kWindows1252), AllOf(HasSubstr("not valid UTF-8"), HasSubstr("0xF6"),
                                              HasSubstr("offset 1"), HasSubstr("save the file")));
  EXPECT_THAT(TextDefect("\xc0\xaf"), HasSubstr("not valid UTF-8"));          // overlong '/'
  EXPECT_THAT(TextDefect("\xed\xa0\x80"), HasSubstr("not valid UTF-8"));      // a surrogate
  EXPECT_THAT(TextDefect("\xf4\x90\x80\x80"), HasSubstr("not valid UTF-8"));  // > U+10FFFF
  EXPECT_THAT(TextDefect("abc\xe2\x82"), HasSubstr("not valid UTF-8"));       // cut short
  EXPECT_THAT(TextDefect("a\nb"), HasSubstr("control character U+000A"));
  EXPECT_THAT(TextDefect("a\xc2\x85"), HasSubstr("control character U+0085"));  // C1
  EXPECT_THAT(TextDefect("invoice \xe2\x80\xae"
                         "fdp.exe"),
              HasSubstr("bidirectional"));
  EXPECT_THAT(TextDefect("x\xe2\x81\xa6y"), HasSubstr("U+2066"));
  EXPECT_THAT(TextDefect("\xef\xbb\xbfp7"), HasSubstr("byte-order mark"));
  // Long runs of ASCII are checked a word at a time: a defect anywhere in them is found.
  EXPECT_THAT(TextDefect("abcdefghij\x7fklmnopqrs"), HasSubstr("U+007F at offset 10"));
  EXPECT_THAT(TextDefect("abcdefghijklmnop\x01"), HasSubstr("U+0001 at offset 16"));
  EXPECT_THAT(TextDefect("abcdefgh\xc3\xa5"
                         "bcdefgh\x1f"),
              HasSubstr("U+001F at offset 17"));
  EXPECT_THAT(TextDefect("abcdefgh\xc3\xa5"
                         "bcdefghijklmnopq\xf6"),
              HasSubstr("offset 26"));
  EXPECT_EQ(TextDefect("Inhyrd specialistläkare ortopedi vecka 26, faktura 778812 ~}"), "");
}

TEST(TextRulesTest, QuotesAShortEscapedPrefix) {
  EXPECT_EQ(QuoteForMessage("Nära vård"), "\"Nära vård\"");
  EXPECT_EQ(QuoteForMessage(kWindows1252), "\"K\\xf6pta tj\\xe4nster\"");
  EXPECT_EQ(QuoteForMessage("a\"b\n\xe2\x80\xae"), "\"a\\\"b\\n\\u{202E}\"");
  const std::string long_id(8192, 'x');
  const std::string quoted = QuoteForMessage(long_id);
  EXPECT_LT(quoted.size(), 80u);
  EXPECT_THAT(quoted, EndsWith("... (8192 bytes)"));
}

TEST(TextRulesTest, BlankIdsAreRefusedBlankOptionalTextsAreNot) {
  TextRule id{TextKind::kId, false, 128, "\"p7\""};
  EXPECT_THAT(CheckEventText("expense.division", "   ", id),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("expense.division"), HasSubstr("only white space"))));
  EXPECT_THAT(CheckEventText("expense.division", "\xc2\xa0", id),  // a no-break space
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("only white space")));
  TextRule text{TextKind::kText, false, 1024, ""};
  EXPECT_THAT(CheckEventText("expense.text", "  ", text), IsOk());
  TextRule required{TextKind::kText, true, 1024, "\"Stärkt tillgänglighet\""};
  EXPECT_THAT(CheckEventText("grant_registered.title", "  \xc2\xa0 ", required),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("only white space")));
}

// --- every string field of every event ----------------------------------------------------

// Valid events that between them set every string field an event can carry.
std::vector<v1::Event> FullyPopulatedEvents() {
  std::vector<v1::Event> out;
  v1::Event reg = RegisterGrant("reg", kGrant, 1'000'000'00);
  reg.set_external_ref("S2025/01234");
  v1::GrantRegistered* g = reg.mutable_grant_registered();
  g->set_reporting_deadline("2026-03-31");
  g->set_year("2025");
  v1::GrantCondition* c = g->add_conditions();
  c->set_condition_id("bed-data-report");
  c->set_description("Rapportera vårdplatsdata");
  auto* share = g->mutable_entitlement()->mutable_population_share();
  share->set_pot_kr(750'000'000);
  auto* r1 = share->add_recipients();
  r1->set_name("Jämtland");
  r1->set_weight(132'466);
  auto* r2 = share->add_recipients();
  r2->set_name("Västernorrland");
  r2->set_weight(244'193);
  share->set_recipient("Jämtland");
  out.push_back(reg);

  v1::Event amend = Envelope("amend", kGrant);
  v1::TermsAmended* t = amend.mutable_terms_amended();
  t->set_decision_ref("S2025/09999");
  t->set_usage_period_start("2025-01-01");
  t->set_usage_period_end("2025-12-31");
  t->set_repayment_deadline("2026-03-31");
  t->set_reporting_deadline("2026-03-31");
  t->set_cost_object("9930");
  v1::GrantCondition* c2 = t->add_add_conditions();
  c2->set_condition_id("plan");
  c2->set_description("Handlingsplan");
  auto* unit = t->mutable_entitlement()->mutable_per_unit();
  auto* category = unit->add_categories();
  category->set_name("kvalificerade platser");
  category->set_rate_kr(100'000);
  category->set_actual_count(12);
  category->add_reference_counts(10);
  out.push_back(amend);

  v1::Event allocation = Allocate("a1", kGrant, 100, "p7", "HS Kir");
  allocation.mutable_allocation()->set_description("Hyrpersonal");
  out.push_back(allocation);
  out.push_back(Reallocate("r1", kGrant, 100, "p7", "HS Kir", "p13", "Med"));
  v1::Event expense = Spend("e1", kGrant, 100, "p7", "HS Kir");
  expense.mutable_expense()->set_cost_object("9929");
  expense.mutable_expense()->set_text("Faktura 4711");
  out.push_back(expense);
  v1::Event reversal = Envelope("rev", kGrant);
  reversal.mutable_reversal()->set_reversed_sequence(3);
  reversal.mutable_reversal()->set_reason("fel aktivitet");
  out.push_back(reversal);
  v1::Event carry = Envelope("co", kGrant);
  carry.mutable_carry_over()->set_amount_ore(100);
  carry.mutable_carry_over()->set_to_grant_id("RS/28/2026");
  carry.mutable_carry_over()->set_decision_ref("S2026/00001");
  out.push_back(carry);
  v1::Event condition = Envelope("cond", kGrant);
  condition.mutable_condition_recorded()->set_condition_id("bed-data-report");
  condition.mutable_condition_recorded()->set_met(true);
  condition.mutable_condition_recorded()->set_note("Rapporterat 2026-01-15");
  out.push_back(condition);
  v1::Event correction = Spend("e2", kGrant, 100, "", "", "2025-12-31");
  correction.set_post_close_reason("faktura 4711 kom efter bokslutet");
  out.push_back(correction);
  v1::Event seal = Envelope("seal", kGrant, "2026-03-20");
  v1::Seal* sealed = seal.mutable_seal();
  sealed->set_year(2025);
  sealed->set_period_start("2025-01-01");
  sealed->set_period_end("2025-12-31");
  sealed->set_account_sha256(std::string(32, '\x01'));
  sealed->set_log_sequence(7);
  sealed->set_log_head_hash(std::string(32, '\x02'));
  sealed->set_checkpoint(
      "region.example/grantledger\n7\nAAAA\n\n\xe2\x80\x94 region.example AAAA\n");
  out.push_back(seal);
  return out;
}

// Where a field sits: the chain of (field, index in a repeated field or -1) from the event.
struct Step {
  const FieldDescriptor* field;
  int index;
};

Message* Resolve(Message* root, const std::vector<Step>& path) {
  Message* m = root;
  for (const Step& s : path) {
    const auto* reflection = m->GetReflection();
    m = s.index < 0 ? reflection->MutableMessage(m, s.field)
                    : reflection->MutableRepeatedMessage(m, s.field, s.index);
  }
  return m;
}

// Calls visit(path to the containing message, field) for every string field set in `message`.
void ForEachSetString(
    const Message& message, std::vector<Step>& path,
    const std::function<void(const std::vector<Step>&, const FieldDescriptor*)>& visit) {
  std::vector<const FieldDescriptor*> fields;
  message.GetReflection()->ListFields(message, &fields);
  for (const FieldDescriptor* f : fields) {
    if (f->type() == FieldDescriptor::TYPE_STRING) {
      ASSERT_FALSE(f->is_repeated()) << "extend this test for repeated strings: " << f->name();
      visit(path, f);
    } else if (f->type() == FieldDescriptor::TYPE_MESSAGE) {
      const auto* reflection = message.GetReflection();
      const int count = f->is_repeated() ? reflection->FieldSize(message, f) : 1;
      for (int i = 0; i < count; ++i) {
        path.push_back({f, f->is_repeated() ? i : -1});
        ForEachSetString(f->is_repeated() ? reflection->GetRepeatedMessage(message, f, i)
                                          : reflection->GetMessage(message, f),
                         path, visit);
        path.pop_back();
      }
    }
  }
}

void AllStringFields(const Descriptor* type, std::set<const Descriptor*>& seen,
                     std::set<const FieldDescriptor*>& out) {
  if (!seen.insert(type).second) return;
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* f = type->field(i);
    if (f->type() == FieldDescriptor::TYPE_STRING) out.insert(f);
    if (f->type() == FieldDescriptor::TYPE_MESSAGE) AllStringFields(f->message_type(), seen, out);
  }
}

TEST(EventShapeTest, EveryStringFieldOfEveryEventIsChecked) {
  const std::vector<std::string> bad_values = {
      kWindows1252,  // not UTF-8
      "ab\x01",      // a control character
      "p\xe2\x80\xae"
      "7",  // a right-to-left override
      "\xef\xbb\xbf"
      "p7",  // a byte-order mark
  };
  std::set<const FieldDescriptor*> checked;
  for (const v1::Event& event : FullyPopulatedEvents()) {
    ASSERT_THAT(CheckEventShape(event), IsOk()) << event.ShortDebugString();
    std::vector<Step> path;
    ForEachSetString(event, path, [&](const std::vector<Step>& at, const FieldDescriptor* field) {
      for (const std::string& bad : bad_values) {
        v1::Event copy = event;
        Message* holder = Resolve(&copy, at);
        holder->GetReflection()->SetString(holder, field, bad);
        EXPECT_THAT(CheckEventShape(copy),
                    StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(field->name())))
            << field->full_name() << " = " << QuoteForMessage(bad);
      }
      checked.insert(field);
    });
  }
  std::set<const FieldDescriptor*> all;
  std::set<const Descriptor*> seen;
  AllStringFields(v1::Event::descriptor(), seen, all);
  for (const FieldDescriptor* f : all) {
    EXPECT_TRUE(checked.contains(f)) << f->full_name() << " is not covered by this test";
  }
}

TEST(EventShapeTest, WhiteSpaceOnlyIdsAreRefused) {
  EXPECT_THAT(CheckEventShape(Receipt("   ", kGrant, 100)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("event_id"), HasSubstr("only white space"))));
  EXPECT_THAT(CheckEventShape(Receipt("r1", "\xe3\x80\x80", 100)),  // an ideographic space
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("grant_id")));
  EXPECT_THAT(CheckEventShape(Spend("e1", kGrant, 100, " ", "HS Kir")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("expense.activity")));
}

TEST(EventShapeTest, DepreciationYearOnlyOnDepreciationAndOnlyTheBookingYear) {
  v1::Event operating = Spend("e1", kGrant, 100, "", "", "2025-06-01");
  operating.mutable_expense()->set_depreciation_year(2019);
  EXPECT_THAT(CheckEventShape(operating), StatusIs(absl::StatusCode::kInvalidArgument,
                                                   AllOf(HasSubstr("expense.depreciation_year"),
                                                         HasSubstr("not depreciation"))));
  v1::Event other_year = operating;
  other_year.mutable_expense()->set_nature(v1::COST_NATURE_DEPRECIATION);
  EXPECT_THAT(CheckEventShape(other_year),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("expense.depreciation_year"), HasSubstr("2025"))));
  v1::Event this_year = other_year;
  this_year.mutable_expense()->set_depreciation_year(2025);
  EXPECT_THAT(CheckEventShape(this_year), IsOk());
}

// --- the store: nothing written ---------------------------------------------------------

TEST(InputValidationStoreTest, InvalidUtf8IsRefusedAndNothingIsWritten) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_THAT(store->Append({RegisterGrant("reg", kGrant, 1'000'00)}), IsOk());
  const Digest before = store->Head();
  v1::Event expense = Spend("erp-41007", kGrant, 100);
  expense.mutable_expense()->set_cost_group(kWindows1252);
  auto result = store->Append({Receipt("rec", kGrant, 1'000'00), expense});
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kInvalidArgument,
                               AllOf(HasSubstr("event 1"), HasSubstr("expense.cost_group"),
                                     HasSubstr("\"K\\xf6pta tj\\xe4nster\""),
                                     HasSubstr("not valid UTF-8"))));
  EXPECT_EQ(store->Head().sequence, before.sequence);
  EXPECT_EQ(store->Head().head_hash, before.head_hash);
  auto verified = store->Verify(1, 0);
  ASSERT_THAT(verified, IsOk());
  EXPECT_TRUE(verified->ok) << verified->problem;
}

TEST(InputValidationStoreTest, AHugeEventIdIsNotEchoedInFull) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  auto result = store->Append({Receipt(std::string(8192, 'x'), kGrant, 100)});
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kInvalidArgument,
                               AllOf(HasSubstr("event_id"), HasSubstr("8192 bytes"))));
  EXPECT_LT(result.status().message().size(), 400u) << result.status().message();
}

// --- activity lines -----------------------------------------------------------------------

std::vector<v1::Event> GrantWithLines() {
  return {RegisterGrant("reg", kGrant, 1'000'000'00), Receipt("rec", kGrant, 1'000'000'00),
          Allocate("a1", kGrant, 600'000'00, "p7", "HS Kir"),
          Allocate("a2", kGrant, 300'000'00, "p1", "Med")};
}

TEST(ActivityLineTest, AnExpenseOnALineTheGrantDoesNotHaveIsRefusedListingItsLines) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_THAT(store->Append(GrantWithLines()), IsOk());
  const uint64_t head = store->Head().sequence;
  EXPECT_THAT(store->Append({Spend("typo", kGrant, 100, "p71", "HS Kir")}),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("event 0"), HasSubstr("expense.activity"),
                             HasSubstr("grant RS/229/2025 has no activity line p71/HS Kir"),
                             HasSubstr("its lines are p1/Med, p7/HS Kir"))));
  // The activity exists, but not in that division: a line is activity and division.
  EXPECT_THAT(store->Append({Spend("other-division", kGrant, 100, "p7", "Med")}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("p7/Med")));
  EXPECT_EQ(store->Head().sequence, head);
  const GrantState grant = store->Grant(kGrant).value();
  EXPECT_EQ(grant.activities.size(), 2u) << "no phantom line was created";

  EXPECT_THAT(store->Append({Spend("on-line", kGrant, 100, "p7", "HS Kir")}), IsOk());
  EXPECT_THAT(store->Append({Spend("unassigned", kGrant, 100)}), IsOk());
  // A reallocation creates the line it moves money to.
  EXPECT_THAT(store->Append({Reallocate("r1", kGrant, 100, "p7", "HS Kir", "p2", "VUP"),
                             Spend("on-new-line", kGrant, 100, "p2", "VUP")}),
              IsOk());
}

TEST(ActivityLineTest, OnlyNewAppendsAreHeldToTheRuleNotTheLogWrittenBeforeIt) {
  std::optional<GrantState> grant;
  EventContext context;
  context.sequence = 1;
  ASSERT_THAT(ApplyEvent(RegisterGrant("reg", kGrant, 1'000'00), context, grant), IsOk());
  const v1::Event phantom = Spend("phantom", kGrant, 100, "p71", "HS Kir");
  context.sequence = 2;
  context.appending = true;
  EXPECT_THAT(ApplyEvent(phantom, context, grant),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("it has no lines yet")));
  context.appending = false;  // replaying a log that holds one from before the rule
  EXPECT_THAT(ApplyEvent(phantom, context, grant), IsOk());
}

// --- idempotent retries with expected versions ----------------------------------------------

TEST(IdempotentRetryTest, ARetriedBatchGetsItsOriginalSequencesWhateverItsExpectedVersions) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_THAT(store->Append(GrantWithLines()), IsOk());  // version 4
  AppendOptions options;
  options.expected_versions[kGrant] = 4;
  const std::vector<v1::Event> batch = {Spend("s1", kGrant, 100, "p7", "HS Kir"),
                                        Spend("s2", kGrant, 200, "p1", "Med")};
  auto first = store->Append(batch, options);
  ASSERT_THAT(first, IsOk());
  EXPECT_THAT(first->sequences, ElementsAre(5, 6));

  // The answer was lost; the client sends the same batch with the same expected version.
  auto retry = store->Append(batch, options);
  ASSERT_THAT(retry, IsOk());
  EXPECT_THAT(retry->sequences, ElementsAre(5, 6));
  EXPECT_THAT(retry->duplicates, ElementsAre(true, true));
  EXPECT_EQ(store->Head().sequence, 6u);

  // Partly a retry, partly new, with the stale version: the new event was decided against a
  // version that has moved on, so the batch is refused, and nothing is written.
  auto mixed = store->Append({batch[0], Spend("s3", kGrant, 300, "p7", "HS Kir")}, options);
  EXPECT_THAT(mixed,
              StatusIs(absl::StatusCode::kAborted, AllOf(HasSubstr("is at version 6, not 4"))));
  // The same id with other content is still a conflict, not a retry.
  v1::Event changed = batch[0];
  changed.mutable_expense()->set_amount_ore(101);
  EXPECT_THAT(store->Append({changed, batch[1]}, options),
              StatusIs(absl::StatusCode::kAborted, HasSubstr("version")));
  EXPECT_EQ(store->Head().sequence, 6u);
  // With the current version the mixed batch goes through; its old event is a duplicate.
  options.expected_versions[kGrant] = 6;
  auto fresh = store->Append({batch[0], Spend("s3", kGrant, 300, "p7", "HS Kir")}, options);
  ASSERT_THAT(fresh, IsOk());
  EXPECT_THAT(fresh->sequences, ElementsAre(5, 7));
}

// --- CSV and measured values ----------------------------------------------------------------

TEST(CsvShapeTest, ARowWithMoreFieldsThanTheHeaderIsRefusedNamingTheRow) {
  auto table = ParseCsv(
      "date;voucher;amount;text\n"
      "2025-06-25;41007;100,00;Hyrpersonal\n"
      "2025-06-26;41008;200,00;Hyra; lokal\n",
      "erp.csv");
  EXPECT_THAT(table, StatusIs(absl::StatusCode::kInvalidArgument,
                              AllOf(HasSubstr("erp.csv:3"), HasSubstr("5 fields"),
                                    HasSubstr("header has 4"), HasSubstr("double quotes"))));
  auto quoted = ParseCsv(
      "date;voucher;amount;text\n"
      "2025-06-26;41008;200,00;\"Hyra; lokal\"\n",
      "erp.csv");
  ASSERT_THAT(quoted, IsOk());
  EXPECT_EQ(quoted->rows[0].fields[3], "Hyra; lokal");
}

TEST(MeasuredValueTest, TheWholePartIsBoundedBeforeItIsScaled) {
  // 13 digits: below the old bound, but times 10^6 beyond int64.
  EXPECT_THAT(ParseMeasuredValueMillionths("9999999999999", "value"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("too large")));
  EXPECT_THAT(ParseMeasuredValueMillionths("99999999999999", "value"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("too large")));
  EXPECT_EQ(*ParseMeasuredValueMillionths("1000000000000,5", "value"), 1'000'000'000'000'500'000);
  MonthlyPeriod period{2024, 2, 10};
  std::vector<WeightedRecipient> population = {{"Jämtland", 132'466}};
  auto values = ParseMonthlyValuesCsv(
      "region,criterion,year,month,value\n"
      "Jämtland,beds,2024,2,6.4\n"
      "Jämtland,beds,2024,3,9999999999999\n",
      "values.csv", period, population, {});
  EXPECT_THAT(values, StatusIs(absl::StatusCode::kInvalidArgument,
                               AllOf(HasSubstr("values.csv:3"), HasSubstr("value"),
                                     HasSubstr("too large"), Not(HasSubstr("negative")))));
}

}  // namespace
}  // namespace grantledger
