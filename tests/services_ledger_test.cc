// LedgerService over a real server: append and read back, idempotent retries, dry runs,
// expected versions, and many concurrent clients producing a gap-free, verifiable log.
#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/grpc_test_support.h"

namespace grantledger::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kGrant[] = "RS/229/2025";

TEST(ServicesLedgerTest, AppendAndReadBack) {
  TestServer server;
  auto ledger = v1::LedgerService::NewStub(NewChannel(server.address()));
  auto audit = v1::AuditService::NewStub(NewChannel(server.address()));
  auto query = v1::QueryService::NewStub(NewChannel(server.address()));

  v1::AppendResponse appended;
  ASSERT_TRUE(
      AppendEvents(*ledger,
                   {RegisterGrant("reg", kGrant, 1'000'000), Receipt("rec", kGrant, 600'000),
                    Allocate("alloc", kGrant, 400'000, "p7", "HS Kir"),
                    Spend("exp", kGrant, 150'000, "p7", "HS Kir")},
                   &appended)
          .ok());
  EXPECT_THAT(appended.sequences(), ElementsAre(1, 2, 3, 4));
  EXPECT_THAT(appended.duplicates(), ElementsAre(false, false, false, false));
  EXPECT_EQ(appended.head().sequence(), 4u);
  EXPECT_EQ(appended.head().head_hash(), server.store().Head().head_hash);
  EXPECT_FALSE(appended.dry_run());

  grpc::Status status;
  std::vector<v1::RecordedEvent> events = ReadAll(*audit, v1::ReadEventsRequest(), &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(events.size(), 4u);
  const char* ids[] = {"reg", "rec", "alloc", "exp"};
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].record().sequence(), i + 1);
    EXPECT_EQ(events[i].record().event().event_id(), ids[i]);
    EXPECT_EQ(events[i].hash(), server.store().Read(i + 1)->hash());
    if (i > 0) {
      EXPECT_EQ(events[i].record().prev_hash(), events[i - 1].hash());
    }
  }
  EXPECT_EQ(events[3].record().event().expense().amount_ore(), 150'000);

  v1::GetGrantRequest get;
  get.set_grant_id(kGrant);
  v1::GetGrantResponse grant;
  auto context = ContextWithDeadline();
  ASSERT_TRUE(query->GetGrant(context.get(), get, &grant).ok());
  EXPECT_EQ(grant.as_of_sequence(), 4u);
  EXPECT_EQ(grant.grant().version(), 4u);
  EXPECT_EQ(grant.grant().terms().decided_amount_ore(), 1'000'000);
  EXPECT_EQ(grant.grant().terms().usage_period_end(), "2025-12-31");
  EXPECT_EQ(grant.grant().balance().received_ore(), 600'000);
  EXPECT_EQ(grant.grant().balance().spent_ore(), 150'000);
  EXPECT_EQ(grant.grant().balance().remaining_ore(), 450'000);
  ASSERT_EQ(grant.grant().balance().activities_size(), 1);
  EXPECT_EQ(grant.grant().balance().activities(0).activity(), "p7");
  EXPECT_EQ(grant.grant().balance().activities(0).remaining_ore(), 250'000);
}

TEST(ServicesLedgerTest, IdempotentRetryReturnsTheSameSequences) {
  TestServer server;
  auto ledger = v1::LedgerService::NewStub(NewChannel(server.address()));
  std::vector<v1::Event> batch = {RegisterGrant("reg", kGrant, 1'000'000),
                                  Receipt("rec-1", kGrant, 100)};
  v1::AppendResponse first;
  ASSERT_TRUE(AppendEvents(*ledger, batch, &first).ok());
  v1::AppendResponse retry;
  ASSERT_TRUE(AppendEvents(*ledger, batch, &retry).ok());
  EXPECT_THAT(retry.sequences(), ElementsAre(1, 2));
  EXPECT_THAT(retry.duplicates(), ElementsAre(true, true));
  EXPECT_EQ(retry.head().sequence(), 2u);
  EXPECT_EQ(retry.head().head_hash(), first.head().head_hash());

  // A retry mixing an old event and a new one writes only the new one.
  v1::AppendResponse mixed;
  ASSERT_TRUE(
      AppendEvents(*ledger, {Receipt("rec-1", kGrant, 100), Receipt("rec-2", kGrant, 5)}, &mixed)
          .ok());
  EXPECT_THAT(mixed.sequences(), ElementsAre(2, 3));
  EXPECT_THAT(mixed.duplicates(), ElementsAre(true, false));
  EXPECT_EQ(server.store().Head().sequence, 3u);
}

TEST(ServicesLedgerTest, DryRunValidatesAndWritesNothing) {
  TestServer server;
  auto ledger = v1::LedgerService::NewStub(NewChannel(server.address()));
  v1::AppendResponse dry;
  ASSERT_TRUE(AppendEvents(*ledger, {RegisterGrant("reg", kGrant, 1'000)}, &dry, true).ok());
  EXPECT_TRUE(dry.dry_run());
  EXPECT_THAT(dry.sequences(), ElementsAre(1));
  EXPECT_EQ(dry.head().sequence(), 0u);
  EXPECT_EQ(server.store().Head().sequence, 0u);
  // A dry run reports the rejection a real append would get.
  EXPECT_THAT(AppendEvents(*ledger, {Receipt("rec", kGrant, 1)}, &dry, true),
              GrpcStatusIs(grpc::StatusCode::NOT_FOUND, HasSubstr("grant_id")));
}

TEST(ServicesLedgerTest, ExpectedVersionsGuardTheAppend) {
  TestServer server;
  auto ledger = v1::LedgerService::NewStub(NewChannel(server.address()));
  v1::AppendResponse response;
  ASSERT_TRUE(AppendEvents(*ledger, {RegisterGrant("reg", kGrant, 1'000)}, &response).ok());

  v1::AppendRequest request;
  *request.add_events() = Receipt("rec", kGrant, 10);
  (*request.mutable_expected_versions())[kGrant] = 0;  // stale: the grant is at version 1
  auto context = ContextWithDeadline();
  EXPECT_THAT(ledger->Append(context.get(), request, &response),
              GrpcStatusIs(grpc::StatusCode::ABORTED, HasSubstr("expected_version")));
  EXPECT_EQ(server.store().Head().sequence, 1u);

  (*request.mutable_expected_versions())[kGrant] = 1;
  context = ContextWithDeadline();
  ASSERT_TRUE(ledger->Append(context.get(), request, &response).ok());
  EXPECT_THAT(response.sequences(), ElementsAre(2));
}

TEST(ServicesLedgerTest, ThirtyTwoConcurrentClientsProduceAGapFreeVerifiableLog) {
  TestServer server;
  {
    auto ledger = v1::LedgerService::NewStub(NewChannel(server.address()));
    v1::AppendResponse response;
    ASSERT_TRUE(
        AppendEvents(*ledger, {RegisterGrant("reg", kGrant, 1'000'000'000)}, &response).ok());
  }
  constexpr int kClients = 32;
  constexpr int kAppendsPerClient = 25;  // alternating single events and 3-event batches
  std::vector<std::vector<uint64_t>> sequences(kClients);
  std::atomic<int> failures{0};
  absl::Mutex failure_mu;
  std::string first_failure;  // what went wrong, for the assertion's message
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      // Each client connects first, as a client that retries would: when 32 connections
      // arrive at once on a loaded machine, a first connection attempt can fail, and a call
      // made then fails at once with UNAVAILABLE ("failed to connect to all addresses").
      std::shared_ptr<grpc::Channel> channel = NewChannel(server.address());
      if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(20))) {
        absl::MutexLock lock(&failure_mu);
        if (failures++ == 0) first_failure = absl::StrCat("client ", c, " could not connect");
        return;
      }
      auto ledger = v1::LedgerService::NewStub(channel);
      for (int i = 0; i < kAppendsPerClient; ++i) {
        std::vector<v1::Event> batch;
        const int size = i % 2 == 0 ? 1 : 3;
        for (int k = 0; k < size; ++k) {
          batch.push_back(Spend(absl::StrCat("c", c, "-", i, "-", k), kGrant, 100 + k));
        }
        v1::AppendResponse response;
        grpc::Status status = AppendEvents(*ledger, batch, &response);
        if (!status.ok() || response.sequences_size() != size) {
          absl::MutexLock lock(&failure_mu);
          if (failures++ == 0) {
            first_failure = absl::StrCat("client ", c, " append ", i, ": code ",
                                         status.error_code(), " \"", status.error_message(), "\", ",
                                         response.sequences_size(), " sequences");
          }
          return;
        }
        // A batch gets consecutive sequences.
        for (int k = 1; k < size; ++k) {
          if (response.sequences(k) != response.sequences(k - 1) + 1) ++failures;
        }
        sequences[c].insert(sequences[c].end(), response.sequences().begin(),
                            response.sequences().end());
      }
    });
  }
  for (std::thread& t : clients) t.join();
  ASSERT_EQ(failures.load(), 0) << first_failure;

  std::set<uint64_t> all;
  size_t count = 0;
  for (const auto& s : sequences) {
    all.insert(s.begin(), s.end());
    count += s.size();
  }
  const uint64_t expected_events = kClients * (13 * 1 + 12 * 3);
  EXPECT_EQ(count, expected_events);
  ASSERT_EQ(all.size(), expected_events) << "a sequence was handed out twice";
  EXPECT_EQ(*all.begin(), 2u);
  EXPECT_EQ(*all.rbegin(), expected_events + 1) << "the log has a gap";

  auto audit = v1::AuditService::NewStub(NewChannel(server.address()));
  v1::VerifyChainResponse verified;
  auto context = ContextWithDeadline();
  ASSERT_TRUE(audit->VerifyChain(context.get(), v1::VerifyChainRequest(), &verified).ok());
  EXPECT_TRUE(verified.ok()) << verified.problem();
  EXPECT_EQ(verified.checked(), expected_events + 1);
  EXPECT_EQ(verified.last_good().sequence(), expected_events + 1);
  EXPECT_EQ(verified.last_good().head_hash(), server.store().Head().head_hash);
}

}  // namespace
}  // namespace grantledger::testing
