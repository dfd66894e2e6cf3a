// AuditService and health over a real server: Subscribe started during a load delivers every
// event exactly once in order, ReadEvents per grant, VerifyChain and GetDigest agree with the
// store, health reports SERVING, and shutdown ends a subscription with UNAVAILABLE.
#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"
#include "gtest/gtest.h"
#include "tests/grpc_test_support.h"

namespace grantledger::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kGrant[] = "RS/229/2025";

TEST(ServicesAuditTest, SubscribeStartedMidLoadDeliversEveryEventOnceInOrder) {
  TestServer server;
  auto ledger = v1::LedgerService::NewStub(NewChannel(server.address()));
  v1::AppendResponse appended;
  ASSERT_TRUE(AppendEvents(*ledger, {RegisterGrant("reg", kGrant, 1'000'000'000)}, &appended).ok());

  constexpr int kWriters = 4;
  constexpr int kAppendsPerWriter = 150;
  std::atomic<int> failures{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      auto stub = v1::LedgerService::NewStub(NewChannel(server.address()));
      for (int i = 0; i < kAppendsPerWriter; ++i) {
        std::vector<v1::Event> batch = {Spend(absl::StrCat("w", w, "-", i), kGrant, 1)};
        if (i % 10 == 0) batch.push_back(Spend(absl::StrCat("w", w, "-", i, "-b"), kGrant, 2));
        v1::AppendResponse response;
        if (!AppendEvents(*stub, batch, &response).ok()) ++failures;
      }
    });
  }
  // Subscribe once the load is under way (bounded wait).
  const auto wait_start = std::chrono::steady_clock::now();
  while (server.store().Head().sequence < 50 &&
         std::chrono::steady_clock::now() - wait_start < std::chrono::seconds(20)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_GE(server.store().Head().sequence, 50u);

  const uint64_t total = 1 + kWriters * (kAppendsPerWriter + kAppendsPerWriter / 10);
  auto audit = v1::AuditService::NewStub(NewChannel(server.address()));
  auto context = ContextWithDeadline(absl::Seconds(60));
  v1::SubscribeRequest request;
  request.set_from_sequence(1);
  auto reader = audit->Subscribe(context.get(), request);
  std::vector<uint64_t> received;
  bool in_order = true;
  v1::EventsChunk chunk;
  while (received.size() < total && reader->Read(&chunk)) {
    for (const v1::RecordedEvent& e : chunk.events()) {
      if (e.record().sequence() != received.size() + 1) in_order = false;
      if (e.hash() != server.store().Read(e.record().sequence())->hash()) in_order = false;
      received.push_back(e.record().sequence());
    }
  }
  for (std::thread& t : writers) t.join();
  ASSERT_EQ(failures.load(), 0);
  EXPECT_EQ(server.store().Head().sequence, total);
  EXPECT_TRUE(in_order) << "an event came out of order, twice, or with another hash";
  EXPECT_EQ(received.size(), total);
  // Nothing more arrives after the head: the next read waits, and ends on cancel.
  context->TryCancel();
  while (reader->Read(&chunk)) received.insert(received.end(), chunk.events_size(), 0);
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_EQ(received.size(), total) << "events after the head";
}

TEST(ServicesAuditTest, ReadEventsOfOneGrantAndARange) {
  TestServer server;
  auto ledger = v1::LedgerService::NewStub(NewChannel(server.address()));
  auto audit = v1::AuditService::NewStub(NewChannel(server.address()));
  std::vector<v1::Event> batch = {RegisterGrant("reg-a", "A", 1'000),
                                  RegisterGrant("reg-b", "B", 1'000)};
  for (int i = 0; i < 600; ++i) {  // more than one chunk
    batch.push_back(Receipt(absl::StrCat("r", i), i % 3 == 0 ? "A" : "B", 1));
  }
  v1::AppendResponse appended;
  ASSERT_TRUE(AppendEvents(*ledger, batch, &appended).ok());

  v1::ReadEventsRequest request;
  request.set_grant_id("A");
  grpc::Status status;
  std::vector<v1::RecordedEvent> events = ReadAll(*audit, request, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(events.size(), 1u + 200u);
  uint64_t previous = 0;
  for (const v1::RecordedEvent& e : events) {
    EXPECT_EQ(e.record().event().grant_id(), "A");
    EXPECT_GT(e.record().sequence(), previous);
    previous = e.record().sequence();
  }

  request.Clear();
  request.set_from_sequence(100);
  request.set_to_sequence(400);
  events = ReadAll(*audit, request, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(events.size(), 301u);
  EXPECT_EQ(events.front().record().sequence(), 100u);
  EXPECT_EQ(events.back().record().sequence(), 400u);

  request.set_from_sequence(401);
  events = ReadAll(*audit, request, &status);
  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("from_sequence")));
}

TEST(ServicesAuditTest, VerifyChainAndDigestsAgreeWithTheStore) {
  TestServer server;
  auto ledger = v1::LedgerService::NewStub(NewChannel(server.address()));
  auto audit = v1::AuditService::NewStub(NewChannel(server.address()));
  v1::AppendResponse appended;
  ASSERT_TRUE(AppendEvents(*ledger,
                           {RegisterGrant("reg", kGrant, 1'000), Receipt("r1", kGrant, 1),
                            Receipt("r2", kGrant, 2), Receipt("r3", kGrant, 3)},
                           &appended)
                  .ok());

  v1::VerifyChainRequest verify;
  verify.set_from_sequence(2);
  verify.set_to_sequence(3);
  v1::VerifyChainResponse verified;
  auto context = ContextWithDeadline();
  ASSERT_TRUE(audit->VerifyChain(context.get(), verify, &verified).ok());
  EXPECT_TRUE(verified.ok());
  EXPECT_EQ(verified.checked(), 2u);
  EXPECT_EQ(verified.last_good().sequence(), 3u);
  EXPECT_EQ(verified.last_good().head_hash(), server.store().Read(3)->hash());

  v1::GetDigestResponse head;
  context = ContextWithDeadline();
  ASSERT_TRUE(audit->GetDigest(context.get(), v1::GetDigestRequest(), &head).ok());
  EXPECT_EQ(head.digest().sequence(), 4u);
  EXPECT_EQ(head.digest().head_hash(), appended.head().head_hash());
  EXPECT_EQ(head.digest().head_hash().size(), 32u);
  EXPECT_GT(head.recorded_time_unix_micros(), 0);

  v1::GetDigestRequest at_two;
  at_two.set_sequence(2);
  v1::GetDigestResponse digest;
  context = ContextWithDeadline();
  ASSERT_TRUE(audit->GetDigest(context.get(), at_two, &digest).ok());
  EXPECT_EQ(digest.digest().head_hash(), server.store().Read(2)->hash());
  EXPECT_NE(digest.digest().head_hash(), head.digest().head_hash());
}

TEST(ServicesAuditTest, HealthReportsServingAndShutdownEndsSubscriptions) {
  TestServer server;
  auto channel = NewChannel(server.address());
  // grpc.health.v1.Health/Check with an empty HealthCheckRequest; the response's field 1
  // (status) is SERVING = 1, encoded as the two bytes 08 01.
  grpc::GenericStub health(channel);
  grpc::Slice empty_message(std::string(""));  // HealthCheckRequest{}: the whole server
  grpc::ByteBuffer request(&empty_message, 1);
  grpc::ByteBuffer response;
  auto context = ContextWithDeadline();
  std::promise<grpc::Status> done;
  health.UnaryCall(context.get(), "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request,
                   &response, [&](grpc::Status s) { done.set_value(s); });
  grpc::Status status = done.get_future().get();
  ASSERT_TRUE(status.ok()) << status.error_message();
  grpc::Slice slice;
  ASSERT_TRUE(response.TrySingleSlice(&slice).ok() || response.DumpToSingleSlice(&slice).ok());
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(slice.begin()), slice.size()),
            std::string("\x08\x01", 2));

  auto audit = v1::AuditService::NewStub(channel);
  auto subscribe_context = ContextWithDeadline(absl::Seconds(30));
  auto reader = audit->Subscribe(subscribe_context.get(), v1::SubscribeRequest());
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    server.StopServer(absl::Seconds(5));
  });
  v1::EventsChunk chunk;
  while (reader->Read(&chunk)) {
  }
  EXPECT_THAT(reader->Finish(), GrpcStatusIs(grpc::StatusCode::UNAVAILABLE, HasSubstr("resume")));
  stopper.join();
}

}  // namespace
}  // namespace grantledger::testing
