// Reflection (grpc.reflection.v1 and v1alpha) and health per service name, over a real server;
// with client certificates on, reflection only for verified principals; a store that stops
// taking appends, and one whose disk is below the reserve, seen by gRPC health, /healthz and
// /metrics.
#include <httplib.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.pb.h"
#include "grpc/reflection/v1/reflection.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "ledger/store/merkle_store.h"
#include "rocksdb/env.h"
#include "services/http/http_server.h"
#include "tests/failing_wal_file_system.h"
#include "tests/grpc_test_support.h"
#include "tests/test_support.h"

namespace grantledger::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

namespace v1r = ::grpc::reflection::v1;
namespace v1a = ::grpc::reflection::v1alpha;

// Sends `requests` on one reflection stream and returns the answers; the final status in
// `status`.
template <typename Stub, typename Request, typename Response>
std::vector<Response> Reflect(Stub& stub, const std::vector<Request>& requests,
                              grpc::Status* status) {
  auto context = ContextWithDeadline();
  auto stream = stub.ServerReflectionInfo(context.get());
  std::vector<Response> out;
  for (const Request& request : requests) {
    if (!stream->Write(request)) break;
    Response response;
    if (!stream->Read(&response)) break;
    out.push_back(response);
  }
  stream->WritesDone();
  *status = stream->Finish();
  return out;
}

std::vector<std::string> FileNames(const v1r::ServerReflectionResponse& response) {
  std::vector<std::string> out;
  for (const std::string& bytes : response.file_descriptor_response().file_descriptor_proto()) {
    google::protobuf::FileDescriptorProto file;
    EXPECT_TRUE(file.ParseFromString(bytes));
    out.push_back(file.name());
  }
  return out;
}

TEST(ServicesReflectionTest, V1AndV1AlphaDescribeTheServices) {
  TestServer server;
  auto channel = NewChannel(server.address());
  v1r::ServerReflectionRequest list;
  list.set_list_services("");
  v1r::ServerReflectionRequest symbol;
  symbol.set_file_containing_symbol("grantledger.v1.LedgerService");
  v1r::ServerReflectionRequest again = symbol;  // its imports were sent already
  v1r::ServerReflectionRequest missing;
  missing.set_file_containing_symbol("grantledger.v1.NoSuchService");
  v1r::ServerReflectionRequest by_name;
  by_name.set_file_by_filename("grantledger/v1/events.proto");
  auto stub = v1r::ServerReflection::NewStub(channel);
  grpc::Status status;
  auto answers = Reflect<v1r::ServerReflection::Stub, v1r::ServerReflectionRequest,
                         v1r::ServerReflectionResponse>(
      *stub, {list, symbol, again, missing, by_name}, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(answers.size(), 5u);
  std::vector<std::string> services;
  for (const auto& s : answers[0].list_services_response().service()) services.push_back(s.name());
  EXPECT_THAT(services, Contains("grantledger.v1.LedgerService"));
  EXPECT_THAT(services, Contains("grpc.reflection.v1.ServerReflection"));
  EXPECT_THAT(services, Contains("grpc.reflection.v1alpha.ServerReflection"));
  EXPECT_THAT(FileNames(answers[1]), Contains("grantledger/v1/ledger_service.proto"));
  EXPECT_THAT(FileNames(answers[1]), Contains("grantledger/v1/events.proto"));
  EXPECT_EQ(FileNames(answers[2]), std::vector<std::string>{"grantledger/v1/ledger_service.proto"});
  EXPECT_EQ(answers[3].error_response().error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(answers[3].error_response().error_message(), HasSubstr("NoSuchService"));
  EXPECT_EQ(answers[3].original_request().file_containing_symbol(), "grantledger.v1.NoSuchService");
  EXPECT_EQ(FileNames(answers[4]), std::vector<std::string>{"grantledger/v1/events.proto"});

  // v1alpha answers the same way.
  v1a::ServerReflectionRequest alpha;
  alpha.set_file_containing_symbol("grantledger.v1.AuditService");
  auto alpha_stub = v1a::ServerReflection::NewStub(channel);
  auto alpha_answers = Reflect<v1a::ServerReflection::Stub, v1a::ServerReflectionRequest,
                               v1a::ServerReflectionResponse>(*alpha_stub, {alpha}, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(alpha_answers.size(), 1u);
  EXPECT_GE(alpha_answers[0].file_descriptor_response().file_descriptor_proto_size(), 1);
}

TEST(ServicesHealthTest, AnswersForTheServerAndForEachServiceByName) {
  TestServer server;
  auto channel = NewChannel(server.address());
  for (const char* name :
       {"", "grantledger.v1.LedgerService", "grantledger.v1.QueryService",
        "grantledger.v1.AuditService", "grantledger.v1.YearEndService",
        "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"}) {
    SCOPED_TRACE(name);
    int serving = 0;
    grpc::Status s = HealthCheck(channel, name, &serving);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(serving, 1);  // SERVING
  }
  int serving = 0;
  EXPECT_EQ(HealthCheck(channel, "grantledger.v1.NoSuchService", &serving).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

// The disk fails between a batch's synced write and its index write: the batch is answered,
// the store takes no more appends until restarted, and the server says so to every kind of
// watcher (gRPC health for "" and the LedgerService, /healthz, /metrics, the append itself)
// while the read services go on serving.
TEST(ServicesHealthTest, AStoreThatStopsTakingAppendsIsNotServing) {
  auto fs = std::make_shared<FailingWalFileSystem>();
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  TestServer server({}, nullptr, env.get());
  HttpOptions http_options;
  http_options.listen_address = "127.0.0.1:0";
  auto http = HttpServer::Start(server.store(), http_options);
  ASSERT_TRUE(http.ok()) << http.status();
  httplib::Client web("127.0.0.1", (*http)->port());
  auto channel = NewChannel(server.address());
  auto ledger = v1::LedgerService::NewStub(channel);
  const std::string grant = "RS/229/2025";
  v1::AppendResponse response;
  ASSERT_TRUE(
      AppendEvents(*ledger,
                   {RegisterGrant("reg", grant, 1'000'000'00), Receipt("rec", grant, 1'000'000'00),
                    Allocate("a1", grant, 600'000'00, "p7", "HS Kir")},
                   &response)
          .ok());
  ASSERT_EQ(server.store().Tree().size(), 3u);  // the first group's index write is done
  int serving = 0;
  ASSERT_TRUE(HealthCheck(channel, "", &serving).ok());
  EXPECT_EQ(serving, 1);
  auto healthy = web.Get("/healthz");
  ASSERT_TRUE(healthy);
  EXPECT_EQ(healthy->status, 200);
  EXPECT_THAT(healthy->body, HasSubstr("ok head_sequence 3"));
  auto metrics = web.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_THAT(metrics->body, HasSubstr("\ngrantledger_appends_stopped 0\n"));
  EXPECT_THAT(metrics->body, HasSubstr("\ngrantledger_appends_refused 0\n"));

  // The batch's synced write is the next append to the log; its index write the one after.
  fs->FailAppend(2);
  std::vector<v1::Event> batch;
  for (int i = 0; i < 20; ++i) {
    batch.push_back(Spend(absl::StrCat("f", i), grant, 100 + i, "p7", "HS Kir", "2025-05-02"));
  }
  grpc::Status answered = AppendEvents(*ledger, batch, &response);
  ASSERT_TRUE(answered.ok()) << answered.error_message();
  EXPECT_EQ(response.head().sequence(), 23u);
  // The index write follows the answer: health turns within moments.
  EXPECT_EQ(AwaitHealth(channel, "", 2, absl::Seconds(20)), 2)
      << "NOT_SERVING for the whole server";
  ASSERT_TRUE(HealthCheck(channel, "grantledger.v1.LedgerService", &serving).ok());
  EXPECT_EQ(serving, 2);
  for (const char* reads : {"grantledger.v1.QueryService", "grantledger.v1.AuditService",
                            "grantledger.v1.YearEndService"}) {
    SCOPED_TRACE(reads);
    ASSERT_TRUE(HealthCheck(channel, reads, &serving).ok());
    EXPECT_EQ(serving, 1) << "reads still work";
  }

  EXPECT_THAT(
      AppendEvents(*ledger, {Spend("after", grant, 5, "p7", "HS Kir", "2025-05-03")}, &response),
      GrpcStatusIs(grpc::StatusCode::UNAVAILABLE,
                   ::testing::AllOf(HasSubstr("could not write its indexes"),
                                    HasSubstr("restart the server"))));
  auto audit = v1::AuditService::NewStub(channel);
  grpc::Status read_status;
  std::vector<v1::RecordedEvent> events = ReadAll(*audit, v1::ReadEventsRequest(), &read_status);
  ASSERT_TRUE(read_status.ok()) << read_status.error_message();
  ASSERT_EQ(events.size(), 23u);
  EXPECT_EQ(events.back().record().event().event_id(), "f19");

  auto failing = web.Get("/healthz");
  ASSERT_TRUE(failing);
  EXPECT_EQ(failing->status, 503);
  EXPECT_THAT(failing->body, HasSubstr("appends stopped head_sequence 23: "));
  EXPECT_THAT(failing->body, HasSubstr("could not write its indexes"));
  metrics = web.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_THAT(metrics->body, HasSubstr("\ngrantledger_appends_stopped 1\n"));
  EXPECT_THAT(metrics->body, HasSubstr("\ngrantledger_appends_refused 1\n"));
  (*http)->Stop();
}

// A disk with less free than the store's reserve: appends are refused while it lasts, and the
// server says so to every watcher (gRPC health for "" and the LedgerService, within the poll
// interval; /healthz; /metrics with the space and the reserve), while reads serve. (That
// health turns back once space is freed is shown on a real small disk, through grantledgerd:
// services_disk_fault_test.cc.)
TEST(ServicesHealthTest, ADiskBelowTheReserveIsNotServingForAppends) {
  TempDir dir;
  EventStoreOptions store_options;
  store_options.path = dir.Sub("ledger");
  store_options.disk_reserve_bytes = uint64_t{1} << 62;  // more than any disk here has free
  auto store = EventStore::Open(store_options);
  ASSERT_TRUE(store.ok()) << store.status();
  ServerOptions server_options;
  server_options.listen_address = "127.0.0.1:0";
  server_options.health_poll_interval = absl::Milliseconds(20);
  auto server = GrantLedgerServer::Start(**store, server_options);
  ASSERT_TRUE(server.ok()) << server.status();
  HttpOptions http_options;
  http_options.listen_address = "127.0.0.1:0";
  auto http = HttpServer::Start(**store, http_options);
  ASSERT_TRUE(http.ok()) << http.status();
  httplib::Client web("127.0.0.1", (*http)->port());
  auto channel = NewChannel((*server)->address());

  EXPECT_EQ(AwaitHealth(channel, "", 2, absl::Seconds(20)), 2)
      << "NOT_SERVING for the whole server";
  int serving = 0;
  ASSERT_TRUE(HealthCheck(channel, "grantledger.v1.LedgerService", &serving).ok());
  EXPECT_EQ(serving, 2);
  ASSERT_TRUE(HealthCheck(channel, "grantledger.v1.QueryService", &serving).ok());
  EXPECT_EQ(serving, 1) << "reads still work";

  auto ledger = v1::LedgerService::NewStub(channel);
  v1::AppendResponse response;
  EXPECT_THAT(AppendEvents(*ledger, {RegisterGrant("reg", "RS/229/2025", 1'000'00)}, &response),
              GrpcStatusIs(grpc::StatusCode::UNAVAILABLE,
                           ::testing::AllOf(HasSubstr("is full"),
                                            HasSubstr("nothing of this batch was written"))));
  EXPECT_EQ((*store)->Head().sequence, 0u);
  const AppendHealthReport report = (*store)->AppendHealth();
  EXPECT_FALSE(report.stopped) << "taken again once space is freed";
  ASSERT_TRUE(report.disk_available_bytes.has_value());
  EXPECT_THAT(report.status.message(), HasSubstr("appends are refused until space is freed"));

  auto healthz = web.Get("/healthz");
  ASSERT_TRUE(healthz);
  EXPECT_EQ(healthz->status, 503);
  EXPECT_THAT(healthz->body, HasSubstr("appends refused head_sequence 0: the disk holding "));
  EXPECT_THAT(healthz->body, HasSubstr(" MiB the ledger keeps in reserve)"));
  auto metrics = web.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_THAT(metrics->body, HasSubstr("\ngrantledger_appends_stopped 0\n"));
  EXPECT_THAT(metrics->body, HasSubstr("\ngrantledger_appends_refused 1\n"));
  EXPECT_THAT(metrics->body, HasSubstr(absl::StrCat("\ngrantledger_disk_reserve_bytes ",
                                                    uint64_t{1} << 62, "\n")));
  EXPECT_THAT(metrics->body, HasSubstr("\ngrantledger_disk_available_bytes "));
  (*http)->Stop();
  (*server)->Shutdown(absl::Seconds(1));
}

TEST(ServicesReflectionTest, WithClientCertificatesOnlyVerifiedPrincipalsReflect) {
  TempDir dir;
  const std::string pki = dir.Sub("pki");
  ASSERT_EQ(
      std::system(absl::StrCat(GRANTLEDGER_SOURCE_DIR, "/scripts/dev-pki.sh ", pki, " > /dev/null")
                      .c_str()),
      0);
  ServerOptions options;
  options.tls.cert_path = pki + "/server.pem";
  options.tls.key_path = pki + "/server.key";
  options.tls.client_ca_path = pki + "/ca.pem";
  options.authz_path = pki + "/authz.json";
  TestServer server(options);
  auto read = [](const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  auto channel_as = [&](const std::string& who) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = read(pki + "/ca.pem");
    if (!who.empty()) {
      ssl.pem_cert_chain = read(pki + "/" + who + ".pem");
      ssl.pem_private_key = read(pki + "/" + who + ".key");
    }
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    return grpc::CreateCustomChannel(server.address(), grpc::SslCredentials(ssl), args);
  };
  v1r::ServerReflectionRequest list;
  list.set_list_services("");
  grpc::Status status;
  auto anonymous = v1r::ServerReflection::NewStub(channel_as(""));
  Reflect<v1r::ServerReflection::Stub, v1r::ServerReflectionRequest, v1r::ServerReflectionResponse>(
      *anonymous, {list}, &status);
  EXPECT_THAT(status, GrpcStatusIs(grpc::StatusCode::UNAUTHENTICATED,
                                   HasSubstr("no verified client certificate")));
  v1a::ServerReflectionRequest alpha_list;
  alpha_list.set_list_services("");
  auto alpha_anonymous = v1a::ServerReflection::NewStub(channel_as(""));
  Reflect<v1a::ServerReflection::Stub, v1a::ServerReflectionRequest, v1a::ServerReflectionResponse>(
      *alpha_anonymous, {alpha_list}, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  // Health stays open to probes without a certificate.
  int serving = 0;
  EXPECT_TRUE(HealthCheck(channel_as(""), "", &serving).ok());
  EXPECT_EQ(serving, 1);
  for (const char* who : {"poster", "auditor"}) {
    auto stub = v1r::ServerReflection::NewStub(channel_as(who));
    auto answers = Reflect<v1r::ServerReflection::Stub, v1r::ServerReflectionRequest,
                           v1r::ServerReflectionResponse>(*stub, {list}, &status);
    EXPECT_TRUE(status.ok()) << who << ": " << status.error_message();
    EXPECT_EQ(answers.size(), 1u) << who;
  }
}

}  // namespace
}  // namespace grantledger::testing
