// `import-sie` over a real server: the leniencies of real exports (a '{' on the #VER line,
// decimal commas) post the same expenses through `--server` as through `--db`.
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "grantledger/v1/query_service.pb.h"
#include "gtest/gtest.h"
#include "tests/grpc_test_support.h"
#include "tests/test_support.h"

namespace grantledger::testing {
namespace {

v1::GrantBalance BalanceOf(const CliResult& r) {
  EXPECT_EQ(r.exit_code, 0) << r.err;
  v1::GetGrantResponse response;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &response).ok()) << r.out;
  return response.grant().balance();
}

TEST(SieImportServerTest, ALenientExportPostsTheSameOverTheServerAsWithDb) {
  const std::string example =
      ReadFileBytes(absl::StrCat(GRANTLEDGER_SOURCE_DIR, "/examples/visma-9929-2025-bokslut.se"));
  // Two vouchers with the brace on their #VER line, two amounts with decimal commas.
  const std::string lenient = absl::StrReplaceAll(
      example,
      {{" 20260210\r\n{", " 20260210 {"}, {"86500.00", "86500,00"}, {"31200.50", "31200,50"}});
  ASSERT_NE(lenient, example);
  TempDir dir;
  const std::string file = dir.Sub("lenient.se");
  std::ofstream(file, std::ios::binary) << lenient;
  const std::string grants = absl::StrCat(GRANTLEDGER_SOURCE_DIR, "/examples/sample-grants.jsonl");
  const std::string import =
      absl::StrCat("import-sie ", file, " --activity-dim 20 --division-dim 1");
  const std::string balance = "balance RS/229/2025 --json --as-of 2025-12-31";

  const std::string db = dir.Sub("data");
  ASSERT_EQ(RunCli(dir, absl::StrCat("post ", grants, " --db ", db)).exit_code, 0);
  const v1::GrantBalance before = BalanceOf(RunCli(dir, absl::StrCat(balance, " --db ", db)));
  const CliResult local = RunCli(dir, absl::StrCat(import, " --db ", db));
  ASSERT_EQ(local.exit_code, 0) << local.err;
  const v1::GrantBalance with_db = BalanceOf(RunCli(dir, absl::StrCat(balance, " --db ", db)));
  EXPECT_GT(with_db.spent_ore(), before.spent_ore());

  TestServer server;
  const std::string at = absl::StrCat(" --server ", server.address());
  ASSERT_EQ(RunCli(dir, absl::StrCat("post ", grants, at)).exit_code, 0);
  const CliResult remote = RunCli(dir, absl::StrCat(import, at));
  ASSERT_EQ(remote.exit_code, 0) << remote.err;
  const v1::GrantBalance over_grpc = BalanceOf(RunCli(dir, absl::StrCat(balance, at)));
  EXPECT_EQ(over_grpc.SerializeAsString(), with_db.SerializeAsString())
      << "over gRPC: " << over_grpc.DebugString() << "\nwith --db: " << with_db.DebugString();
  // A retry of the same file posts nothing new.
  const CliResult again = RunCli(dir, absl::StrCat(import, at));
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(BalanceOf(RunCli(dir, absl::StrCat(balance, at))).SerializeAsString(),
            over_grpc.SerializeAsString());
}

}  // namespace
}  // namespace grantledger::testing
