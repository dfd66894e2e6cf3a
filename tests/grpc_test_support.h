// Helpers for the services tests: a real grantledger server started in-process on 127.0.0.1
// with a port the system picks, over a fresh ledger in a temporary directory, and clients
// made from the real generated stubs, each on its own connection.
#ifndef GRANTLEDGER_TESTS_GRPC_TEST_SUPPORT_H_
#define GRANTLEDGER_TESTS_GRPC_TEST_SUPPORT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "grantledger/v1/audit_service.grpc.pb.h"
#include "grantledger/v1/ledger_service.grpc.pb.h"
#include "grantledger/v1/query_service.grpc.pb.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "ledger/store/event_store.h"
#include "services/server.h"
#include "tests/test_support.h"

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace grantledger::testing {

class TestServer {
 public:
  // Opens a ledger in a fresh temp dir (with `clock`, and RocksDB's files through `env`, if
  // given) and serves it on 127.0.0.1:0. Aborts the test binary if either fails (nothing could
  // be tested).
  explicit TestServer(ServerOptions options = {}, std::function<absl::Time()> clock = nullptr,
                      rocksdb::Env* env = nullptr);
  ~TestServer();

  EventStore& store() { return *store_; }
  GrantLedgerServer& server() { return *server_; }
  const std::string& address() const { return server_->address(); }
  // Shuts the server down (the store stays open for inspection).
  void StopServer(absl::Duration grace = absl::Seconds(5));

 private:
  TempDir dir_;
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<GrantLedgerServer> server_;
};

// A channel with its own connection (not shared with other channels to the same address).
std::shared_ptr<grpc::Channel> NewChannel(const std::string& address);

// A client context whose deadline is `timeout` from now.
std::unique_ptr<grpc::ClientContext> ContextWithDeadline(
    absl::Duration timeout = absl::Seconds(20));

// One Append call with a deadline.
grpc::Status AppendEvents(v1::LedgerService::Stub& stub, const std::vector<v1::Event>& events,
                          v1::AppendResponse* response, bool dry_run = false);

// grpc.health.v1.Health/Check for `service` ("" for the whole server): the call's status, and
// the answer in `serving_status` (1 SERVING, 2 NOT_SERVING; 0 when the call failed).
grpc::Status HealthCheck(const std::shared_ptr<grpc::Channel>& channel, const std::string& service,
                         int* serving_status);
// Asks HealthCheck for `service` until it answers `wanted` (1 SERVING, 2 NOT_SERVING), the
// call fails, or `timeout` passes; the last answer.
int AwaitHealth(const std::shared_ptr<grpc::Channel>& channel, const std::string& service,
                int wanted, absl::Duration timeout = absl::Seconds(30));

// Reads every event ReadEvents returns for the request; the stream's final status in `status`.
std::vector<v1::RecordedEvent> ReadAll(v1::AuditService::Stub& stub,
                                       const v1::ReadEventsRequest& request, grpc::Status* status);

// EXPECT_THAT(grpc_status, GrpcStatusIs(grpc::StatusCode::NOT_FOUND, HasSubstr("grant_id")));
MATCHER_P2(GrpcStatusIs, code, message_matcher, "") {
  if (arg.error_code() != code) {
    *result_listener << "code is " << arg.error_code() << ": " << arg.error_message();
    return false;
  }
  return ::testing::ExplainMatchResult(message_matcher, arg.error_message(), result_listener);
}

}  // namespace grantledger::testing

#endif  // GRANTLEDGER_TESTS_GRPC_TEST_SUPPORT_H_
