// Rejections over gRPC: each core error arrives with its canonical code and a message naming
// the field; request limits and client deadlines are enforced by the server.
#include <chrono>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/grpc_test_support.h"

namespace grantledger::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kGrant[] = "RS/229/2025";

class ServicesErrorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ledger_ = v1::LedgerService::NewStub(NewChannel(server_.address()));
    query_ = v1::QueryService::NewStub(NewChannel(server_.address()));
    audit_ = v1::AuditService::NewStub(NewChannel(server_.address()));
    v1::AppendResponse response;
    ASSERT_TRUE(
        AppendEvents(*ledger_,
                     {RegisterGrant("reg", kGrant, 1'000'000), Receipt("rec", kGrant, 500'000)},
                     &response)
            .ok());
  }
  grpc::Status Append(const std::vector<v1::Event>& events) {
    v1::AppendResponse response;
    return AppendEvents(*ledger_, events, &response);
  }

  TestServer server_;
  std::unique_ptr<v1::LedgerService::Stub> ledger_;
  std::unique_ptr<v1::QueryService::Stub> query_;
  std::unique_ptr<v1::AuditService::Stub> audit_;
};

TEST_F(ServicesErrorsTest, InvalidArgumentNamesTheField) {
  EXPECT_THAT(Append({}), GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("events")));
  EXPECT_THAT(Append({Receipt("neg", kGrant, -5)}),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("receipt.amount_ore")));
  v1::Event bad_date = Receipt("date", kGrant, 5);
  bad_date.set_effective_date("2025-13-01");
  EXPECT_THAT(Append({bad_date}),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("effective_date")));

  v1::GetGrantRequest get;
  v1::GetGrantResponse grant;
  auto context = ContextWithDeadline();
  EXPECT_THAT(query_->GetGrant(context.get(), get, &grant),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("grant_id")));
  get.set_grant_id(kGrant);
  get.set_as_of_sequence(0);
  context = ContextWithDeadline();
  EXPECT_THAT(query_->GetGrant(context.get(), get, &grant),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("as_of_sequence")));

  v1::ListGrantsRequest list;
  list.set_kind(static_cast<v1::GrantKind>(42));
  v1::ListGrantsResponse grants;
  context = ContextWithDeadline();
  EXPECT_THAT(query_->ListGrants(context.get(), list, &grants),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("kind")));
  EXPECT_EQ(server_.store().Head().sequence, 2u);
}

TEST_F(ServicesErrorsTest, TheRejectedEventsIndexIsInTheMessageAndTheTrailers) {
  v1::AppendRequest request;
  *request.add_events() = Receipt("ok", kGrant, 5);
  *request.add_events() = Receipt("bad", kGrant, 0);
  v1::AppendResponse response;
  auto context = ContextWithDeadline();
  EXPECT_THAT(ledger_->Append(context.get(), request, &response),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("event 1")));
  auto trailers = context->GetServerTrailingMetadata();
  auto index = trailers.find(kEventIndexMetadata);
  ASSERT_NE(index, trailers.end());
  EXPECT_EQ(std::string(index->second.data(), index->second.size()), "1");
  EXPECT_EQ(server_.store().Head().sequence, 2u) << "a rejected batch wrote something";
}

TEST_F(ServicesErrorsTest, FailedPrecondition) {
  EXPECT_THAT(
      Append({Allocate("big", kGrant, 2'000'000, "p7", "HS Kir")}),
      GrpcStatusIs(grpc::StatusCode::FAILED_PRECONDITION, HasSubstr("allocation.amount_ore")));
  EXPECT_THAT(
      Append({Repay("repay", kGrant, 600'000)}),
      GrpcStatusIs(grpc::StatusCode::FAILED_PRECONDITION, HasSubstr("repayment.amount_ore")));
}

TEST_F(ServicesErrorsTest, NotFound) {
  EXPECT_THAT(Append({Receipt("other", "RS/999/2025", 5)}),
              GrpcStatusIs(grpc::StatusCode::NOT_FOUND, HasSubstr("grant_id")));
  v1::GetGrantRequest get;
  get.set_grant_id("RS/999/2025");
  v1::GetGrantResponse grant;
  auto context = ContextWithDeadline();
  EXPECT_THAT(query_->GetGrant(context.get(), get, &grant),
              GrpcStatusIs(grpc::StatusCode::NOT_FOUND, HasSubstr("grant_id")));
  v1::GetBalancesRequest balances;
  balances.add_grant_ids(kGrant);
  balances.add_grant_ids("RS/999/2025");
  v1::GetBalancesResponse balances_response;
  context = ContextWithDeadline();
  EXPECT_THAT(query_->GetBalances(context.get(), balances, &balances_response),
              GrpcStatusIs(grpc::StatusCode::NOT_FOUND, HasSubstr("RS/999/2025")));
  v1::ReadEventsRequest read;
  read.set_grant_id("RS/999/2025");
  grpc::Status status;
  EXPECT_TRUE(ReadAll(*audit_, read, &status).empty());
  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::NOT_FOUND, HasSubstr("grant_id")));
}

TEST_F(ServicesErrorsTest, AlreadyExists) {
  EXPECT_THAT(Append({RegisterGrant("reg-again", kGrant, 5)}),
              GrpcStatusIs(grpc::StatusCode::ALREADY_EXISTS, HasSubstr("grant_id")));
  // The same event_id with other content.
  EXPECT_THAT(Append({Receipt("rec", kGrant, 499'999)}),
              GrpcStatusIs(grpc::StatusCode::ALREADY_EXISTS, HasSubstr("event_id")));
}

TEST_F(ServicesErrorsTest, OutOfRangeBeyondTheHead) {
  v1::GetDigestRequest digest;
  digest.set_sequence(3);
  v1::GetDigestResponse digest_response;
  auto context = ContextWithDeadline();
  EXPECT_THAT(audit_->GetDigest(context.get(), digest, &digest_response),
              GrpcStatusIs(grpc::StatusCode::OUT_OF_RANGE, HasSubstr("sequence")));
  v1::GetGrantRequest get;
  get.set_grant_id(kGrant);
  get.set_as_of_sequence(3);
  v1::GetGrantResponse grant;
  context = ContextWithDeadline();
  EXPECT_THAT(query_->GetGrant(context.get(), get, &grant),
              GrpcStatusIs(grpc::StatusCode::OUT_OF_RANGE, HasSubstr("as_of_sequence")));
  v1::VerifyChainRequest verify;
  verify.set_to_sequence(9);
  v1::VerifyChainResponse verified;
  context = ContextWithDeadline();
  EXPECT_THAT(audit_->VerifyChain(context.get(), verify, &verified),
              GrpcStatusIs(grpc::StatusCode::OUT_OF_RANGE, HasSubstr("to_sequence")));
}

TEST(ServicesLimitsTest, ARequestOverTheMessageLimitIsRejectedBeforeTheLedger) {
  ServerOptions options;
  options.max_receive_message_bytes = 16 * 1024;
  TestServer server(options);
  auto ledger = v1::LedgerService::NewStub(NewChannel(server.address()));
  std::vector<v1::Event> batch = {RegisterGrant("reg", kGrant, 1'000'000)};
  for (int i = 0; i < 1000; ++i) batch.push_back(Receipt(absl::StrCat("rec-", i), kGrant, 1));
  v1::AppendResponse response;
  EXPECT_THAT(AppendEvents(*ledger, batch, &response),
              GrpcStatusIs(grpc::StatusCode::RESOURCE_EXHAUSTED, HasSubstr("")));
  EXPECT_EQ(server.store().Head().sequence, 0u);
  batch.resize(20);
  EXPECT_TRUE(AppendEvents(*ledger, batch, &response).ok());
}

TEST(ServicesDeadlineTest, ASubscriptionEndsAtTheClientsDeadline) {
  TestServer server;
  auto audit = v1::AuditService::NewStub(NewChannel(server.address()));
  auto context = ContextWithDeadline(absl::Milliseconds(300));
  const auto start = std::chrono::steady_clock::now();
  auto reader = audit->Subscribe(context.get(), v1::SubscribeRequest());
  v1::EventsChunk chunk;
  while (reader->Read(&chunk)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  // The server let go of the stream: it can shut down promptly.
  const auto stop_start = std::chrono::steady_clock::now();
  server.StopServer(absl::Seconds(10));
  EXPECT_LT(std::chrono::steady_clock::now() - stop_start, std::chrono::seconds(3));
}

}  // namespace
}  // namespace grantledger::testing
