// End-to-end tests of the built `grantledger` binary against a data directory: post, query,
// verify, export and restore; golden output for the tables and --json; and bad input, each a
// clear message with file:line, exit code 2, and the ledger unchanged.
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/store/event_store.h"
#include "tests/grpc_test_support.h"
#include "tests/test_support.h"

namespace grantledger {
namespace {

using ::grantledger::testing::ReadFileBytes;
using ::grantledger::testing::RunCli;
using ::grantledger::testing::TempDir;
using ::testing::HasSubstr;

using Result = ::grantledger::testing::CliResult;

class CliTest : public ::testing::Test {
 protected:
  Result Run(const std::string& args) { return RunCli(dir_, args); }
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_.Sub(name);
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  std::string Db() const { return dir_.Sub("data"); }
  std::string Example(const std::string& name) const {
    return absl::StrCat(GRANTLEDGER_SOURCE_DIR, "/examples/", name);
  }
  std::string Head() {
    Result r = Run("verify --db " + Db());
    return r.out;
  }
  void PostSamples() {
    Result r = Run(absl::StrCat("post ", Example("sample-grants.jsonl"), " --db ", Db()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_THAT(r.out, HasSubstr("posted 245 events"));
  }

  TempDir dir_;
};

TEST_F(CliTest, PostQueryVerifyAndRetry) {
  PostSamples();
  Result again = Run(absl::StrCat("post ", Example("sample-grants.jsonl"), " --db ", Db()));
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_THAT(again.out, HasSubstr("posted 0 events, 245 already in the ledger"));
  Result grants = Run("grants --db " + Db() + " --as-of 2025-12-31");
  EXPECT_EQ(grants.exit_code, 0);
  EXPECT_THAT(grants.out, HasSubstr("RS/229/2025"));
  EXPECT_THAT(grants.out, HasSubstr("147 463 000 kr"));
  EXPECT_THAT(grants.out, HasSubstr("7 grants"));
  Result verify = Run("verify --db " + Db());
  EXPECT_EQ(verify.exit_code, 0);
  EXPECT_THAT(verify.out, HasSubstr("intact: 245 records"));
  Result replay = Run("replay --db " + Db());
  EXPECT_EQ(replay.exit_code, 0) << replay.err;
  Result unused = Run("unused --db " + Db() + " --as-of 2025-12-31");
  EXPECT_EQ(unused.exit_code, 0);
  EXPECT_THAT(unused.out, HasSubstr("4 116 612 kr"));
  EXPECT_THAT(unused.out, HasSubstr("2026-03-31"));
}

TEST_F(CliTest, EntitleShowSetsTheModelBesideWhatWasReceived) {
  PostSamples();
  Result show = Run("entitle show RS/211/2025 --as-of 2025-12-31 --json --db " + Db());
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("\"expected_ore\":\"698600000\""));
  EXPECT_THAT(show.out, HasSubstr("\"received_ore\":\"520000000\""));
  EXPECT_THAT(show.out, HasSubstr("\"difference_ore\":\"-178600000\""));
  Result none = Run("entitle show RS/229/2025 --db " + Db());
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_THAT(none.err, HasSubstr("no entitlement model"));
}

TEST_F(CliTest, EntitleModelsFromFiles) {
  const std::string weights = Write(
      "weights.csv", "Region,Befolkning\nStockholm,2 455 914\nJämtland,132 466\nGotland,61 001\n");
  Result shares =
      Run("entitle population-share --pot 1000000 --weights " + weights + " --format csv");
  ASSERT_EQ(shares.exit_code, 0) << shares.err;
  EXPECT_THAT(shares.out, HasSubstr("Jämtland;49999"));
  const std::string negative =
      Write("negative.csv", "Region,Befolkning\nStockholm,100\nJämtland,-3\n");
  Result rejected = Run("entitle population-share --pot 1000 --weights " + negative);
  EXPECT_EQ(rejected.exit_code, 2);
  EXPECT_THAT(rejected.err, HasSubstr("negative.csv:3"));
  Result usage = Run("entitle population-share --weights " + weights);
  EXPECT_EQ(usage.exit_code, 1);
}

TEST_F(CliTest, GoldenBalanceTableAndJson) {
  PostSamples();
  Result table = Run("balance RS/229/2025 --db " + Db() + " --as-of 2025-12-31");
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_EQ(table.out,
            ReadFileBytes(absl::StrCat(GRANTLEDGER_SOURCE_DIR, "/tests/golden/balance_rs229.txt")));
  Result json = Run("balance RS/229/2025 --db " + Db() + " --as-of 2025-12-31 --json");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(json.out, ReadFileBytes(absl::StrCat(GRANTLEDGER_SOURCE_DIR,
                                                 "/tests/golden/balance_rs229.json")));
  Result account = Run("account RS/285/2019 --db " + Db() + " --as-of 2019-12-31");
  ASSERT_EQ(account.exit_code, 0) << account.err;
  EXPECT_EQ(account.out,
            ReadFileBytes(absl::StrCat(GRANTLEDGER_SOURCE_DIR, "/tests/golden/account_rs285.txt")));
  Result obligations = Run("obligations --db " + Db() + " --as-of 2025-12-31 --json");
  ASSERT_EQ(obligations.exit_code, 0) << obligations.err;
  EXPECT_EQ(obligations.out, ReadFileBytes(absl::StrCat(GRANTLEDGER_SOURCE_DIR,
                                                        "/tests/golden/obligations_2025.json")));
}

TEST_F(CliTest, ExportThenRestoreGivesTheSameLedger) {
  PostSamples();
  ASSERT_EQ(Run(absl::StrCat("import-expenses ", Example("erp-9929-2026-02.csv"), " --db ", Db()))
                .exit_code,
            0);
  const std::string exported = dir_.Sub("export.jsonl");
  Result e = Run("export --db " + Db() + " --out " + exported);
  ASSERT_EQ(e.exit_code, 0) << e.err;
  Result r = Run("restore " + exported + " --db " + dir_.Sub("copy"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Run("verify --db " + dir_.Sub("copy")).out, Head());
  EXPECT_EQ(Run("obligations --json --as-of 2026-03-10 --db " + dir_.Sub("copy")).out,
            Run("obligations --json --as-of 2026-03-10 --db " + Db()).out);
  // An altered export is refused at the altered record, and nothing is restored.
  std::string text = ReadFileBytes(exported);
  const size_t at = text.find("\"amount_ore\":\"6857143\"");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 22, "\"amount_ore\":\"6857142\"");
  const std::string altered = Write("altered.jsonl", text);
  Result refused = Run("restore " + altered + " --db " + dir_.Sub("copy2"));
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err, HasSubstr("does not match its hash"));
  EXPECT_THAT(refused.err, HasSubstr("nothing was restored"));
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("copy2")));
}

TEST_F(CliTest, BadInputIsRejectedWithFileLineAndNothingChanges) {
  PostSamples();
  const std::string before = Head();
  const std::string good =
      R"({"event_id":"x1","grant_id":"RS/229/2025","effective_date":"2025-06-30","source":"t","receipt":{"amount_ore":"100"}})";
  struct Case {
    std::string name;
    std::string text;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {"malformed.jsonl", good + "\n{\"event_id\": \"x2\", \n", "malformed.jsonl:2:"},
      {"unknown-type.jsonl",
       R"({"event_id":"x3","grant_id":"RS/229/2025","effective_date":"2025-06-30","source":"t","bonus":{"amount_ore":"1"}})",
       "unknown-type.jsonl:1:"},
      {"unknown-grant.jsonl",
       good + "\n" +
           R"({"event_id":"x4","grant_id":"RS/999/2025","effective_date":"2025-06-30","source":"t","receipt":{"amount_ore":"1"}})",
       "unknown-grant.jsonl:2: event 1 (event_id \"x4\"): grant_id: grant RS/999/2025 is not "
       "registered"},
      {"empty.jsonl", "", "has no events"},
      {"bad-middle.jsonl",
       good + "\n" +
           R"({"event_id":"x5","grant_id":"RS/229/2025","effective_date":"2025-06-30","source":"t","receipt":{"amount_ore":"0"}})" +
           "\n" + good,
       "bad-middle.jsonl:2:"},
  };
  for (const Case& c : cases) {
    Result r = Run(absl::StrCat("post ", Write(c.name, c.text), " --db ", Db()));
    EXPECT_EQ(r.exit_code, 2) << c.name << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr(c.expect)) << c.name;
    EXPECT_EQ(Head(), before) << c.name;
  }
  const std::vector<Case> csv_cases = {
      {"amount.csv",
       "booking_date,voucher,amount,cost_object\n2025-12-31,V1,100\n2025-12-31,V2,\"12,5,0\","
       "9929\n",
       "amount.csv:2:"},
      {"amount2.csv", "booking_date,voucher,amount,cost_object\n2025-12-31,V2,\"12,5,0\",9929\n",
       "more than one decimal separator"},
      {"missing.csv", "booking_date,voucher,cost_object\n2025-12-31,V1,9929\n",
       "missing.csv:1: the header has no amount column"},
      {"empty.csv", "", "empty"},
      {"object.csv", "booking_date,voucher,amount,cost_object\n2025-12-31,V1,100,4711\n",
       "object.csv:2: column 4 (cost_object): no grant has cost object \"4711\""},
  };
  for (const Case& c : csv_cases) {
    Result r = Run(absl::StrCat("import-expenses ", Write(c.name, c.text), " --db ", Db()));
    EXPECT_EQ(r.exit_code, 2) << c.name << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr(c.expect)) << c.name;
    EXPECT_EQ(Head(), before) << c.name;
  }
}

TEST_F(CliTest, UsageErrorsExitOneAndLockedDirectoryExitsThree) {
  EXPECT_EQ(Run("balance").exit_code, 1);
  EXPECT_EQ(Run("no-such-command").exit_code, 1);
  Result missing = Run("grants --db " + dir_.Sub("nowhere"));
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("no such directory"));
  // While another process (here: this test) holds the directory, posting is refused with 3,
  // and read-only queries still work.
  PostSamples();
  EventStoreOptions options;
  options.path = Db();
  auto holder = EventStore::Open(options);
  ASSERT_TRUE(holder.ok()) << holder.status();
  Result locked = Run(absl::StrCat("post ", Example("sample-grants.jsonl"), " --db ", Db()));
  EXPECT_EQ(locked.exit_code, 3);
  EXPECT_THAT(locked.err, HasSubstr("in use by another process"));
  EXPECT_EQ(Run("verify --db " + Db()).exit_code, 0);
}

TEST_F(CliTest, AgainstARunningServer) {
  testing::TestServer server;
  const std::string at = " --server " + server.address();
  Result posted = Run(absl::StrCat("post ", Example("sample-grants.jsonl"), at));
  ASSERT_EQ(posted.exit_code, 0) << posted.err;
  EXPECT_THAT(posted.out, HasSubstr("posted 245 events"));
  Result imported = Run(absl::StrCat("import-expenses ", Example("erp-9929-2026-02.csv"), at));
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  // The same answers as the data directory would give.
  Result unused = Run("unused --as-of 2025-12-31" + at);
  EXPECT_EQ(unused.exit_code, 0) << unused.err;
  EXPECT_THAT(unused.out, HasSubstr("3 930 961,50 kr"));
  Result balance = Run("balance RS/229/2025 --as-of 2025-12-31 --json" + at);
  EXPECT_EQ(balance.exit_code, 0) << balance.err;
  EXPECT_THAT(balance.out, HasSubstr("\"received_ore\":\"14746300000\""));
  Result account = Run("account RS/285/2019 --as-of 2019-12-31" + at);
  EXPECT_THAT(account.out, HasSubstr("234 054 kr"));
  // A rejected batch names file:line through the server too, and nothing is written.
  const std::string bad = Write(
      "bad.jsonl",
      R"({"event_id":"y1","grant_id":"RS/229/2025","effective_date":"2025-06-30","source":"t","receipt":{"amount_ore":"100"}})"
      "\n"
      R"({"event_id":"y2","grant_id":"RS/404/2025","effective_date":"2025-06-30","source":"t","receipt":{"amount_ore":"100"}})");
  Result rejected = Run("post " + bad + at);
  EXPECT_EQ(rejected.exit_code, 2);
  EXPECT_THAT(rejected.err, HasSubstr("bad.jsonl:2:"));
  EXPECT_THAT(rejected.err, HasSubstr("RS/404/2025"));
  EXPECT_EQ(server.store().Head().sequence, 249u);
  // Export over gRPC, restore into a directory: the same head hash.
  const std::string exported = dir_.Sub("server-export.jsonl");
  ASSERT_EQ(Run("export --out " + exported + at).exit_code, 0);
  Result restored = Run("restore " + exported + " --db " + dir_.Sub("copy"));
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  EXPECT_EQ(Run("verify --db " + dir_.Sub("copy")).out, Run("verify" + at).out);
  // No server at an address: exit 3 with a hint.
  server.StopServer();
  Result gone = Run("grants" + at);
  EXPECT_EQ(gone.exit_code, 3);
  EXPECT_THAT(gone.err, HasSubstr("--db"));
}

}  // namespace
}  // namespace grantledger
