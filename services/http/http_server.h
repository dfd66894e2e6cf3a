// grantledgerd's HTTP side (`--http ADDR`): the coordinator's dashboard (pages.h), its JSON
// (api.h), the report downloads (downloads.h), /healthz and /metrics (metrics_text.h), over
// cpp-httplib. Read-only: GET and HEAD only, anything else is 405. Off loopback it needs TLS
// with client certificates, as the gRPC side does (services/tls_credentials.h); with them,
// every request needs a client certificate whose role may read what the route shows.
#ifndef GRANTLEDGER_SERVICES_HTTP_HTTP_SERVER_H_
#define GRANTLEDGER_SERVICES_HTTP_HTTP_SERVER_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "services/client_certificate.h"
#include "services/tls_credentials.h"

namespace httplib {
class Server;
}

namespace grantledger {

class EventStore;
class LedgerBackend;
class PolicyFile;

// Where Debian's libjs-chart.js puts Chart.js 3.
inline constexpr char kDebianChartJsPath[] = "/usr/share/javascript/chart.js/chart.min.js";

struct HttpOptions {
  std::string listen_address = "127.0.0.1:8080";  // host:port; port 0: any free port
  ServerTlsOptions tls;                           // the gRPC side's certificate and client CA
  std::string authz_path;                         // required with tls.client_ca_path
  bool insecure_listen = false;                   // as grantledgerd --insecure-listen
  std::string chart_js_path = kDebianChartJsPath;
  std::string organisation_file;  // the financial account's sender (cli/report_sheets.h)
};

class HttpServer {
 public:
  // Starts serving `store` (which must outlive the server) on its own threads.
  // InvalidArgument for a non-loopback address without TLS and client certificates, TLS
  // files that do not load, or a missing policy; FailedPrecondition when Chart.js is not at
  // chart_js_path (naming the package to install); Unavailable when it cannot listen.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(const EventStore& store,
                                                           HttpOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const { return port_; }
  const std::string& address() const { return address_; }  // host:port actually bound
  // Stops accepting, lets requests in flight finish, joins the threads. Idempotent.
  void Stop();

 private:
  HttpServer() = default;
  void Route(const EventStore& store);

  HttpOptions options_;
  std::unique_ptr<LedgerBackend> backend_;
  std::unique_ptr<PolicyFile> policy_;
  std::unique_ptr<ClientCertificateVerifier> client_certificates_;  // with policy_
  std::string chart_js_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::string address_;
};

}  // namespace grantledger

#endif  // GRANTLEDGER_SERVICES_HTTP_HTTP_SERVER_H_
