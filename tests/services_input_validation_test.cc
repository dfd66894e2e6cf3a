// Issue 13's holes at the gRPC edge, through a real server: a request that does not parse
// (a text that is not UTF-8, sent as raw bytes by a generic stub) is answered INVALID_ARGUMENT
// naming the event and field, on Append and on AppendStream, where the stream goes on with the
// next request; an 8 KB event_id gets its real error, not RESOURCE_EXHAUSTED; a second server
// on a busy port does not start.
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"
#include "gtest/gtest.h"
#include "tests/grpc_test_support.h"

namespace grantledger::testing {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kGrant[] = "RS/229/2025";
constexpr char kAppend[] = "/grantledger.v1.LedgerService/Append";
constexpr char kAppendStream[] = "/grantledger.v1.LedgerService/AppendStream";

// The request's encoding with every "@@@" replaced by `bytes` (same length): how a client
// whose texts are not UTF-8 encodes them (protobuf does not check on serializing).
grpc::ByteBuffer EncodeWith(const v1::AppendRequest& request, const std::string& bytes) {
  std::string encoded = request.SerializeAsString();
  encoded = absl::StrReplaceAll(encoded, {{"@@@", bytes}});
  grpc::Slice slice(encoded);
  return grpc::ByteBuffer(&slice, 1);
}

grpc::ByteBuffer Encode(const v1::AppendRequest& request) { return EncodeWith(request, "@@@"); }

template <typename Message>
Message Decode(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  EXPECT_TRUE(buffer.Dump(&slices).ok());
  std::string bytes;
  for (const grpc::Slice& s : slices)
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  Message out;
  EXPECT_TRUE(out.ParseFromString(bytes));
  return out;
}

v1::AppendRequest RequestOf(const std::vector<v1::Event>& events) {
  v1::AppendRequest request;
  for (const v1::Event& e : events) *request.add_events() = e;
  return request;
}

grpc::Status GenericUnary(grpc::GenericStub& stub, grpc::ClientContext& context,
                          const grpc::ByteBuffer& request, grpc::ByteBuffer* response) {
  absl::Notification done;
  grpc::Status status;
  stub.UnaryCall(&context, kAppend, grpc::StubOptions(), &request, response, [&](grpc::Status s) {
    status = std::move(s);
    done.Notify();
  });
  done.WaitForNotification();
  return status;
}

TEST(ServicesInputValidationTest, AnUnparseableAppendIsInvalidArgumentNamingEventAndField) {
  TestServer server;
  grpc::GenericStub stub(NewChannel(server.address()));
  v1::Event expense = Spend("erp-41007", kGrant, 100);
  expense.mutable_expense()->set_cost_group("K@@@pta");
  const v1::AppendRequest request = RequestOf({RegisterGrant("reg", kGrant, 1'000'00), expense});
  auto context = ContextWithDeadline();
  grpc::ByteBuffer response;
  grpc::Status status =
      GenericUnary(stub, *context, EncodeWith(request, "\xf6\xf6\xf6"), &response);
  EXPECT_THAT(status,
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                           AllOf(HasSubstr("event 1"), HasSubstr("events[1].expense.cost_group"),
                                 HasSubstr("\"K\\xf6\\xf6\\xf6pta\""), HasSubstr("not valid UTF-8"),
                                 HasSubstr("UTF-8"))));
  auto index = context->GetServerTrailingMetadata().find("grantledger-event-index");
  ASSERT_NE(index, context->GetServerTrailingMetadata().end());
  EXPECT_EQ(std::string(index->second.data(), index->second.size()), "1");
  EXPECT_EQ(server.store().Head().sequence, 0u);

  // The same bytes with valid text are applied through the same raw method.
  auto valid_context = ContextWithDeadline();
  grpc::Status valid =
      GenericUnary(stub, *valid_context, EncodeWith(request, "\xc3\xb6-"), &response);
  ASSERT_TRUE(valid.ok()) << valid.error_message();
  EXPECT_THAT(Decode<v1::AppendResponse>(response).sequences(), ElementsAre(1, 2));
}

TEST(ServicesInputValidationTest, BytesThatAreNotAnAppendRequestAreInvalidArgument) {
  TestServer server;
  grpc::GenericStub stub(NewChannel(server.address()));
  grpc::Slice slice(std::string("\x0a\xff\xff\xff\xff\x0f garbage"));
  grpc::ByteBuffer garbage(&slice, 1);
  auto context = ContextWithDeadline();
  grpc::ByteBuffer response;
  EXPECT_THAT(GenericUnary(stub, *context, garbage, &response),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                           HasSubstr("does not parse as grantledger.v1.AppendRequest")));
}

// One completion-queue step: waits for `tag` and returns its ok.
bool Await(grpc::CompletionQueue& cq, void* tag) {
  void* got = nullptr;
  bool ok = false;
  EXPECT_TRUE(cq.Next(&got, &ok));
  EXPECT_EQ(got, tag);
  return ok;
}

TEST(ServicesInputValidationTest, AnUnparseableStreamRequestIsAnsweredAndTheStreamGoesOn) {
  TestServer server;
  grpc::GenericStub stub(NewChannel(server.address()));
  grpc::CompletionQueue cq;
  auto context = ContextWithDeadline();
  auto call = stub.PrepareCall(context.get(), kAppendStream, &cq);
  int tag = 0;
  call->StartCall(&tag);
  ASSERT_TRUE(Await(cq, &tag));
  v1::Event bad_id = Receipt("@@@-1", kGrant, 100);  // an event_id of bytes e5 e4 f6
  const std::vector<grpc::ByteBuffer> requests = {
      Encode(RequestOf({RegisterGrant("reg", kGrant, 1'000'00)})),
      EncodeWith(RequestOf({bad_id}), "\xe5\xe4\xf6"),
      Encode(RequestOf({Receipt("rec", kGrant, 500'00)})),
  };
  for (const grpc::ByteBuffer& request : requests) {
    call->Write(request, &tag);
    ASSERT_TRUE(Await(cq, &tag));
  }
  call->WritesDone(&tag);
  ASSERT_TRUE(Await(cq, &tag));
  std::vector<v1::AppendStreamResponse> answers;
  while (true) {
    grpc::ByteBuffer answer;
    call->Read(&answer, &tag);
    if (!Await(cq, &tag)) break;
    answers.push_back(Decode<v1::AppendStreamResponse>(answer));
  }
  grpc::Status status;
  call->Finish(&status, &tag);
  ASSERT_TRUE(Await(cq, &tag));
  EXPECT_TRUE(status.ok()) << status.error_message();
  cq.Shutdown();
  void* ignored_tag = nullptr;
  bool ignored_ok = false;
  while (cq.Next(&ignored_tag, &ignored_ok)) {
  }

  ASSERT_EQ(answers.size(), 3u) << "every request is answered";
  EXPECT_EQ(answers[0].code(), 0);
  EXPECT_EQ(answers[1].request_index(), 1u);
  EXPECT_EQ(answers[1].code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(answers[1].message(), AllOf(HasSubstr("event 0 (events[0].event_id)"),
                                          HasSubstr("\\xe5\\xe4\\xf6"), HasSubstr("UTF-8")));
  EXPECT_EQ(answers[1].event_index(), 0);
  EXPECT_EQ(answers[2].request_index(), 2u);
  EXPECT_EQ(answers[2].code(), 0) << answers[2].message();
  EXPECT_THAT(answers[2].response().sequences(), ElementsAre(2));
  EXPECT_EQ(server.store().Head().sequence, 2u);
}

TEST(ServicesInputValidationTest, AnEightKilobyteEventIdGetsItsRealErrorNotResourceExhausted) {
  TestServer server;
  auto ledger = v1::LedgerService::NewStub(NewChannel(server.address()));
  v1::AppendResponse response;
  grpc::Status status =
      AppendEvents(*ledger, {Receipt(std::string(8192, 'x'), kGrant, 100)}, &response);
  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                                   AllOf(HasSubstr("event_id"), HasSubstr("8192 bytes"))));
  EXPECT_LT(status.error_message().size(), 400u);
}

TEST(ServicesInputValidationTest, ASecondServerOnABusyPortDoesNotStart) {
  TestServer first;
  TempDir dir;
  EventStoreOptions store_options;
  store_options.path = dir.Sub("data");
  auto store = EventStore::Open(store_options);
  ASSERT_TRUE(store.ok());
  ServerOptions options;
  options.listen_address = first.address();
  auto second = GrantLedgerServer::Start(**store, options);
  EXPECT_FALSE(second.ok()) << "a second server started on " << first.address();
  EXPECT_THAT(second.status().message(), AllOf(HasSubstr(first.address()), HasSubstr("in use")));
}

TEST(ServicesInputValidationTest, TheServerBinaryExitsThreeOnABusyPort) {
  TestServer first;
  TempDir dir;
  // `timeout` ends a server that started anyway (the hole), so the test cannot hang.
  const std::string command =
      absl::StrCat("timeout 20 ", GRANTLEDGER_BINARY_DIR, "/services/grantledgerd --data-dir ",
                   dir.Sub("data"), " --listen ", first.address(), " > ", dir.Sub("out"), " 2>&1");
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 3);
  std::stringstream out;
  out << std::ifstream(dir.Sub("out")).rdbuf();
  EXPECT_THAT(out.str(),
              AllOf(HasSubstr("cannot listen on"), HasSubstr("in use"), Not(HasSubstr("started"))));
}

}  // namespace
}  // namespace grantledger::testing
