// See http_server.h.
#include "services/http/http_server.h"

#include <httplib.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cli/messages.h"
#include "cli/report_sheets.h"
#include "ledger/store/event_store.h"
#include "services/authorization.h"
#include "services/http/api.h"
#include "services/http/client_auth.h"
#include "services/http/downloads.h"
#include "services/http/metrics_text.h"
#include "services/http/pages.h"
#include "services/http/read_only_backend.h"
#include "services/server_log.h"
#include "services/server_metrics.h"

namespace grantledger {
namespace {

// The gRPC method whose data the dashboard's reads show, and the one its history shows: a
// client certificate's role must allow them (services/authz_policy.h).
constexpr char kReadMethod[] = "YearEndService/GetObligations";
constexpr char kHistoryMethod[] = "AuditService/ReadEvents";

HttpQuery QueryOf(const httplib::Request& request) {
  HttpQuery out;
  for (const auto& [name, value] : request.params) out[name] = value;
  return out;
}

void Send(const HttpAnswer& answer, httplib::Response& response) {
  response.status = answer.status;
  response.set_content(answer.body, answer.content_type.c_str());
  if (!answer.filename.empty()) {
    response.set_header("Content-Disposition",
                        absl::StrCat("attachment; filename=\"", answer.filename, "\""));
  }
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// "host:port" (host may be "[v6]") into the host to bind and the port.
absl::Status SplitAddress(const std::string& address, std::string& host, int& port) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--http ", address, ": write host:port, e.g. 127.0.0.1:8080 (port 0: any free port)"));
  }
  host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host == "localhost") host = "127.0.0.1";
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const EventStore& store,
                                                              HttpOptions options) {
  if (absl::Status s =
          CheckListenPolicy(options.listen_address, options.tls, options.insecure_listen);
      !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--http: ", s.message()));
  }
  if (options.tls.mutual() && options.authz_path.empty()) {
    return absl::InvalidArgumentError(
        "--client-ca needs --authz: the dashboard checks each client certificate's role");
  }
  std::string host;
  int port = 0;
  if (absl::Status s = SplitAddress(options.listen_address, host, port); !s.ok()) return s;
  std::unique_ptr<HttpServer> out(new HttpServer());
  absl::StatusOr<std::string> chart = ReadFile(options.chart_js_path);
  if (!chart.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("Chart.js is not at ", options.chart_js_path,
                     ": install Debian's libjs-chart.js (apt-get install libjs-chart.js, or "
                     "scripts/install-deps.sh), or give its path with --http-chart-js"));
  }
  out->chart_js_ = *std::move(chart);
  if (options.tls.mutual()) {
    absl::StatusOr<std::unique_ptr<PolicyFile>> policy = PolicyFile::Load(options.authz_path);
    if (!policy.ok()) return policy.status();
    out->policy_ = *std::move(policy);
    absl::StatusOr<std::unique_ptr<ClientCertificateVerifier>> verifier =
        ClientCertificateVerifier::Load(options.tls.client_ca_path);
    if (!verifier.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("--http: ", verifier.status().message()));
    }
    out->client_certificates_ = *std::move(verifier);
  }
  if (options.tls.tls()) {
    // Client certificates, when a CA is given, are requested and verified per request (a
    // browser without a good one gets a 401 page saying why, not a failed handshake).
    const ServerTlsOptions tls = options.tls;
    out->server_ = std::make_unique<httplib::SSLServer>(
        [tls](SSL_CTX& ctx) { return SetUpDashboardTls(ctx, tls); });
  } else {
    out->server_ = std::make_unique<httplib::Server>();
  }
  if (!out->server_->is_valid()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--http: the TLS certificate ", options.tls.cert_path, ", key ",
                     options.tls.key_path, " or client CA ", options.tls.client_ca_path,
                     " cannot be loaded; check the files (grantledgerd --tls-cert/--tls-key)"));
  }
  // Small answers go out at once: with Nagle's algorithm a keep-alive client waits for the
  // peer's delayed ACK, 40 ms a request.
  out->server_->set_tcp_nodelay(true);
  // The dashboard's labels and warnings are Swedish (the command line's catalogue).
  SetLanguage(Language::kSwedish);
  out->options_ = std::move(options);
  out->backend_ = ReadOnlyBackend(store);
  out->Route(store);
  const int bound = port == 0 ? out->server_->bind_to_any_port(host)
                              : (out->server_->bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    return absl::UnavailableError(
        absl::StrCat("--http: cannot listen on ", out->options_.listen_address,
                     ": the address is in use or not local; give another --http address"));
  }
  out->port_ = bound;
  out->address_ = absl::StrCat(
      out->options_.listen_address.substr(0, out->options_.listen_address.rfind(':')), ":", bound);
  httplib::Server* server = out->server_.get();
  // The socket listens from bind_to_port on: a request sent now waits in its backlog.
  out->thread_ = std::thread([server] { server->listen_after_bind(); });
  // stop() before the loop runs would be lost (and Stop() would wait for ever): wait for it.
  for (int waited_ms = 0; !server->is_running() && waited_ms < 5000; ++waited_ms) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return out;
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Stop() {
  if (server_ != nullptr) server_->stop();
  if (thread_.joinable()) thread_.join();
}

void HttpServer::Route(const EventStore& store) {
  httplib::Server& s = *server_;
  // Read-only: anything but GET and HEAD is refused before routing.
  s.set_pre_routing_handler([](const httplib::Request& request, httplib::Response& response) {
    if (request.method == "GET" || request.method == "HEAD") {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    response.status = 405;
    response.set_header("Allow", "GET, HEAD");
    Send(ErrorAnswer(absl::PermissionDeniedError(
             absl::StrCat(request.method, " ", request.path,
                          ": the dashboard only reads (GET); post events over gRPC"))),
         response);
    response.status = 405;
    return httplib::Server::HandlerResponse::Handled;
  });
  s.set_post_routing_handler([](const httplib::Request&, httplib::Response& response) {
    response.set_header("X-Content-Type-Options", "nosniff");
    // Everything comes from this server: no CDN, no inline script.
    response.set_header("Content-Security-Policy",
                        "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
  });

  // Wraps a handler with the role check (when TLS with client certificates is on) and the
  // per-route query count.
  auto guarded = [this](const char* kind, const char* method, auto handler) {
    return [this, kind, method, handler](const httplib::Request& request,
                                         httplib::Response& response) {
      if (policy_ != nullptr) {
        absl::Status allowed = AuthorizeHttp(request.ssl, *client_certificates_, *policy_, method);
        if (!allowed.ok()) {
          LogLine(absl::StrCat("rejected HTTP ", request.path, " from ", request.remote_addr, ": ",
                               absl::StatusCodeToString(allowed.code()), ": ", allowed.message()));
          ServerMetrics::Global().RecordRejection(allowed.code());
          const bool page = absl::string_view(kind) == "http:/page";
          Send(page ? ErrorPage(allowed) : ErrorAnswer(allowed), response);
          return;
        }
      }
      ServerMetrics::Global().RecordQuery(kind);
      handler(request, response);
    };
  };
  auto api = [this, guarded](const char* kind, const char* method,
                             HttpAnswer (*compute)(LedgerBackend&, const HttpQuery&)) {
    return guarded(kind, method,
                   [this, compute](const httplib::Request& request, httplib::Response& response) {
                     HttpAnswer answer = compute(*backend_, QueryOf(request));
                     if (answer.status >= 400 && answer.status != 404 && answer.status != 400) {
                       ServerMetrics::Global().RecordRejection(absl::StatusCode::kInternal);
                     }
                     Send(answer, response);
                   });
  };

  s.Get(
      "/healthz",
      guarded("http:/healthz", "", [&store](const httplib::Request&, httplib::Response& response) {
        // 503 while the store takes no appends (EventStore::AppendHealth: stopped until a
        // restart, RocksDB refusing writes, or a disk below the reserve): reads still work,
        // but an operator must act, which monitoring should see.
        const AppendHealthReport appends = store.AppendHealth();
        const uint64_t head = store.Head().sequence;
        std::string body = absl::StrCat("ok head_sequence ", head, "\n");
        if (!appends.status.ok()) {
          response.status = 503;
          body = absl::StrCat(appends.stopped ? "appends stopped" : "appends refused",
                              " head_sequence ", head, ": ", appends.status.message(), "\n");
        }
        response.set_content(body, "text/plain; charset=utf-8");
      }));
  s.Get("/metrics", guarded("http:/metrics", kReadMethod,
                            [&store](const httplib::Request&, httplib::Response& response) {
                              response.set_content(
                                  MetricsText(ServerMetrics::Global().Read(), store.Head().sequence,
                                              store.AppendHealth()),
                                  kMetricsContentType);
                            }));
  s.Get("/api/overview", api("http:/api/overview", kReadMethod, ApiOverview));
  s.Get("/api/grant", api("http:/api/grant", kReadMethod, ApiGrant));
  s.Get("/api/burndown", api("http:/api/burndown", kReadMethod, ApiBurndown));
  s.Get("/api/history", api("http:/api/history", kHistoryMethod, ApiHistory));
  s.Get(R"(/download/([a-z]+\.[a-z]+))",
        guarded("http:/download", kReadMethod,
                [this](const httplib::Request& request, httplib::Response& response) {
                  Organisation organisation;
                  if (!options_.organisation_file.empty()) {
                    absl::StatusOr<Organisation> read =
                        ReadOrganisationFile(options_.organisation_file);
                    if (!read.ok()) {
                      Send(ErrorAnswer(read.status()), response);
                      return;
                    }
                    organisation = *read;
                  }
                  Send(Download(*backend_, request.matches[1], QueryOf(request), organisation),
                       response);
                }));
  for (const StaticFile& file : PageFiles()) {
    const StaticFile* page = &file;
    s.Get(page->path, guarded("http:/page", kReadMethod,
                              [page](const httplib::Request&, httplib::Response& response) {
                                response.set_content(page->body.data(), page->body.size(),
                                                     page->content_type);
                              }));
  }
  s.Get("/static/chart.min.js",
        guarded("http:/page", kReadMethod,
                [this](const httplib::Request&, httplib::Response& response) {
                  response.set_content(chart_js_, "text/javascript; charset=utf-8");
                }));
}

}  // namespace grantledger
