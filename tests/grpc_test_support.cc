// See grpc_test_support.h.
#include "tests/grpc_test_support.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace grantledger::testing {

TestServer::TestServer(ServerOptions options, std::function<absl::Time()> clock,
                       rocksdb::Env* env) {
  EventStoreOptions store_options;
  store_options.path = dir_.Sub("ledger");
  store_options.check_invariants = true;
  store_options.env_for_tests = env;
  if (clock) store_options.clock = std::move(clock);
  auto store = EventStore::Open(store_options);
  if (!store.ok()) {
    std::fprintf(stderr, "TestServer: %s\n", store.status().ToString().c_str());
    std::abort();
  }
  store_ = std::move(*store);
  options.listen_address = "127.0.0.1:0";
  auto server = GrantLedgerServer::Start(*store_, options);
  if (!server.ok()) {
    std::fprintf(stderr, "TestServer: %s\n", server.status().ToString().c_str());
    std::abort();
  }
  server_ = std::move(*server);
}

TestServer::~TestServer() {
  server_.reset();
  store_.reset();
}

void TestServer::StopServer(absl::Duration grace) { server_->Shutdown(grace); }

std::shared_ptr<grpc::Channel> NewChannel(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

std::unique_ptr<grpc::ClientContext> ContextWithDeadline(absl::Duration timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(timeout));
  return context;
}

grpc::Status AppendEvents(v1::LedgerService::Stub& stub, const std::vector<v1::Event>& events,
                          v1::AppendResponse* response, bool dry_run) {
  v1::AppendRequest request;
  for (const v1::Event& e : events) *request.add_events() = e;
  request.set_dry_run(dry_run);
  auto context = ContextWithDeadline();
  return stub.Append(context.get(), request, response);
}

std::vector<v1::RecordedEvent> ReadAll(v1::AuditService::Stub& stub,
                                       const v1::ReadEventsRequest& request, grpc::Status* status) {
  auto context = ContextWithDeadline();
  std::vector<v1::RecordedEvent> out;
  auto reader = stub.ReadEvents(context.get(), request);
  v1::EventsChunk chunk;
  while (reader->Read(&chunk)) {
    for (const v1::RecordedEvent& e : chunk.events()) out.push_back(e);
  }
  *status = reader->Finish();
  return out;
}

// grpc.health.v1.Health/Check for `service`, encoded by hand (HealthCheckRequest has one
// string field 1; the response one enum field 1, SERVING = 1).
grpc::Status HealthCheck(const std::shared_ptr<grpc::Channel>& channel, const std::string& service,
                         int* serving_status) {
  grpc::GenericStub stub(channel);
  std::string request_bytes = "\x0a";
  request_bytes.push_back(static_cast<char>(service.size()));
  request_bytes += service;
  grpc::Slice slice(request_bytes);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  absl::Notification done;
  grpc::Status status;
  stub.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                 [&](grpc::Status s) {
                   status = std::move(s);
                   done.Notify();
                 });
  done.WaitForNotification();
  *serving_status = 0;
  if (status.ok()) {
    std::vector<grpc::Slice> slices;
    EXPECT_TRUE(response.Dump(&slices).ok());
    std::string bytes;
    for (const grpc::Slice& s : slices) {
      bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
    if (bytes.size() == 2 && bytes[0] == 0x08) *serving_status = bytes[1];
  }
  return status;
}

int AwaitHealth(const std::shared_ptr<grpc::Channel>& channel, const std::string& service,
                int wanted, absl::Duration timeout) {
  int serving = 0;
  const absl::Time give_up = absl::Now() + timeout;
  while (HealthCheck(channel, service, &serving).ok() && serving != wanted &&
         absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  return serving;
}

}  // namespace grantledger::testing
