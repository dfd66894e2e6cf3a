// The year-end commands over gRPC ask the server once: `unused` is one ListUnused call,
// `obligations` (and `overview`) one GetObligations call, whatever the clocks. A real server
// with a real interceptor (ServerOptions::configure_builder) counts the calls each method
// receives while the built `grantledger` runs against it; the answers are compared with the
// same command on the server's data directory (--db). Also the codec: an obligation and an
// unused list survive the trip through their messages unchanged.
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cli/sample_grants.h"
#include "gmock/gmock.h"
#include "grpcpp/server_builder.h"
#include "grpcpp/support/server_interceptor.h"
#include "gtest/gtest.h"
#include "ledger/civil_date.h"
#include "ledger/year_end.h"
#include "services/codec.h"
#include "tests/grpc_test_support.h"
#include "tests/test_support.h"

namespace grantledger::testing {
namespace {

using ::grantledger::testing::ReadFileBytes;
using ::grantledger::testing::RunCli;

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

constexpr char kListUnused[] = "/grantledger.v1.YearEndService/ListUnused";
constexpr char kGetObligations[] = "/grantledger.v1.YearEndService/GetObligations";

// The calls each method has received, by full method name.
class CallCounts {
 public:
  void Add(const char* method) {
    absl::MutexLock lock(&mu_);
    ++counts_[method == nullptr ? "" : method];
  }
  std::map<std::string, int> Take() {
    absl::MutexLock lock(&mu_);
    return std::exchange(counts_, {});
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, int> counts_ ABSL_GUARDED_BY(mu_);
};

// gRPC makes one interceptor per call: counting them counts the calls.
class PassThrough : public grpc::experimental::Interceptor {
 public:
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    methods->Proceed();
  }
};
class CountingFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit CountingFactory(std::shared_ptr<CallCounts> counts) : counts_(std::move(counts)) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    counts_->Add(info->method());
    return new PassThrough();
  }

 private:
  std::shared_ptr<CallCounts> counts_;
};

using Result = ::grantledger::testing::CliResult;

class YearEndCallsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    counts_ = new std::shared_ptr<CallCounts>(std::make_shared<CallCounts>());
    ServerOptions options;
    options.configure_builder = [counts = *counts_](grpc::ServerBuilder& builder) {
      std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> f;
      f.push_back(std::make_unique<CountingFactory>(counts));
      builder.experimental().SetInterceptorCreators(std::move(f));
    };
    server_ = new TestServer(std::move(options));
    const std::string samples =
        absl::StrCat(GRANTLEDGER_SOURCE_DIR, "/examples/sample-grants.jsonl");
    ASSERT_EQ(Run("post " + samples + " --server " + server_->address()).exit_code, 0);
    (*counts_)->Take();
  }
  static void TearDownTestSuite() {
    delete server_;
    delete counts_;
    delete dir_;
  }

  static Result Run(const std::string& args) { return RunCli(*dir_, args); }

  // Runs `args` against the server and returns the calls it made; the answer must be the one
  // the data directory gives (exit code, output, message).
  static std::map<std::string, int> CallsOf(const std::string& args, Result* served = nullptr) {
    (*counts_)->Take();
    Result r = Run(args + " --server " + server_->address());
    std::map<std::string, int> calls = (*counts_)->Take();
    Result direct = Run(args + " --db " + server_->store().options().path);
    EXPECT_EQ(r.exit_code, direct.exit_code) << args << "\n" << r.err;
    EXPECT_EQ(r.out, direct.out) << args;
    EXPECT_EQ(r.err, direct.err) << args;
    if (served != nullptr) *served = r;
    return calls;
  }

  static TempDir* dir_;
  static std::shared_ptr<CallCounts>* counts_;
  static TestServer* server_;
};

TempDir* YearEndCallsTest::dir_ = nullptr;
std::shared_ptr<CallCounts>* YearEndCallsTest::counts_ = nullptr;
TestServer* YearEndCallsTest::server_ = nullptr;

TEST_F(YearEndCallsTest, UnusedIsOneListUnusedCall) {
  // Now (the server's clock), as of an earlier recorded time and sequence: every sample was
  // recorded seconds ago, so a recorded time of tomorrow knows them all.
  const std::string tomorrow =
      absl::FormatTime(absl::RFC3339_full, absl::Now() + absl::Hours(24), absl::UTCTimeZone());
  for (const std::string& args :
       {std::string("unused --as-of 2025-12-31"), std::string("unused --as-of 2025-12-31 --json"),
        std::string("unused --as-of 2026-06-30"),
        std::string("unused --as-of 2025-12-31 --recorded-as-of 100"),
        absl::StrCat("unused --as-of 2025-12-31 --recorded-as-of ", tomorrow),
        std::string("unused --as-of 2025-12-31 --from 2026-01-01 --to 2026-12-31 --json"),
        std::string("unused --as-of 2025-12-31 --from 2026-04-01"),
        std::string("unused --as-of 2025-12-31 --recorded-as-of 1")}) {
    Result r;
    EXPECT_THAT(CallsOf(args, &r), ElementsAre(Pair(kListUnused, 1))) << args;
    EXPECT_EQ(r.exit_code, 0) << args << ": " << r.err;
  }
  Result r;
  CallsOf("unused --as-of 2025-12-31", &r);
  EXPECT_THAT(r.out, HasSubstr("4 116 612 kr"));
}

TEST_F(YearEndCallsTest, ObligationsAndOverviewAreOneGetObligationsCall) {
  const std::string tomorrow =
      absl::FormatTime(absl::RFC3339_full, absl::Now() + absl::Hours(24), absl::UTCTimeZone());
  for (const std::string& args :
       {std::string("obligations --as-of 2025-12-31"),
        std::string("obligations --as-of 2025-12-31 --json"),
        std::string("obligations --as-of 2025-12-31 --recorded-as-of 100"),
        absl::StrCat("obligations --as-of 2026-03-10 --recorded-as-of ", tomorrow),
        std::string("overview --year 2025"), std::string("overview --year 2019 --json")}) {
    Result r;
    EXPECT_THAT(CallsOf(args, &r), ElementsAre(Pair(kGetObligations, 1))) << args;
    EXPECT_EQ(r.exit_code, 0) << args << ": " << r.err;
  }
  // --due-within exits 5 on both paths, still with one call.
  Result due;
  EXPECT_THAT(CallsOf("obligations --as-of 2026-03-10 --due-within 30", &due),
              ElementsAre(Pair(kGetObligations, 1)));
  EXPECT_EQ(due.exit_code, 5) << due.err;
  // The golden file, now over the server.
  Result golden;
  CallsOf("obligations --as-of 2025-12-31 --json", &golden);
  EXPECT_EQ(golden.out, ReadFileBytes(absl::StrCat(GRANTLEDGER_SOURCE_DIR,
                                                   "/tests/golden/obligations_2025.json")));
}

TEST_F(YearEndCallsTest, ARefusedRecordedPointIsStillOneCallWithTheSameMessage) {
  // Beyond the head: the server refuses with the head in its trailing metadata.
  Result beyond;
  EXPECT_THAT(CallsOf("unused --as-of 2025-12-31 --recorded-as-of 100000", &beyond),
              ElementsAre(Pair(kListUnused, 1)));
  EXPECT_EQ(beyond.exit_code, 2);
  EXPECT_THAT(beyond.err, HasSubstr("--recorded-as-of: sequence 100000 is beyond the head ("));
  EXPECT_THAT(CallsOf("obligations --recorded-as-of 100000"),
              ElementsAre(Pair(kGetObligations, 1)));
  // Before the first record: nothing was known then.
  Result before;
  EXPECT_THAT(CallsOf("unused --recorded-as-of 2000-01-01", &before),
              ElementsAre(Pair(kListUnused, 1)));
  EXPECT_EQ(before.exit_code, 2);
  EXPECT_THAT(before.err,
              HasSubstr("--recorded-as-of: the ledger had recorded nothing by 2000-01-01"));
  EXPECT_THAT(CallsOf("obligations --recorded-as-of 1960-06-01T00:00:00Z"),
              ElementsAre(Pair(kGetObligations, 1)));
  // Refused before any call: a bad flag is the command line's own business.
  EXPECT_THAT(CallsOf("unused --as-of 2025-13-01"), ElementsAre());
  EXPECT_THAT(CallsOf("obligations --recorded-as-of 0"), ElementsAre());
  Result range;
  EXPECT_THAT(CallsOf("unused --from 2026-02-30", &range), ElementsAre());
  EXPECT_THAT(range.err, HasSubstr("--from"));
}

// The codec rebuilds exactly what the core computed: the command line prints the same.
TEST(YearEndCodecTest, ObligationsAndTheUnusedListRoundTrip) {
  TempDir dir;
  EventStoreOptions options;
  options.path = dir.Sub("ledger");
  auto store = EventStore::Open(options);
  ASSERT_THAT(store, IsOk());
  ASSERT_THAT((*store)->Append(sample::Rs229Decision()), IsOk());
  ASSERT_THAT((*store)->Append(sample::Rs229YearOfExpenses()), IsOk());
  ASSERT_THAT((*store)->Append(sample::Rs229LateYearEndPostings()), IsOk());
  ASSERT_THAT((*store)->Append(sample::OtherSampleGrants()), IsOk());
  for (absl::CivilDay date : {absl::CivilDay(2019, 6, 30), absl::CivilDay(2025, 12, 31),
                              absl::CivilDay(2026, 3, 10), absl::CivilDay(2030, 1, 1)}) {
    const std::vector<Obligation> all = ObligationsByDeadline((*store)->Positions(AsOf{date, 0}));
    ASSERT_FALSE(all.empty());
    for (const Obligation& o : all) {
      v1::Obligation message;
      EncodeObligation(o, &message);
      EXPECT_TRUE(DecodeObligation(message) == o) << o.grant_id << " " << date;
    }
    for (const DeadlineRange& range :
         {DeadlineRange{}, DeadlineRange{absl::CivilDay(2020, 1, 1), std::nullopt},
          DeadlineRange{std::nullopt, absl::CivilDay(2026, 3, 31)}}) {
      const UnusedList unused = UnusedObligations(all, date, range);
      v1::UnusedResponse message;
      message.set_as_of_date(FormatCivilDay(date));
      EncodeUnusedList(unused, &message);
      EXPECT_TRUE(DecodeUnusedList(message) == unused) << date;
    }
  }
  // Nothing due: the window is left out and comes back as the as-of date.
  const UnusedList none = UnusedObligations({}, absl::CivilDay(2025, 12, 31), DeadlineRange{});
  ASSERT_TRUE(none.nothing_due);
  v1::UnusedResponse message;
  message.set_as_of_date("2025-12-31");
  EncodeUnusedList(none, &message);
  EXPECT_EQ(message.deadline_from(), "");
  EXPECT_TRUE(DecodeUnusedList(message) == none);
}

}  // namespace
}  // namespace grantledger::testing
