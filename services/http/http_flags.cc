// See http_flags.h.
#include "services/http/http_flags.h"

namespace grantledger {

void HttpFlags::AddTo(CLI::App& app) {
  app.add_option("--http", address,
                 "host:port to serve the read-only dashboard, its JSON (/api/), /healthz and "
                 "/metrics on (off unless given; off loopback it needs --tls-cert and "
                 "--client-ca, as --listen does)");
  app.add_option("--http-chart-js", chart_js_path,
                 "Chart.js 3 for the dashboard's charts (Debian's libjs-chart.js)")
      ->capture_default_str();
  app.add_option("--http-organisation", organisation_file,
                 "organisation file for the financial account download (lines organisation = "
                 "NAME and org_number = NNNNNN-NNNN)");
}

absl::StatusOr<std::unique_ptr<HttpServer>> StartHttpIfAsked(const HttpFlags& flags,
                                                             const EventStore& store,
                                                             const ServerOptions& grpc_options) {
  if (flags.address.empty()) return std::unique_ptr<HttpServer>();
  HttpOptions options;
  options.listen_address = flags.address;
  options.tls = grpc_options.tls;
  options.authz_path = grpc_options.authz_path;
  options.insecure_listen = grpc_options.insecure_listen;
  options.chart_js_path = flags.chart_js_path;
  options.organisation_file = flags.organisation_file;
  return HttpServer::Start(store, std::move(options));
}

}  // namespace grantledger
