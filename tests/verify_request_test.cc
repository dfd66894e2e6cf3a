// `verify`'s range and `--expect SEQ:HASH`, resolved alike for a ledger opened directly and for
// the VerifyChain RPC: the rules (ledger/store/verify_request.h), the store, and the built
// `grantledger` binary run with `--db` and with `--server` on the same requests.
#include "ledger/store/verify_request.h"

#include <sys/wait.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/ledger_state.h"
#include "ledger/store/event_store.h"
#include "ledger/store/log_format.h"
#include "tests/grpc_test_support.h"
#include "tests/test_support.h"

namespace grantledger {
namespace {

using ::grantledger::testing::Allocate;
using ::grantledger::testing::IsOk;
using ::grantledger::testing::Receipt;
using ::grantledger::testing::RegisterGrant;
using ::grantledger::testing::StatusIs;
using ::grantledger::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kGrant[] = "RS/229/2025";

TEST(VerifyRequestTest, RangeRules) {
  auto whole = ResolveVerifyRange(0, 0, 10);
  ASSERT_THAT(whole, IsOk());
  EXPECT_EQ(whole->from, 1u);
  EXPECT_EQ(whole->to, 10u);
  auto part = ResolveVerifyRange(3, 7, 10);
  ASSERT_THAT(part, IsOk());
  EXPECT_EQ(part->from, 3u);
  EXPECT_EQ(part->to, 7u);
  auto empty = ResolveVerifyRange(0, 0, 0);  // an empty ledger: nothing to check
  ASSERT_THAT(empty, IsOk());
  EXPECT_GT(empty->from, empty->to);
  EXPECT_THAT(ResolveVerifyRange(11, 0, 10),
              StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("beyond the head (10)")));
  EXPECT_THAT(ResolveVerifyRange(0, 11, 10),
              StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("--expect")));
  EXPECT_THAT(ResolveVerifyRange(10, 5, 10),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("from <= to")));
  EXPECT_THAT(ResolveVerifyRange(1, 0, 0), StatusIs(absl::StatusCode::kOutOfRange, ::testing::_));
}

TEST(VerifyRequestTest, ParsesExpectedDigests) {
  const std::string hex(64, 'a');
  auto parsed = ParseExpectedDigest("1721:" + hex);
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(parsed->sequence, 1721u);
  EXPECT_EQ(parsed->head_hash, std::string(32, '\xaa'));
  for (const std::string& bad : {std::string("1721"), "x:" + hex, "1721:" + hex.substr(1),
                                 "1721:" + hex.substr(1) + "g", std::string(":") + hex}) {
    EXPECT_THAT(ParseExpectedDigest(bad),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--expect")))
        << bad;
  }
}

TEST(VerifyRequestTest, TheStoreRefusesRangesBeyondItsHead) {
  TempDir dir;
  EventStoreOptions options;
  options.path = dir.path();
  auto store = EventStore::Open(options);
  ASSERT_THAT(store, IsOk());
  ASSERT_THAT((*store)->Append({RegisterGrant("reg", kGrant, 1'000'000'00),
                                Receipt("rec", kGrant, 1'000'000'00),
                                Allocate("a1", kGrant, 600'000'00, "p7", "HS Kir")}),
              IsOk());
  // Issue 13, hole 5: these were "ALTERED", "intact" (clamped) and "intact: 0 records".
  EXPECT_THAT((*store)->Verify(10, 0), StatusIs(absl::StatusCode::kOutOfRange, ::testing::_));
  EXPECT_THAT((*store)->Verify(0, 10), StatusIs(absl::StatusCode::kOutOfRange, ::testing::_));
  EXPECT_THAT((*store)->Verify(3, 2), StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  const Digest head = (*store)->Head();
  EXPECT_FALSE(CheckExpectedDigest(**store, head).has_value());
  EXPECT_FALSE(CheckExpectedDigest(**store, Digest{0, GenesisHash()}).has_value());
  auto two = (*store)->Read(2);
  ASSERT_THAT(two, IsOk());
  EXPECT_FALSE(CheckExpectedDigest(**store, Digest{2, two->hash()}).has_value());
  auto other = CheckExpectedDigest(**store, Digest{2, head.head_hash});
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(other->first_bad_sequence, 2u);
  EXPECT_THAT(other->problem, HasSubstr("rewritten"));
  auto cut = CheckExpectedDigest(**store, Digest{7, head.head_hash});
  ASSERT_TRUE(cut.has_value());
  EXPECT_EQ(cut->first_bad_sequence, 4u);
  EXPECT_THAT(cut->problem, HasSubstr("records 4..7 are gone (a cut tail)"));
}

using Result = ::grantledger::testing::CliResult;

class VerifyCliTest : public ::testing::Test {
 protected:
  Result Run(const std::string& args) {
    const std::string out = dir_.Sub("stdout"), err = dir_.Sub("stderr");
    const std::string command = absl::StrCat(GRANTLEDGER_BINARY_DIR, "/cli/grantledger ", args,
                                             " > ", out, " 2> ", err, " < /dev/null");
    const int status = std::system(command.c_str());
    Result r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream o(out), e(err);
    std::stringstream so, se;
    so << o.rdbuf();
    se << e.rdbuf();
    r.out = so.str();
    r.err = se.str();
    return r;
  }
  std::string Samples() const {
    return absl::StrCat(GRANTLEDGER_SOURCE_DIR, "/examples/sample-grants.jsonl");
  }
  // (sequence, hex hash) of the head, as `verify` prints it.
  std::pair<uint64_t, std::string> HeadOf(const std::string& at) {
    Result r = Run("verify" + at);
    std::smatch m;
    EXPECT_TRUE(std::regex_search(r.out, m, std::regex("digest ([0-9]+) ([0-9a-f]{64})"))) << r.out;
    if (m.empty()) return {0, ""};
    return {std::stoull(m[1].str()), m[2].str()};
  }

  TempDir dir_;
};

// Issue 13, hole 5: `--db` and `--server` answer the same requests alike.
TEST_F(VerifyCliTest, RangesAndExpectedDigestsAgreeOverDbAndServer) {
  testing::TestServer server;
  const std::string db = " --db " + dir_.Sub("data");
  const std::string at = " --server " + server.address();
  ASSERT_EQ(Run("post " + Samples() + db).exit_code, 0);
  ASSERT_EQ(Run("post " + Samples() + at).exit_code, 0);
  for (const std::string& where : {db, at}) {
    SCOPED_TRACE(where);
    const auto [head, hash] = HeadOf(where);
    ASSERT_GT(head, 10u);
    Result from_beyond = Run(absl::StrCat("verify --from ", head + 1, where));
    EXPECT_EQ(from_beyond.exit_code, 2);
    EXPECT_THAT(from_beyond.err, HasSubstr("is beyond the head"));
    EXPECT_THAT(from_beyond.out, Not(HasSubstr("ALTERED")));
    Result to_beyond = Run(absl::StrCat("verify --to ", head + 5, where));
    EXPECT_EQ(to_beyond.exit_code, 2);
    EXPECT_THAT(to_beyond.err, HasSubstr("is beyond the head"));
    Result reversed = Run("verify --from 10 --to 5" + where);
    EXPECT_EQ(reversed.exit_code, 2);
    EXPECT_THAT(reversed.err, HasSubstr("from <= to"));
    Result part = Run("verify --from 5 --to 10" + where);
    EXPECT_EQ(part.exit_code, 0);
    EXPECT_THAT(part.out, HasSubstr("intact: 6 records checked"));

    Result expected = Run(absl::StrCat("verify --expect ", head, ":", hash, where));
    EXPECT_EQ(expected.exit_code, 0) << expected.err;
    EXPECT_THAT(expected.out, HasSubstr("expected digest found"));
    Result missing = Run(absl::StrCat("verify --expect ", head + 3, ":", hash, where));
    EXPECT_EQ(missing.exit_code, 4);
    EXPECT_THAT(missing.out, HasSubstr(absl::StrCat("ALTERED at sequence ", head + 1)));
    EXPECT_THAT(missing.out, HasSubstr("a cut tail"));
    Result differs = Run(absl::StrCat("verify --expect 10:", hash, where));
    EXPECT_EQ(differs.exit_code, 4);
    EXPECT_THAT(differs.out, HasSubstr("ALTERED at sequence 10"));
    EXPECT_THAT(differs.out, HasSubstr("rewritten"));
    Result malformed = Run("verify --expect 10:abc" + where);
    EXPECT_EQ(malformed.exit_code, 1);
    EXPECT_THAT(malformed.err, HasSubstr("64 hex digits"));
  }
}

}  // namespace
}  // namespace grantledger
