// Sealed years end to end: the built `grantledger` against a real server and against a data
// directory (real RocksDB), and appends over real gRPC. A seal, a refused late event, an
// accepted post-close correction flagged in the reports, `account --as-sealed` equal byte for
// byte to what `seal` printed (also after later events), a second seal and a wrong digest
// refused, and `verify-seal` catching a log that was rewritten and rechained under a seal.
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grantledger/v1/ledger_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "ledger/store/merkle_store.h"
#include "ledger/store/record_chain.h"
#include "ledger/store/seal_digest.h"
#include "ledger/tlog/note.h"
#include "tests/grpc_test_support.h"
#include "tests/test_support.h"

namespace grantledger::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kGrant[] = "RS/229/2025";

v1::Event Expense(const std::string& id, int64_t amount_ore, const std::string& date,
                  const std::string& purpose, const std::string& cost_group) {
  v1::Event e = Spend(id, kGrant, amount_ore, "", "", date);
  e.mutable_expense()->set_purpose(purpose);
  e.mutable_expense()->set_cost_group(cost_group);
  return e;
}

// A 2025 grant: 250 000 kr received, costs by purpose and cost group during the year.
std::vector<v1::Event> YearOfEvents() {
  return {RegisterGrant("reg", kGrant, 250'000'00),
          Receipt("rec", kGrant, 250'000'00, "2025-02-01"),
          Expense("e1", 120'000'00, "2025-03-15", "Samråd", "Köpta tjänster"),
          Expense("e2", 84'054'00, "2025-09-30", "Samråd", "Personal"),
          Expense("e3", 30'000'00, "2025-12-31", "Information", "Tryck")};
}

absl::StatusOr<std::unique_ptr<EventStore>> OpenStore(const std::string& path) {
  EventStoreOptions options;
  options.path = path;
  return EventStore::Open(options);
}

class SealServerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_THAT(server_.store().Append(YearOfEvents()), IsOk()); }
  CliResult Cli(const std::string& args) {
    return RunCli(dir_, absl::StrCat(args, " --server ", server_.address()));
  }
  grpc::Status AppendOverGrpc(const v1::Event& event) {
    auto stub = v1::LedgerService::NewStub(NewChannel(server_.address()));
    v1::AppendResponse response;
    return AppendEvents(*stub, {event}, &response);
  }
  TempDir dir_;
  TestServer server_;
};

TEST_F(SealServerTest, SealRefusesLateEventsFlagsCorrectionsAndReproducesTheAccount) {
  const CliResult before = Cli(absl::StrCat("account ", kGrant, " --as-of 2025-12-31"));
  ASSERT_EQ(before.exit_code, 0) << before.err;

  const CliResult sealed = Cli(absl::StrCat("seal ", kGrant, " --period 2025 --date 2026-03-20"));
  ASSERT_EQ(sealed.exit_code, 0) << sealed.err;
  // `seal` prints the account it sealed, exactly as `account` printed it, then the seal.
  EXPECT_THAT(sealed.out, StartsWith(before.out));
  EXPECT_THAT(sealed.out, HasSubstr("Låst år 2025 (2025-01-01–2025-12-31) den 2026-03-20, "
                                    "löpnummer 6; redovisningen som registrerad till och med "
                                    "löpnummer 5"));
  // The server's signed checkpoint of the tree at the seal's log point (record 5).
  EXPECT_THAT(sealed.out, HasSubstr("kontrollpunkt:\ngrantledger\n5\n"));
  const CliResult as_sealed = Cli(absl::StrCat("account ", kGrant, " --as-sealed"));
  ASSERT_EQ(as_sealed.exit_code, 0) << as_sealed.err;
  EXPECT_EQ(as_sealed.out, sealed.out);

  // A late expense dated in the sealed year is refused over gRPC, naming the seal.
  const v1::Event late = Expense("late", 5'000'00, "2025-12-31", "Samråd", "Personal");
  EXPECT_THAT(AppendOverGrpc(late),
              GrpcStatusIs(grpc::StatusCode::FAILED_PRECONDITION,
                           AllOf(HasSubstr("year 2025 (2025-01-01–2025-12-31) is sealed"),
                                 HasSubstr("seal at sequence 6"), HasSubstr("post_close_reason"))));
  // An event after the period changes nothing of the sealed account.
  ASSERT_TRUE(AppendOverGrpc(Expense("jan", 1'000'00, "2026-01-15", "Samråd", "Personal")).ok());
  EXPECT_EQ(Cli(absl::StrCat("account ", kGrant, " --as-sealed --period 2025")).out, sealed.out);

  // The same expense as a correction after the close, with its reason: accepted, flagged.
  v1::Event correction = late;
  correction.set_event_id("late-corrected");
  correction.set_post_close_reason("faktura 4711 kom efter bokslutet");
  ASSERT_TRUE(AppendOverGrpc(correction).ok());
  const CliResult with_correction = Cli(absl::StrCat("account ", kGrant, " --as-sealed"));
  ASSERT_EQ(with_correction.exit_code, 0) << with_correction.err;
  EXPECT_THAT(with_correction.out, StartsWith(sealed.out));  // the sealed account, unchanged
  EXPECT_THAT(
      with_correction.out,
      AllOf(HasSubstr("Registrerade efter låsningen"), HasSubstr("(registrerad efter låsningen)"),
            HasSubstr("faktura 4711 kom efter bokslutet"), HasSubstr("2025, löpnummer 6"),
            HasSubstr("Med rättelserna per 2025-12-31: disponibelt 250 000 kr, "
                      "använt 239 054 kr, kvar 10 946 kr")));
  // The account per the year's end now counts the correction, and says so.
  const CliResult now = Cli(absl::StrCat("account ", kGrant, " --as-of 2025-12-31"));
  EXPECT_THAT(now.out, AllOf(HasSubstr("239 054 kr"), HasSubstr("Registrerade efter låsningen"),
                             HasSubstr("faktura 4711")));
  // The account as recorded before the correction does not list it.
  const CliResult earlier =
      Cli(absl::StrCat("account ", kGrant, " --as-of 2025-12-31 --recorded-as-of 5"));
  EXPECT_EQ(earlier.out, before.out);
  // History flags it.
  const CliResult history = Cli(absl::StrCat("history ", kGrant));
  EXPECT_THAT(history.out, HasSubstr("expense (recorded after the seal 2025, 6)"));
  EXPECT_THAT(history.out, HasSubstr("seal"));
  const CliResult history_json = Cli(absl::StrCat("history ", kGrant, " --json"));
  EXPECT_THAT(history_json.out,
              HasSubstr("\"recorded_after_seal\":{\"year\":2025,\"seal_sequence\":\"6\"}"));

  // A second seal of the same year is refused.
  const CliResult again = Cli(absl::StrCat("seal ", kGrant, " --period 2025 --date 2026-04-01"));
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_THAT(again.err, HasSubstr("2025 of grant RS/229/2025 is already sealed (seal at "
                                   "sequence 6"));

  // The independent check recomputes the sealed account from the log.
  const CliResult verified = Cli(absl::StrCat("verify-seal ", kGrant, " --period 2025"));
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_THAT(verified.out, HasSubstr("intact"));
}

TEST_F(SealServerTest, ASealWhoseDigestOrLogPointIsNotTheLedgersIsRefused) {
  const Digest head = server_.store().Head();
  auto sealed = SealedAccountAt(
      kGrant, 2025, 0, [&](const AsOf& as_of) { return server_.store().Position(kGrant, as_of); });
  ASSERT_THAT(sealed, IsOk());
  v1::Event seal = Envelope("seal", kGrant, "2026-03-20");
  v1::Seal* s = seal.mutable_seal();
  s->set_year(2025);
  s->set_period_start("2025-01-01");
  s->set_period_end("2025-12-31");
  s->set_log_sequence(head.sequence);
  s->set_log_head_hash(head.head_hash);
  // The digest of another account (one öre more used).
  SealedAccount other = *sealed;
  other.account.used_ore = Ore(other.account.used_ore.value() + 1);
  other.canonical = CanonicalAccount(other.account);
  s->set_account_sha256(SealedAccountSha256(other));
  EXPECT_THAT(AppendOverGrpc(seal), GrpcStatusIs(grpc::StatusCode::FAILED_PRECONDITION,
                                                 AllOf(HasSubstr("seal.account_sha256"),
                                                       HasSubstr("as recorded up to sequence 5"))));
  // The right digest at an old log point: the ledger moved on (ABORTED: seal again).
  s->set_account_sha256(SealedAccountSha256(*sealed));
  s->set_log_sequence(head.sequence - 1);
  EXPECT_THAT(AppendOverGrpc(seal),
              GrpcStatusIs(grpc::StatusCode::ABORTED, HasSubstr("seal again")));
  s->set_log_sequence(head.sequence);
  // A signed checkpoint that is not this log's tree before the seal: of another root (another
  // log, or a rewritten history), or of another size. The store checks both against its tree.
  auto signer = NoteSigner::Generate("region.example/grantledger");
  ASSERT_THAT(signer, IsOk());
  auto root = server_.store().Tree().Root(head.sequence);
  ASSERT_THAT(root, IsOk());
  auto checkpoint = [&](uint64_t size, const std::string& of_root) {
    return signer->Sign(CheckpointBody({"region.example/grantledger", size, of_root})).value();
  };
  s->set_checkpoint(checkpoint(head.sequence, std::string(32, '\x07')));
  EXPECT_THAT(AppendOverGrpc(seal), GrpcStatusIs(grpc::StatusCode::FAILED_PRECONDITION,
                                                 AllOf(HasSubstr("seal.checkpoint"),
                                                       HasSubstr("not a checkpoint of this log"))));
  s->set_checkpoint(checkpoint(head.sequence - 1, *root));
  EXPECT_THAT(AppendOverGrpc(seal),
              GrpcStatusIs(grpc::StatusCode::FAILED_PRECONDITION, HasSubstr("tree of 4 records")));
  EXPECT_EQ(server_.store().Head().sequence, head.sequence);
  // Right in every field, the checkpoint of the log's own tree included: accepted.
  s->set_checkpoint(checkpoint(head.sequence, *root));
  EXPECT_TRUE(AppendOverGrpc(seal).ok());
  EXPECT_EQ(server_.store().Head().sequence, head.sequence + 1);
}

// A data directory: `seal --db`, the seal kept across reopening, and `verify-seal` against a
// copy whose log was rewritten under the seal and rechained (which `verify` cannot see).
TEST(SealDataDirTest, VerifySealDetectsARewrittenAndRechainedLog) {
  TempDir dir;
  const std::string db = dir.Sub("ledger");
  {
    auto store = OpenStore(db);
    ASSERT_THAT(store, IsOk());
    ASSERT_THAT((*store)->Append(YearOfEvents()), IsOk());
  }
  const CliResult sealed =
      RunCli(dir, absl::StrCat("seal ", kGrant, " --period 2025 --date 2026-03-20 --db ", db));
  ASSERT_EQ(sealed.exit_code, 0) << sealed.err;
  EXPECT_EQ(RunCli(dir, absl::StrCat("account ", kGrant, " --as-sealed --db ", db)).out,
            sealed.out);
  EXPECT_EQ(RunCli(dir, absl::StrCat("verify-seal ", kGrant, " --period 2025 --db ", db)).exit_code,
            0);

  // Reopened, the seal still closes its year.
  std::vector<RestoredRecord> records;
  {
    auto store = OpenStore(db);
    ASSERT_THAT(store, IsOk());
    EXPECT_THAT((*store)->Append({Expense("late", 100, "2025-06-01", "Samråd", "Personal")}),
                StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("seal at sequence 6")));
    ASSERT_THAT((*store)->Scan(1, 0, "",
                               [&](const v1::RecordedEvent& r) {
                                 records.push_back(
                                     {r.record().sequence(), r.record().recorded_time_unix_micros(),
                                      r.record().event(), r.hash(), r.record().author()});
                                 return true;
                               }),
                IsOk());
  }
  ASSERT_EQ(records.size(), 6u);
  // Rewrite expense e2 (record 4) under the seal and rechain every record after it.
  records[3].event.mutable_expense()->set_amount_ore(74'054'00);
  std::string prev = records[2].hash;
  for (size_t i = 3; i < records.size(); ++i) {
    std::string entry;
    char hash[kHashBytes];
    AppendRecord(entry, records[i].sequence, records[i].recorded_time_unix_micros,
                 SerializeEvent(records[i].event), records[i].author, prev, hash);
    records[i].hash.assign(hash, kHashBytes);
    prev = records[i].hash;
  }
  const std::string forged = dir.Sub("forged");
  {
    auto store = OpenStore(forged);
    ASSERT_THAT(store, IsOk());
    ASSERT_THAT((*store)->Restore(records), IsOk());
  }
  // The chain is intact (rechained); the seal is not.
  EXPECT_EQ(RunCli(dir, absl::StrCat("verify --db ", forged)).exit_code, 0);
  const CliResult check =
      RunCli(dir, absl::StrCat("verify-seal ", kGrant, " --period 2025 --db ", forged));
  EXPECT_EQ(check.exit_code, 4) << check.out << check.err;
  EXPECT_THAT(check.out, AllOf(HasSubstr("MISMATCH: the account recomputed from the log has "
                                         "SHA-256"),
                               HasSubstr("the log no longer holds record 5 with the hash")));
  const CliResult reproduced =
      RunCli(dir, absl::StrCat("account ", kGrant, " --as-sealed --db ", forged));
  EXPECT_EQ(reproduced.exit_code, 4);
  EXPECT_THAT(reproduced.err, HasSubstr("verify-seal"));
  EXPECT_THAT(reproduced.out, Not(HasSubstr("Låst år")));
}

}  // namespace
}  // namespace grantledger::testing
