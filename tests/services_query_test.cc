// QueryService over a real server: grants and balances now, as of a sequence, and as of a
// recorded time (with an injected clock), and the list filters.
#include <atomic>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/timestamp.pb.h"
#include "gtest/gtest.h"
#include "tests/grpc_test_support.h"

namespace grantledger::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kGrant[] = "RS/229/2025";

google::protobuf::Timestamp AtSeconds(int64_t seconds) {
  google::protobuf::Timestamp t;
  t.set_seconds(seconds);
  return t;
}

TEST(ServicesQueryTest, GrantAsOfASequence) {
  TestServer server;
  auto ledger = v1::LedgerService::NewStub(NewChannel(server.address()));
  auto query = v1::QueryService::NewStub(NewChannel(server.address()));
  v1::AppendResponse appended;
  ASSERT_TRUE(AppendEvents(*ledger,
                           {RegisterGrant("reg", kGrant, 1'000'000), Receipt("r1", kGrant, 100),
                            Receipt("r2", kGrant, 50)},
                           &appended)
                  .ok());

  v1::GetGrantRequest get;
  get.set_grant_id(kGrant);
  v1::GetGrantResponse now;
  auto context = ContextWithDeadline();
  ASSERT_TRUE(query->GetGrant(context.get(), get, &now).ok());
  EXPECT_EQ(now.grant().balance().received_ore(), 150);
  EXPECT_EQ(now.as_of_sequence(), 3u);

  get.set_as_of_sequence(2);
  v1::GetGrantResponse past;
  context = ContextWithDeadline();
  ASSERT_TRUE(query->GetGrant(context.get(), get, &past).ok());
  EXPECT_EQ(past.grant().balance().received_ore(), 100);
  EXPECT_EQ(past.grant().version(), 2u);
  EXPECT_EQ(past.as_of_sequence(), 2u);

  v1::GetBalancesRequest balances;
  balances.set_as_of_sequence(1);
  v1::GetBalancesResponse at_registration;
  context = ContextWithDeadline();
  ASSERT_TRUE(query->GetBalances(context.get(), balances, &at_registration).ok());
  ASSERT_EQ(at_registration.balances_size(), 1);
  EXPECT_EQ(at_registration.balances(0).decided_ore(), 1'000'000);
  EXPECT_EQ(at_registration.balances(0).received_ore(), 0);
}

TEST(ServicesQueryTest, AsOfARecordedTime) {
  // The ledger's clock, moved by the test: batch 1 is recorded at t=1000 s, batch 2 at 2000 s.
  std::atomic<int64_t> now_seconds{1000};
  TestServer server({}, [&] { return absl::FromUnixSeconds(now_seconds.load()); });
  auto ledger = v1::LedgerService::NewStub(NewChannel(server.address()));
  auto query = v1::QueryService::NewStub(NewChannel(server.address()));
  v1::AppendResponse appended;
  ASSERT_TRUE(AppendEvents(*ledger, {RegisterGrant("reg", kGrant, 1'000), Receipt("r1", kGrant, 7)},
                           &appended)
                  .ok());
  now_seconds = 2000;
  ASSERT_TRUE(AppendEvents(*ledger, {Receipt("r2", kGrant, 11)}, &appended).ok());

  struct Case {
    int64_t seconds;
    uint64_t sequence;
    int64_t received_ore;
  };
  for (const Case& c : {Case{1000, 2, 7}, Case{1999, 2, 7}, Case{2000, 3, 18}, Case{5000, 3, 18}}) {
    SCOPED_TRACE(absl::StrCat("recorded_as_of ", c.seconds));
    v1::GetGrantRequest get;
    get.set_grant_id(kGrant);
    *get.mutable_recorded_as_of() = AtSeconds(c.seconds);
    v1::GetGrantResponse grant;
    auto context = ContextWithDeadline();
    ASSERT_TRUE(query->GetGrant(context.get(), get, &grant).ok());
    EXPECT_EQ(grant.as_of_sequence(), c.sequence);
    EXPECT_EQ(grant.grant().balance().received_ore(), c.received_ore);
  }

  // Before the first event the ledger was empty.
  v1::ListGrantsRequest list;
  *list.mutable_recorded_as_of() = AtSeconds(999);
  v1::ListGrantsResponse grants;
  auto context = ContextWithDeadline();
  ASSERT_TRUE(query->ListGrants(context.get(), list, &grants).ok());
  EXPECT_THAT(grants.grants(), IsEmpty());
  EXPECT_EQ(grants.as_of_sequence(), 0u);
  v1::GetGrantRequest get;
  get.set_grant_id(kGrant);
  *get.mutable_recorded_as_of() = AtSeconds(999);
  v1::GetGrantResponse grant;
  context = ContextWithDeadline();
  EXPECT_THAT(query->GetGrant(context.get(), get, &grant),
              GrpcStatusIs(grpc::StatusCode::NOT_FOUND, HasSubstr("grant_id")));

  get.mutable_recorded_as_of()->set_nanos(-1);
  context = ContextWithDeadline();
  EXPECT_THAT(query->GetGrant(context.get(), get, &grant),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("recorded_as_of")));
}

TEST(ServicesQueryTest, ListGrantsFilters) {
  TestServer server;
  auto ledger = v1::LedgerService::NewStub(NewChannel(server.address()));
  auto query = v1::QueryService::NewStub(NewChannel(server.address()));
  v1::Event a = RegisterGrant("reg-a", "A/1/2024", 100);
  a.mutable_grant_registered()->set_year("2024");
  a.mutable_grant_registered()->set_kind(v1::GRANT_KIND_FIXED);
  v1::Event b = RegisterGrant("reg-b", "B/2/2025", 200);
  b.mutable_grant_registered()->set_year("2025");
  b.mutable_grant_registered()->set_grantor("Kammarkollegiet");
  b.mutable_grant_registered()->set_kind(v1::GRANT_KIND_PERFORMANCE_BASED);
  v1::Event c = RegisterGrant("reg-c", "C/3/2025", 300);
  c.mutable_grant_registered()->set_year("2025");
  c.mutable_grant_registered()->set_kind(v1::GRANT_KIND_FIXED);
  v1::AppendResponse appended;
  ASSERT_TRUE(AppendEvents(*ledger, {a, b, c, Receipt("rc", "C/3/2025", 30)}, &appended).ok());

  auto ids = [&](const v1::ListGrantsRequest& request) {
    v1::ListGrantsResponse response;
    auto context = ContextWithDeadline();
    grpc::Status status = query->ListGrants(context.get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::vector<std::string> out;
    for (const v1::GrantView& g : response.grants()) {
      out.push_back(g.grant_id());
      EXPECT_THAT(g.balance().activities(), IsEmpty());
    }
    return out;
  };
  v1::ListGrantsRequest request;
  EXPECT_THAT(ids(request), ElementsAre("A/1/2024", "B/2/2025", "C/3/2025"));
  request.set_year("2025");
  EXPECT_THAT(ids(request), ElementsAre("B/2/2025", "C/3/2025"));
  request.set_kind(v1::GRANT_KIND_FIXED);
  EXPECT_THAT(ids(request), ElementsAre("C/3/2025"));
  request.Clear();
  request.set_grantor("Kammarkollegiet");
  EXPECT_THAT(ids(request), ElementsAre("B/2/2025"));
  request.Clear();
  request.set_as_of_sequence(2);
  EXPECT_THAT(ids(request), ElementsAre("A/1/2024", "B/2/2025"));

  v1::ListGrantsResponse totals;
  auto context = ContextWithDeadline();
  ASSERT_TRUE(query->ListGrants(context.get(), v1::ListGrantsRequest(), &totals).ok());
  EXPECT_EQ(totals.grants(2).balance().received_ore(), 30);
  EXPECT_EQ(totals.as_of_sequence(), 4u);
}

}  // namespace
}  // namespace grantledger::testing
