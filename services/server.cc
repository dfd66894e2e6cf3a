// See server.h.
#include "services/server.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "ledger/store/event_store.h"
#include "services/append_stream_reactor.h"
#include "services/client_certificate_gate.h"
#include "services/server_log.h"

namespace grantledger {
namespace {

// The services health answers for by name (besides "", the whole server).
constexpr char kLedgerServiceName[] = "grantledger.v1.LedgerService";
constexpr const char* kServiceNames[] = {kLedgerServiceName,
                                         "grantledger.v1.QueryService",
                                         "grantledger.v1.AuditService",
                                         "grantledger.v1.YearEndService",
                                         "grpc.reflection.v1.ServerReflection",
                                         "grpc.reflection.v1alpha.ServerReflection"};

}  // namespace

GrantLedgerServer::GrantLedgerServer(EventStore& store, const ServerOptions& options)
    : pool_(options.worker_threads, options.max_queued_requests),
      ledger_service_(service_),
      query_service_(service_),
      audit_service_(service_),
      year_end_service_(service_),
      reflection_v1_(service_),
      reflection_v1alpha_(service_) {
  service_.store = &store;
  service_.pool = &pool_;
  service_.max_streams = options.max_streams;
  service_.signer = options.signer;
}

absl::StatusOr<std::unique_ptr<GrantLedgerServer>> GrantLedgerServer::Start(EventStore& store,
                                                                            ServerOptions options) {
  if (absl::Status s =
          CheckListenPolicy(options.listen_address, options.tls, options.insecure_listen);
      !s.ok()) {
    return s;
  }
  if (options.tls.mutual() && options.authz_path.empty()) {
    return absl::InvalidArgumentError(
        "--client-ca needs --authz: give the policy that maps client identities to roles");
  }
  if (!options.tls.mutual() && !options.authz_path.empty()) {
    return absl::InvalidArgumentError(
        "--authz needs --client-ca (and --tls-cert, --tls-key): without client certificates "
        "there is no identity to authorize");
  }
  std::vector<std::string> warnings;
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      MakeServerCredentials(options.tls, warnings);
  if (!credentials.ok()) return credentials.status();
  for (const std::string& warning : warnings) LogLine(absl::StrCat("warning: ", warning));
  std::unique_ptr<PolicyFile> policy;
  if (!options.authz_path.empty()) {
    absl::StatusOr<std::unique_ptr<PolicyFile>> loaded = PolicyFile::Load(options.authz_path);
    if (!loaded.ok()) return loaded.status();
    policy = *std::move(loaded);
  }
  std::shared_ptr<ClientCertificateVerifier> client_certificates;
  if (options.tls.mutual()) {
    absl::StatusOr<std::unique_ptr<ClientCertificateVerifier>> loaded =
        ClientCertificateVerifier::Load(options.tls.client_ca_path);
    if (!loaded.ok()) return loaded.status();
    client_certificates = *std::move(loaded);
    // Every call but health passes the gate before any handler sees it.
    (*credentials)
        ->SetAuthMetadataProcessor(std::make_shared<ClientCertificateGate>(client_certificates));
  }

  std::unique_ptr<GrantLedgerServer> out(new GrantLedgerServer(store, options));
  out->policy_ = std::move(policy);
  out->service_.policy = out->policy_.get();
  out->client_certificates_ = std::move(client_certificates);
  out->service_.client_certificates = out->client_certificates_.get();
  // A process-wide switch read when a builder is made.
  grpc::EnableDefaultHealthCheckService(true);

  grpc::ServerBuilder builder;
  int selected_port = 0;
  builder.AddListeningPort(options.listen_address, *credentials, &selected_port);
  builder.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  builder.SetMaxSendMessageSize(options.max_send_message_bytes);
  // Per-call statistics for channelz, which nothing here reads, cost a few percent per call.
  builder.AddChannelArgument(GRPC_ARG_ENABLE_CHANNELZ, 0);
  // gRPC sets SO_REUSEPORT by default, so a second server on a busy port would start and the
  // system would split the clients between two ledgers. Without it a busy port fails to bind.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  if (options.configure_builder) options.configure_builder(builder);
  builder.RegisterService(&out->ledger_service_);
  builder.RegisterService(&out->query_service_);
  builder.RegisterService(&out->audit_service_);
  builder.RegisterService(&out->year_end_service_);
  builder.RegisterService(&out->reflection_v1_);
  builder.RegisterService(&out->reflection_v1alpha_);
  out->server_ = builder.BuildAndStart();
  if (out->server_ == nullptr || selected_port == 0) {
    if (out->server_ != nullptr) out->server_->Shutdown();
    out->pool_.Stop();
    {
      absl::MutexLock lock(&out->shutdown_mu_);
      out->shut_down_ = true;
    }
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen_address,
                     ": the address is in use (another grantledgerd?) or is not host:port; "
                     "stop the other server or give another --listen address"));
  }
  out->port_ = selected_port;
  absl::string_view host = options.listen_address;
  host = host.substr(0, host.rfind(':'));
  out->address_ = absl::StrCat(host, ":", selected_port);
  out->server_->GetHealthCheckService()->SetServingStatus(true);
  for (const char* name : kServiceNames) {
    out->server_->GetHealthCheckService()->SetServingStatus(name, true);
  }
  // A store that takes no appends turns the server and its LedgerService NOT_SERVING, so that
  // monitoring sees what every append is now told; the read services still serve. A store
  // that stops (a failed index write) says so at once, through the listener; a disk below the
  // reserve or RocksDB refusing writes is seen by the poller, which also sees it end. Both end
  // in Shutdown.
  grpc::HealthCheckServiceInterface* health = out->server_->GetHealthCheckService();
  auto set_appends_serving = [health](bool serving) {
    health->SetServingStatus("", serving);  // SetServingStatus(bool) would set every name
    health->SetServingStatus(kLedgerServiceName, serving);
  };
  GrantLedgerServer* server = out.get();
  out->health_listener_ =
      store.AddAppendHealthListener([server, set_appends_serving](const absl::Status&) {
        absl::MutexLock lock(&server->health_mu_);
        server->appends_stopped_ = true;
        set_appends_serving(false);
      });
  // At once, then every interval. The store is read outside health_mu_ (statvfs may be slow);
  // a stop the listener reported meanwhile still wins.
  const absl::Duration interval = std::max(options.health_poll_interval, absl::Milliseconds(10));
  out->health_poller_ = std::thread([server, &store, set_appends_serving, interval] {
    bool serving = true;
    do {
      bool now = store.AppendHealth().status.ok();
      absl::MutexLock lock(&server->health_mu_);
      if (server->appends_stopped_) now = false;
      if (now != serving) set_appends_serving(now);
      serving = now;
    } while (!server->stop_health_poller_.WaitForNotificationWithTimeout(interval));
  });
  return out;
}

GrantLedgerServer::~GrantLedgerServer() { Shutdown(absl::ZeroDuration()); }

void GrantLedgerServer::Shutdown(absl::Duration grace) {
  // First, and outside shutdown_mu_: a listener call in progress finishes before this returns.
  if (health_listener_ >= 0) service_.store->RemoveAppendHealthListener(health_listener_);
  absl::MutexLock lock(&shutdown_mu_);
  if (shut_down_) return;
  shut_down_ = true;
  // The poller sets nothing after this.
  stop_health_poller_.Notify();
  if (health_poller_.joinable()) health_poller_.join();
  service_.stopping.store(true);
  server_->GetHealthCheckService()->SetServingStatus(false);
  for (const char* name : kServiceNames) {
    server_->GetHealthCheckService()->SetServingStatus(name, false);
  }
  StopAppendStreams(service_);  // they answer what they have read, then end UNAVAILABLE
  // Blocks until every call has finished; after the deadline the rest are cancelled.
  server_->Shutdown(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(grace));
  pool_.Stop();
  server_->Wait();
}

}  // namespace grantledger
