// grantledgerd's flags for the HTTP side (--http, --http-chart-js, --http-organisation) and
// the one call its main makes: start the dashboard beside the gRPC server, with the same
// certificate, client CA, policy and --insecure-listen.
#ifndef GRANTLEDGER_SERVICES_HTTP_HTTP_FLAGS_H_
#define GRANTLEDGER_SERVICES_HTTP_HTTP_FLAGS_H_

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "services/http/http_server.h"
#include "services/server.h"

namespace grantledger {

struct HttpFlags {
  std::string address;  // empty: no HTTP side
  std::string chart_js_path = kDebianChartJsPath;
  std::string organisation_file;
  void AddTo(CLI::App& app);
};

// nullptr when --http was not given; else the started server (its errors as HttpServer::Start).
absl::StatusOr<std::unique_ptr<HttpServer>> StartHttpIfAsked(const HttpFlags& flags,
                                                             const EventStore& store,
                                                             const ServerOptions& grpc_options);

}  // namespace grantledger

#endif  // GRANTLEDGER_SERVICES_HTTP_HTTP_FLAGS_H_
