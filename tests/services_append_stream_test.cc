// LedgerService.AppendStream over a real server: answers in request order, requests applied in
// that order while later ones are read ahead, a rejected request answered without ending the
// stream, concurrent streams forming one gap-free chain, the stream limit, a client that
// cancels with batches in flight, and a shutdown that ends an idle stream at once.
#include <atomic>
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/support/sync_stream.h"
#include "gtest/gtest.h"
#include "tests/grpc_test_support.h"

namespace grantledger::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Stream = grpc::ClientReaderWriter<v1::AppendRequest, v1::AppendStreamResponse>;

constexpr char kGrant[] = "RS/229/2025";

v1::AppendRequest RequestOf(const std::vector<v1::Event>& events) {
  v1::AppendRequest request;
  for (const v1::Event& e : events) *request.add_events() = e;
  return request;
}

// Writes every request before reading any answer (the server reads ahead of its answers),
// closes the client's side, and returns the answers; the stream must end OK.
std::vector<v1::AppendStreamResponse> WriteAllThenReadAll(
    Stream& stream, const std::vector<v1::AppendRequest>& requests) {
  for (const auto& request : requests) EXPECT_TRUE(stream.Write(request));
  EXPECT_TRUE(stream.WritesDone());
  std::vector<v1::AppendStreamResponse> answers;
  v1::AppendStreamResponse answer;
  while (stream.Read(&answer)) answers.push_back(answer);
  grpc::Status status = stream.Finish();
  EXPECT_TRUE(status.ok()) << status.error_message();
  return answers;
}

TEST(ServicesAppendStreamTest, AnswersEveryRequestInOrderAndAppliesThemInThatOrder) {
  TestServer server;
  auto ledger = v1::LedgerService::NewStub(NewChannel(server.address()));
  auto context = ContextWithDeadline();
  std::unique_ptr<Stream> stream = ledger->AppendStream(context.get());
  std::vector<v1::AppendRequest> requests = {
      RequestOf({RegisterGrant("reg", kGrant, 1'000'000), Receipt("rec", kGrant, 600'000)})};
  for (int i = 0; i < 9; ++i)
    requests.push_back(RequestOf({Spend(absl::StrCat("exp-", i), kGrant, 100 + i)}));
  std::vector<v1::AppendStreamResponse> answers = WriteAllThenReadAll(*stream, requests);
  ASSERT_EQ(answers.size(), requests.size());
  EXPECT_THAT(answers[0].response().sequences(), ElementsAre(1, 2));
  for (size_t i = 0; i < answers.size(); ++i) {
    EXPECT_EQ(answers[i].request_index(), i);
    EXPECT_EQ(answers[i].code(), 0) << answers[i].message();
    EXPECT_EQ(answers[i].event_index(), -1);
    if (i > 0) {
      EXPECT_THAT(answers[i].response().sequences(), ElementsAre(i + 2));
      EXPECT_EQ(server.store().Read(i + 2)->record().event().event_id(),
                absl::StrCat("exp-", i - 1));
    }
  }
  EXPECT_EQ(answers.back().response().head().sequence(), 11u);
  EXPECT_EQ(answers.back().response().head().head_hash(), server.store().Head().head_hash);
  EXPECT_EQ(server.store().Grant(kGrant)->SpentOre(), 9 * 100 + 36);
}

TEST(ServicesAppendStreamTest, ARejectedRequestIsAnsweredAndTheStreamGoesOn) {
  TestServer server;
  auto ledger = v1::LedgerService::NewStub(NewChannel(server.address()));
  auto context = ContextWithDeadline();
  std::unique_ptr<Stream> stream = ledger->AppendStream(context.get());
  v1::AppendRequest stale = RequestOf({Receipt("rec-stale", kGrant, 5)});
  (*stale.mutable_expected_versions())[kGrant] = 7;
  v1::AppendRequest empty_key = RequestOf({Receipt("rec-key", kGrant, 5)});
  (*empty_key.mutable_expected_versions())[""] = 1;
  const std::vector<v1::AppendRequest> requests = {
      RequestOf({Receipt("rec-0", "RS/404/2025", 10)}),                         // unknown grant
      RequestOf({RegisterGrant("reg", kGrant, 1'000)}),                         // applies
      RequestOf({Receipt("rec-1", kGrant, 10), Receipt("rec-2", kGrant, -4)}),  // event 1 bad
      stale,                                                                    // wrong version
      empty_key,                                                                // malformed
      RequestOf({Receipt("rec-3", kGrant, 20)}),                                // applies
      RequestOf({RegisterGrant("reg", kGrant, 1'000)}),                         // a retry
  };
  std::vector<v1::AppendStreamResponse> answers = WriteAllThenReadAll(*stream, requests);
  ASSERT_EQ(answers.size(), requests.size());

  EXPECT_EQ(answers[0].code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(answers[0].message(), HasSubstr("grant_id"));
  EXPECT_EQ(answers[0].event_index(), 0);
  EXPECT_FALSE(answers[0].has_response());
  EXPECT_EQ(answers[1].code(), 0);
  EXPECT_THAT(answers[1].response().sequences(), ElementsAre(1));
  EXPECT_EQ(answers[2].code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(answers[2].message(), HasSubstr("amount_ore"));
  EXPECT_EQ(answers[2].event_index(), 1);
  EXPECT_EQ(answers[3].code(), grpc::StatusCode::ABORTED);
  EXPECT_THAT(answers[3].message(), HasSubstr("expected_version"));
  EXPECT_EQ(answers[4].code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(answers[4].message(), HasSubstr("expected_versions"));
  EXPECT_EQ(answers[5].code(), 0);
  EXPECT_THAT(answers[5].response().sequences(), ElementsAre(2));
  EXPECT_EQ(answers[6].code(), 0);
  EXPECT_THAT(answers[6].response().sequences(), ElementsAre(1));
  EXPECT_THAT(answers[6].response().duplicates(), ElementsAre(true));
  for (size_t i = 0; i < answers.size(); ++i) EXPECT_EQ(answers[i].request_index(), i);
  // Nothing of a rejected request was written: the log is the registration and rec-3.
  EXPECT_EQ(server.store().Head().sequence, 2u);
  EXPECT_EQ(server.store().Read(2)->record().event().event_id(), "rec-3");
}

TEST(ServicesAppendStreamTest, ConcurrentStreamsFormOneGapFreeVerifiableChain) {
  TestServer server;
  {
    auto ledger = v1::LedgerService::NewStub(NewChannel(server.address()));
    v1::AppendResponse response;
    ASSERT_TRUE(
        AppendEvents(*ledger, {RegisterGrant("reg", kGrant, 1'000'000'000)}, &response).ok());
  }
  constexpr int kStreams = 8;
  constexpr int kRequests = 40;  // alternating single events and 3-event batches
  std::vector<std::vector<uint64_t>> sequences(kStreams);
  std::vector<std::string> failures(kStreams);
  std::vector<std::thread> clients;
  for (int c = 0; c < kStreams; ++c) {
    clients.emplace_back([&, c] {
      std::shared_ptr<grpc::Channel> channel = NewChannel(server.address());
      if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(20))) {
        failures[c] = "could not connect";
        return;
      }
      auto ledger = v1::LedgerService::NewStub(channel);
      auto context = ContextWithDeadline();
      std::unique_ptr<Stream> stream = ledger->AppendStream(context.get());
      // The writer runs ahead of the answers, as a pipelining client's would.
      std::thread writer([&] {
        for (int i = 0; i < kRequests; ++i) {
          std::vector<v1::Event> batch;
          for (int k = 0; k < (i % 2 == 0 ? 1 : 3); ++k) {
            batch.push_back(Spend(absl::StrCat("c", c, "-", i, "-", k), kGrant, 100 + k));
          }
          if (!stream->Write(RequestOf(batch))) return;
        }
        stream->WritesDone();
      });
      v1::AppendStreamResponse answer;
      for (int i = 0; stream->Read(&answer); ++i) {
        if (answer.code() != 0 || answer.request_index() != static_cast<uint64_t>(i)) {
          failures[c] = absl::StrCat("request ", i, ": code ", answer.code(), " ", answer.message(),
                                     ", index ", answer.request_index());
        }
        sequences[c].insert(sequences[c].end(), answer.response().sequences().begin(),
                            answer.response().sequences().end());
      }
      writer.join();
      grpc::Status status = stream->Finish();
      if (!status.ok()) failures[c] = status.error_message();
    });
  }
  for (std::thread& t : clients) t.join();
  for (int c = 0; c < kStreams; ++c) EXPECT_EQ(failures[c], "") << "stream " << c;

  std::set<uint64_t> all;
  for (const auto& s : sequences) {
    // A stream's requests are applied in the order it sent them.
    for (size_t i = 1; i < s.size(); ++i) EXPECT_GT(s[i], s[i - 1]);
    all.insert(s.begin(), s.end());
  }
  const uint64_t expected_events = kStreams * (kRequests / 2) * (1 + 3);
  ASSERT_EQ(all.size(), expected_events);
  EXPECT_EQ(*all.begin(), 2u);
  EXPECT_EQ(*all.rbegin(), expected_events + 1) << "the log has a gap";
  absl::StatusOr<VerifyResult> verified = server.store().Verify(1, expected_events + 1);
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_TRUE(verified->ok) << verified->problem;
}

TEST(ServicesAppendStreamTest, StreamsBeyondTheLimitAreRefused) {
  ServerOptions options;
  options.max_streams = 1;
  TestServer server(options);
  auto ledger = v1::LedgerService::NewStub(NewChannel(server.address()));
  auto first_context = ContextWithDeadline();
  std::unique_ptr<Stream> first = ledger->AppendStream(first_context.get());
  ASSERT_TRUE(first->Write(RequestOf({RegisterGrant("reg", kGrant, 1'000)})));
  v1::AppendStreamResponse answer;
  ASSERT_TRUE(first->Read(&answer));  // the first stream is open on the server now

  auto second_context = ContextWithDeadline();
  std::unique_ptr<Stream> second = ledger->AppendStream(second_context.get());
  second->Write(RequestOf({Receipt("rec", kGrant, 1)}));
  EXPECT_FALSE(second->Read(&answer));
  EXPECT_THAT(second->Finish(),
              GrpcStatusIs(grpc::StatusCode::RESOURCE_EXHAUSTED, HasSubstr("streams")));

  first->WritesDone();
  EXPECT_FALSE(first->Read(&answer));
  EXPECT_TRUE(first->Finish().ok());
  EXPECT_EQ(server.store().Head().sequence, 1u);
}

TEST(ServicesAppendStreamTest, AClientCancellingWithBatchesInFlightLeavesWholeBatches) {
  TestServer server;
  auto ledger = v1::LedgerService::NewStub(NewChannel(server.address()));
  v1::AppendResponse response;
  ASSERT_TRUE(AppendEvents(*ledger, {RegisterGrant("reg", kGrant, 1'000'000'000)}, &response).ok());
  constexpr int kBatch = 500;
  for (int round = 0; round < 5; ++round) {
    auto context = ContextWithDeadline();
    std::unique_ptr<Stream> stream = ledger->AppendStream(context.get());
    for (int b = 0; b < 4; ++b) {
      std::vector<v1::Event> batch;
      for (int k = 0; k < kBatch; ++k) {
        batch.push_back(Spend(absl::StrCat("r", round, "-", b, "-", k), kGrant, 1));
      }
      if (!stream->Write(RequestOf(batch))) break;
    }
    context->TryCancel();  // with the batches read, in the store, or not yet read
    EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::CANCELLED);
  }
  // The server answers other calls, and every batch is all in or all out.
  ASSERT_TRUE(AppendEvents(*ledger, {Spend("after", kGrant, 1)}, &response).ok());
  const uint64_t head = server.store().Head().sequence;
  EXPECT_EQ((head - 2) % kBatch, 0u) << "a batch was written in part";
  absl::StatusOr<VerifyResult> verified = server.store().Verify(1, head);
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_TRUE(verified->ok) << verified->problem;
}

TEST(ServicesAppendStreamTest, ShutdownEndsAnIdleStreamAtOnceAndKeepsWhatWasAnswered) {
  TestServer server;
  auto ledger = v1::LedgerService::NewStub(NewChannel(server.address()));
  auto context = ContextWithDeadline(absl::Seconds(60));
  std::unique_ptr<Stream> stream = ledger->AppendStream(context.get());
  ASSERT_TRUE(stream->Write(RequestOf({RegisterGrant("reg", kGrant, 1'000)})));
  v1::AppendStreamResponse answer;
  ASSERT_TRUE(stream->Read(&answer));
  ASSERT_EQ(answer.code(), 0);

  // The client now sends nothing; the stream must not hold the shutdown for its grace.
  const absl::Time start = absl::Now();
  server.StopServer(absl::Seconds(30));
  EXPECT_LT(absl::Now() - start, absl::Seconds(15));
  EXPECT_FALSE(stream->Read(&answer));
  EXPECT_THAT(stream->Finish(), GrpcStatusIs(grpc::StatusCode::UNAVAILABLE,
                                             HasSubstr("1 requests answered on this stream")));
  EXPECT_EQ(server.store().Head().sequence, 1u);
}

}  // namespace
}  // namespace grantledger::testing
