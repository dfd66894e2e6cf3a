// The grantledger gRPC server: the three services, the health service (grpc.health.v1) and
// reflection on one listening port, with message size limits and a graceful shutdown. Used by
// grantledgerd's main, the tests and the load benchmark alike.
#ifndef GRANTLEDGER_SERVICES_SERVER_H_
#define GRANTLEDGER_SERVICES_SERVER_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "ledger/store/store_types.h"
#include "services/audit_service.h"
#include "services/authorization.h"
#include "services/client_certificate.h"
#include "services/ledger_service.h"
#include "services/query_service.h"
#include "services/reflection_service.h"
#include "services/service_context.h"
#include "services/tls_credentials.h"
#include "services/work_pool.h"
#include "services/year_end_service.h"

namespace grantledger {

class EventStore;
class LogSigner;

struct ServerOptions {
  // host:port; port 0 lets the system pick a free one (see GrantLedgerServer::port()).
  std::string listen_address = "127.0.0.1:50051";
  // Largest request accepted: room for a batch of 100 000 typical (~200-byte) events; a larger
  // request is RESOURCE_EXHAUSTED before it reaches the ledger.
  int max_receive_message_bytes = 64 << 20;
  // Largest response sent: stream chunks stay near 1 MiB, a list of every grant far below.
  int max_send_message_bytes = 64 << 20;
  // Threads for blocking work: each concurrent append waits on one, so this bounds how many
  // appends can share one group commit.
  size_t worker_threads = 128;
  size_t max_queued_requests = 4096;
  int max_streams = 256;  // ReadEvents, Subscribe and AppendStream calls open at once
  // TLS (services/tls_credentials.h); no certificate: insecure, loopback only.
  ServerTlsOptions tls;
  // The authorization policy file (services/authorization.h). Required with client
  // certificates (tls.client_ca_path), refused without them.
  std::string authz_path;
  // Listen off loopback without TLS and client certificates (logged as a warning).
  bool insecure_listen = false;
  // Called on the builder before the services are registered, to add what an embedder needs
  // (the tests add an interceptor that counts the calls each method receives).
  std::function<void(grpc::ServerBuilder&)> configure_builder;
  // Signs the transparency log's checkpoints (ledger/store/log_signer.h); must outlive the
  // server. Null: one with the defaults (the key in the data directory) on first use.
  LogSigner* signer = nullptr;
  // How often health asks the store whether it takes appends (EventStore::AppendHealth; at
  // least every 10 ms): a disk below the reserve, or RocksDB refusing writes, turns "" and the
  // LedgerService NOT_SERVING, and SERVING again once that ends.
  absl::Duration health_poll_interval = absl::Seconds(2);
};

class GrantLedgerServer {
 public:
  // Starts serving `store`, which must outlive the server. Health reports SERVING on return,
  // for "" and for each service by name; "" and the LedgerService are NOT_SERVING while the
  // store takes no appends (EventStore::AppendHealth): at once when appends stop, within
  // health_poll_interval when the disk falls below the reserve or RocksDB refuses writes, and
  // back within it once that ends. InvalidArgument
  // (naming the flag) for TLS files or a policy that cannot be used, or a non-loopback address
  // without TLS and client certificates (unless insecure_listen); Unavailable when it cannot
  // listen.
  static absl::StatusOr<std::unique_ptr<GrantLedgerServer>> Start(EventStore& store,
                                                                  ServerOptions options);
  // Shutdown(absl::ZeroDuration()) if not yet shut down.
  ~GrantLedgerServer();
  GrantLedgerServer(const GrantLedgerServer&) = delete;
  GrantLedgerServer& operator=(const GrantLedgerServer&) = delete;

  int port() const { return port_; }
  // "host:port" with the port actually bound.
  const std::string& address() const { return address_; }

  // Health goes NOT_SERVING, new appends are refused (UNAVAILABLE), streams end (UNAVAILABLE),
  // no new connection is accepted; calls in flight get `grace` to finish and are cancelled
  // after it, but an append already inside the store always completes (it is durable or not
  // acknowledged). Returns when every call is done and the worker threads are joined; the
  // store may be closed then. Idempotent.
  void Shutdown(absl::Duration grace);

 private:
  GrantLedgerServer(EventStore& store, const ServerOptions& options);

  ServiceContext service_;
  std::unique_ptr<PolicyFile> policy_;
  // Shared with the credentials' gate (services/client_certificate_gate.h), which gRPC may
  // keep a little longer than the server.
  std::shared_ptr<ClientCertificateVerifier> client_certificates_;
  WorkPool pool_;
  LedgerServiceImpl ledger_service_;
  QueryServiceImpl query_service_;
  AuditServiceImpl audit_service_;
  YearEndServiceImpl year_end_service_;
  ReflectionV1Service reflection_v1_;
  ReflectionV1AlphaService reflection_v1alpha_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::string address_;
  int health_listener_ = -1;  // EventStore::AddAppendHealthListener's handle
  // Sets "" and the LedgerService from AppendHealth every health_poll_interval, until notified.
  std::thread health_poller_;
  absl::Notification stop_health_poller_;
  // Orders the listener's and the poller's updates: a stop, once reported by the listener, is
  // never overwritten by a poll that read the store before it.
  absl::Mutex health_mu_;
  bool appends_stopped_ ABSL_GUARDED_BY(health_mu_) = false;
  absl::Mutex shutdown_mu_;
  bool shut_down_ ABSL_GUARDED_BY(shutdown_mu_) = false;
};

}  // namespace grantledger

#endif  // GRANTLEDGER_SERVICES_SERVER_H_
