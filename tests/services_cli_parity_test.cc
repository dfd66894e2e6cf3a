// `--db` and `--server` give one answer. Each case runs the built `grantledger` twice, against
// a real server and against its data directory (opened read-only beside it), and compares
// exit codes, messages and output.
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grantledger/v1/query_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/grpc_test_support.h"
#include "tests/test_support.h"

namespace grantledger::testing {
namespace {

using ::grantledger::testing::ReadFileBytes;
using ::grantledger::testing::RunCli;

using ::testing::HasSubstr;

using Result = ::grantledger::testing::CliResult;

class CliParityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    server_ = new TestServer();
    const std::string samples =
        absl::StrCat(GRANTLEDGER_SOURCE_DIR, "/examples/sample-grants.jsonl");
    ASSERT_EQ(Run("post " + samples + " --server " + server_->address()).exit_code, 0);
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }
  // The server's own data directory, opened read-only beside it: one ledger, two paths.
  static std::string Db() { return server_->store().options().path; }

  static Result Run(const std::string& args) { return RunCli(*dir_, args); }

  // Runs `args` with --db and with --server; expects the same exit code, output and message.
  static Result RunBoth(const std::string& args) {
    Result direct = Run(args + " --db " + Db());
    Result served = Run(args + " --server " + server_->address());
    EXPECT_EQ(direct.exit_code, served.exit_code)
        << args << "\n--db: " << direct.err << "\n--server: " << served.err;
    EXPECT_EQ(direct.out, served.out) << args;
    EXPECT_EQ(direct.err, served.err) << args;
    return direct;
  }

  // GetGrant's version of a grant, at a sequence (0: now).
  static uint64_t ServerVersion(const std::string& grant_id, uint64_t sequence) {
    auto query = v1::QueryService::NewStub(NewChannel(server_->address()));
    v1::GetGrantRequest request;
    request.set_grant_id(grant_id);
    if (sequence != 0) request.set_as_of_sequence(sequence);
    v1::GetGrantResponse response;
    auto context = ContextWithDeadline();
    grpc::Status s = query->GetGrant(context.get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response.grant().version();
  }

  static TempDir* dir_;
  static TestServer* server_;
};

TempDir* CliParityTest::dir_ = nullptr;
TestServer* CliParityTest::server_ = nullptr;

TEST_F(CliParityTest, HistoryOfAnUnknownGrantIsNotFoundOnBothPaths) {
  Result r = RunBoth("history RS/999/2025");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("grant RS/999/2025 is not registered"));
  EXPECT_EQ(r.out, "");
  // A known grant's history is the same list on both.
  Result known = RunBoth("history RS/285/2019");
  EXPECT_EQ(known.exit_code, 0);
  EXPECT_THAT(known.out, HasSubstr(" events\n"));
}

TEST_F(CliParityTest, RecordedAsOfBeyondTheHeadIsRefusedOnBothPaths) {
  for (const char* command :
       {"balance RS/229/2025", "grants", "account RS/285/2019", "obligations", "unused"}) {
    Result r = RunBoth(absl::StrCat(command, " --as-of 2025-12-31 --recorded-as-of 246"));
    EXPECT_EQ(r.exit_code, 2) << command;
    EXPECT_THAT(r.err, HasSubstr("--recorded-as-of: sequence 246 is beyond the head (245)"))
        << command;
  }
  // The head itself is fine.
  EXPECT_EQ(RunBoth("balance RS/229/2025 --as-of 2025-12-31 --recorded-as-of 245").exit_code, 0);
}

TEST_F(CliParityTest, AccountShowsThePurposeLinesOnBothPaths) {
  Result r = RunBoth("account RS/285/2019 --as-of 2019-12-31");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            ReadFileBytes(absl::StrCat(GRANTLEDGER_SOURCE_DIR, "/tests/golden/account_rs285.txt")));
  Result json = RunBoth("account RS/285/2019 --as-of 2019-12-31 --json");
  EXPECT_THAT(json.out, HasSubstr("studiecirklar"));
}

TEST_F(CliParityTest, GrantsAndBalanceJsonCarryTheVersionGetGrantReports) {
  const uint64_t now = ServerVersion("RS/229/2025", 0);
  ASSERT_GT(now, 0u);
  const std::string expect_now = absl::StrCat("\"grant_id\":\"RS/229/2025\"");
  Result grants = RunBoth("grants --json --as-of 2025-12-31");
  EXPECT_EQ(grants.exit_code, 0) << grants.err;
  const size_t at = grants.out.find(expect_now);
  ASSERT_NE(at, std::string::npos);
  EXPECT_THAT(grants.out.substr(at, 2000), HasSubstr(absl::StrCat("\"version\":\"", now, "\",")));
  Result balance = RunBoth("balance RS/229/2025 --json --as-of 2025-12-31");
  EXPECT_THAT(balance.out, HasSubstr(absl::StrCat("\"version\":\"", now, "\",")));
  // As recorded at an earlier point: the version then.
  const uint64_t then = ServerVersion("RS/229/2025", 100);
  ASSERT_GT(then, 0u);
  ASSERT_LT(then, now);
  Result earlier = RunBoth("balance RS/229/2025 --json --as-of 2025-12-31 --recorded-as-of 100");
  EXPECT_THAT(earlier.out, HasSubstr(absl::StrCat("\"version\":\"", then, "\",")));
  RunBoth("grants --json --as-of 2025-12-31 --recorded-as-of 100");
}

}  // namespace
}  // namespace grantledger::testing
