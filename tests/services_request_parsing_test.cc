// Issue 13, hole 4 for every method the server offers: a request whose bytes do not parse
// (garbage, or a string field holding bytes that are not UTF-8) is answered INVALID_ARGUMENT
// naming the method and, for a bad string, its field path; gRPC's own parsing answered such a
// unary call UNIMPLEMENTED with an empty message. The methods are taken from the services'
// descriptors, so a method added later is covered without touching this test.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "grantledger/v1/year_end_service.grpc.pb.h"
#include "grpc/reflection/v1/reflection.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"
#include "gtest/gtest.h"
#include "tests/grpc_test_support.h"

namespace grantledger::testing {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::MethodDescriptor;
using ::testing::AllOf;
using ::testing::HasSubstr;

// Bytes that are no protobuf encoding: field 1, length-delimited, with a length far beyond
// the end.
constexpr char kGarbage[] = "\x0a\xff\xff\xff\xff\x0f garbage";

std::string Varint(uint64_t value) {
  std::string out;
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
  return out;
}

std::string LengthDelimited(int number, const std::string& payload) {
  return absl::StrCat(Varint(static_cast<uint64_t>(number) << 3 | 2), Varint(payload.size()),
                      payload);
}

// A `type` encoding whose first string field (depth first, in declaration order) holds the
// bytes e5 e4 f6 (Windows-1252 "åäö"), and that field's path ("as_of.as_of_date",
// "grant_ids[0]"); nullopt when `type` has no string field.
struct BadString {
  std::string path;
  std::string bytes;
};
std::optional<BadString> BadStringIn(const Descriptor& type, int depth = 0) {
  for (int i = 0; i < type.field_count(); ++i) {
    const FieldDescriptor& field = *type.field(i);
    const std::string name = absl::StrCat(field.name(), field.is_repeated() ? "[0]" : "");
    if (field.type() == FieldDescriptor::TYPE_STRING) {
      return BadString{name, LengthDelimited(field.number(), "\xe5\xe4\xf6")};
    }
    if (field.type() == FieldDescriptor::TYPE_MESSAGE && depth < 4) {
      if (std::optional<BadString> inner = BadStringIn(*field.message_type(), depth + 1)) {
        return BadString{absl::StrCat(name, ".", inner->path),
                         LengthDelimited(field.number(), inner->bytes)};
      }
    }
  }
  return std::nullopt;
}

grpc::ByteBuffer BufferOf(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

// "grantledger.v1.QueryService" and "GetGrant" -> "QueryService/GetGrant", as the server
// names its methods.
std::string ShortName(const MethodDescriptor& method) {
  return absl::StrCat(method.service()->name(), "/", method.name());
}

// One call of any kind (a unary call is one message each way on the wire): sends `request`,
// half-closes, reads every answer, and returns the final status.
struct CallResult {
  grpc::Status status;
  std::vector<std::string> answers;
};

bool Await(grpc::CompletionQueue& cq, void* tag) {
  void* got = nullptr;
  bool ok = false;
  EXPECT_TRUE(cq.Next(&got, &ok));
  EXPECT_EQ(got, tag);
  return ok;
}

CallResult Call(grpc::GenericStub& stub, const std::string& path, const std::string& request) {
  CallResult result;
  grpc::CompletionQueue cq;
  auto context = ContextWithDeadline();
  auto call = stub.PrepareCall(context.get(), path, &cq);
  int tag = 0;
  call->StartCall(&tag);
  if (Await(cq, &tag)) {
    const grpc::ByteBuffer buffer = BufferOf(request);
    call->Write(buffer, &tag);
    if (Await(cq, &tag)) {
      call->WritesDone(&tag);
      Await(cq, &tag);
    }
    while (true) {
      grpc::ByteBuffer answer;
      call->Read(&answer, &tag);
      if (!Await(cq, &tag)) break;
      std::vector<grpc::Slice> slices;
      EXPECT_TRUE(answer.Dump(&slices).ok());
      std::string bytes;
      for (const grpc::Slice& s : slices)
        bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
      result.answers.push_back(std::move(bytes));
    }
  }
  call->Finish(&result.status, &tag);
  Await(cq, &tag);
  cq.Shutdown();
  void* ignored_tag = nullptr;
  bool ignored_ok = false;
  while (cq.Next(&ignored_tag, &ignored_ok)) {
  }
  return result;
}

// Every method of every service in the files the server serves (gRPC's own health service
// aside).
std::vector<const MethodDescriptor*> AllMethods() {
  const google::protobuf::FileDescriptor* files[] = {
      v1::AppendRequest::descriptor()->file(),
      v1::GetGrantRequest::descriptor()->file(),
      v1::PositionRequest::descriptor()->file(),
      v1::ReadEventsRequest::descriptor()->file(),
      grpc::reflection::v1::ServerReflectionRequest::descriptor()->file(),
      grpc::reflection::v1alpha::ServerReflectionRequest::descriptor()->file()};
  std::vector<const MethodDescriptor*> out;
  for (const auto* file : files) {
    for (int s = 0; s < file->service_count(); ++s) {
      for (int m = 0; m < file->service(s)->method_count(); ++m) {
        out.push_back(file->service(s)->method(m));
      }
    }
  }
  return out;
}

// INVALID_ARGUMENT with `matcher`, as the call's status or (AppendStream) as its answer.
void ExpectInvalidArgument(const MethodDescriptor& method, const CallResult& result,
                           const ::testing::Matcher<std::string>& matcher) {
  const std::string path = absl::StrCat("/", method.service()->full_name(), "/", method.name());
  if (method.full_name() == "grantledger.v1.LedgerService.AppendStream") {
    EXPECT_TRUE(result.status.ok()) << path << ": " << result.status.error_message();
    ASSERT_EQ(result.answers.size(), 1u) << path;
    v1::AppendStreamResponse answer;
    ASSERT_TRUE(answer.ParseFromString(result.answers[0])) << path;
    EXPECT_EQ(answer.code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT)) << path;
    EXPECT_THAT(answer.message(), matcher) << path;
    return;
  }
  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << path << " answered " << result.status.error_code() << " \""
      << result.status.error_message() << "\"";
  EXPECT_THAT(result.status.error_message(), matcher) << path;
  EXPECT_TRUE(result.answers.empty()) << path;
}

TEST(ServicesRequestParsingTest, GarbageIsInvalidArgumentNamingTheMethodOnEveryMethod) {
  TestServer server;
  grpc::GenericStub stub(NewChannel(server.address()));
  const std::vector<const MethodDescriptor*> methods = AllMethods();
  ASSERT_GE(methods.size(), 19u);
  for (const MethodDescriptor* method : methods) {
    SCOPED_TRACE(method->full_name());
    const CallResult result =
        Call(stub, absl::StrCat("/", method->service()->full_name(), "/", method->name()),
             std::string(kGarbage, sizeof(kGarbage) - 1));
    ExpectInvalidArgument(
        *method, result,
        AllOf(HasSubstr(ShortName(*method)),
              HasSubstr(absl::StrCat("does not parse as ", method->input_type()->full_name()))));
  }
  EXPECT_EQ(server.store().Head().sequence, 0u);
}

TEST(ServicesRequestParsingTest, AStringThatIsNotUtf8IsInvalidArgumentNamingMethodAndField) {
  TestServer server;
  grpc::GenericStub stub(NewChannel(server.address()));
  int with_strings = 0;
  for (const MethodDescriptor* method : AllMethods()) {
    SCOPED_TRACE(method->full_name());
    std::optional<BadString> bad = BadStringIn(*method->input_type());
    if (!bad.has_value()) continue;  // no string field: the garbage test covers it
    ++with_strings;
    const CallResult result = Call(
        stub, absl::StrCat("/", method->service()->full_name(), "/", method->name()), bad->bytes);
    ExpectInvalidArgument(*method, result,
                          AllOf(HasSubstr(ShortName(*method)), HasSubstr(bad->path),
                                HasSubstr("\"\\xe5\\xe4\\xf6\""), HasSubstr("not valid UTF-8")));
  }
  EXPECT_GE(with_strings, 12) << "most requests have a string field";
  EXPECT_EQ(server.store().Head().sequence, 0u);
}

// The same raw path still serves valid requests: an empty request (no bytes) to a query
// and valid bytes to a stream.
TEST(ServicesRequestParsingTest, ValidBytesAreStillServedOnTheRawMethods) {
  TestServer server;
  auto ledger = v1::LedgerService::NewStub(NewChannel(server.address()));
  v1::AppendResponse appended;
  ASSERT_TRUE(
      AppendEvents(*ledger, {RegisterGrant("reg", "RS/229/2025", 1'000'00)}, &appended).ok());
  grpc::GenericStub stub(NewChannel(server.address()));
  const CallResult listed = Call(stub, "/grantledger.v1.QueryService/ListGrants", "");
  ASSERT_TRUE(listed.status.ok()) << listed.status.error_message();
  ASSERT_EQ(listed.answers.size(), 1u);
  v1::ListGrantsResponse grants;
  ASSERT_TRUE(grants.ParseFromString(listed.answers[0]));
  ASSERT_EQ(grants.grants_size(), 1);
  EXPECT_EQ(grants.grants(0).grant_id(), "RS/229/2025");

  v1::ReadEventsRequest read;
  read.set_from_sequence(1);
  const CallResult events =
      Call(stub, "/grantledger.v1.AuditService/ReadEvents", read.SerializeAsString());
  ASSERT_TRUE(events.status.ok()) << events.status.error_message();
  ASSERT_EQ(events.answers.size(), 1u);
  v1::EventsChunk chunk;
  ASSERT_TRUE(chunk.ParseFromString(events.answers[0]));
  ASSERT_EQ(chunk.events_size(), 1);
  EXPECT_EQ(chunk.events(0).record().sequence(), 1u);
}

}  // namespace
}  // namespace grantledger::testing
