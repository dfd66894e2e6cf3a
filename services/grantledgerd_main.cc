// grantledgerd: serves one ledger data directory over gRPC (LedgerService, QueryService,
// AuditService, health, reflection). SIGTERM or SIGINT stops it gracefully: new appends are
// refused, appends in flight finish, the store writes its checkpoint and closes; exit code 0.
// Exit codes: 0 stopped cleanly, 1 usage (also: TLS files or policy unusable, a non-loopback
// address without mutual TLS or --insecure-listen), 3 cannot open the data directory or listen,
// 4 the ledger is damaged or contradicts the last checkpoint it signed.
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "ledger/store/event_store.h"
#include "ledger/store/log_signer.h"
#include "services/http/http_flags.h"
#include "services/server.h"
#include "services/server_log.h"
#include "services/server_metrics.h"

namespace {

constexpr int kExitUsage = 1;
constexpr int kExitUnavailable = 3;
constexpr int kExitDamaged = 4;

}  // namespace

int main(int argc, char** argv) {
  // Block the stop signals before any thread exists (RocksDB and gRPC start threads), so every
  // thread inherits the mask and only sigwait below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  CLI::App app{"grantledgerd: the grantledger gRPC server"};
  std::string data_dir = "./data";
  std::string listen = "127.0.0.1:50051";
  bool no_sync = false;
  double grace_seconds = 10;
  app.add_option("--data-dir", data_dir, "the ledger's data directory (created if missing)")
      ->capture_default_str();
  app.add_option("--listen", listen, "host:port to listen on (port 0: any free port)")
      ->capture_default_str();
  app.add_flag("--no-sync", no_sync,
               "acknowledge appends before the WAL is fsynced (faster; a power cut may lose "
               "acknowledged events)");
  grantledger::ServerOptions server_options;
  app.add_option("--tls-cert", server_options.tls.cert_path,
                 "PEM certificate (chain) of the server: serve TLS; reloaded when it changes");
  app.add_option("--tls-key", server_options.tls.key_path,
                 "PEM private key of --tls-cert (mode 0600; reloaded when it changes)");
  app.add_option("--client-ca", server_options.tls.client_ca_path,
                 "PEM CA certificates: require client certificates issued by them (mutual "
                 "TLS); needs --authz");
  app.add_option("--authz", server_options.authz_path,
                 "JSON policy giving each client identity its role (reloaded when it changes; "
                 "see docs/decisions.md)");
  app.add_flag("--insecure-listen", server_options.insecure_listen,
               "allow a non-loopback --listen address without TLS and client certificates "
               "(anyone who reaches the port may post)");
  app.add_option("--shutdown-grace-seconds", grace_seconds,
                 "on SIGTERM/SIGINT, how long calls in flight may take before they are cancelled")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 3600.0));
  grantledger::LogSignerOptions signer_options;
  app.add_option("--signing-key", signer_options.key_path,
                 "Ed25519 key (PKCS#8 PEM, mode 0600) that signs the log's checkpoints (default: "
                 "DATA_DIR/checkpoint-signing-key.pem, created on first start)");
  app.add_option("--origin", signer_options.origin,
                 "the log's name in its checkpoints and signatures (no spaces or '+'; say "
                 "region-jh.se/grantledger; default: the origin of the last checkpoint signed, "
                 "else grantledger)");
  grantledger::HttpFlags http_flags;
  http_flags.AddTo(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : kExitUsage;  // --help is not an error
  }

  // Debian's abseil checks lock order on every mutex (gRPC makes several per call); that is a
  // debugging aid the tests keep on, and costs the server several percent of its CPU.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  grantledger::EventStoreOptions store_options;
  store_options.path = data_dir;
  store_options.sync = !no_sync;
  store_options.warn = [](absl::string_view warning) {
    grantledger::LogLine(absl::StrCat("warning: ", warning));
  };
  store_options.observer = &grantledger::ServerMetrics::Global();
  const absl::Time open_start = absl::Now();
  auto store = grantledger::EventStore::Open(store_options);
  grantledger::ServerMetrics::Global().SetOpenTime(absl::Now() - open_start);
  if (!store.ok()) {
    grantledger::LogLine(absl::StrCat("cannot start: ", store.status().message()));
    // A damaged ledger (DataLoss) is exit 4, as for the command line; anything else 3.
    return store.status().code() == absl::StatusCode::kDataLoss ? kExitDamaged : kExitUnavailable;
  }
  signer_options.data_dir = data_dir;
  auto signer = grantledger::LogSigner::Open(**store, signer_options);
  if (!signer.ok()) {
    grantledger::LogLine(absl::StrCat("cannot start: ", signer.status().message()));
    return signer.status().code() == absl::StatusCode::kDataLoss          ? kExitDamaged
           : signer.status().code() == absl::StatusCode::kInvalidArgument ? kExitUsage
                                                                          : kExitUnavailable;
  }
  server_options.signer = signer->get();
  server_options.listen_address = listen;
  const bool insecure_off_loopback =
      !grantledger::IsLoopbackListenAddress(listen) && !server_options.tls.mutual();
  if (insecure_off_loopback && server_options.insecure_listen) {
    grantledger::LogLine(absl::StrCat(
        "warning: --insecure-listen: ", listen,
        " is not loopback and clients are not authenticated; anyone who can reach the port "
        "may read and post"));
  }
  auto server = grantledger::GrantLedgerServer::Start(**store, server_options);
  if (!server.ok()) {
    grantledger::LogLine(absl::StrCat("cannot start: ", server.status().message()));
    return server.status().code() == absl::StatusCode::kInvalidArgument ? kExitUsage
                                                                        : kExitUnavailable;
  }
  auto http = grantledger::StartHttpIfAsked(http_flags, **store, server_options);
  if (!http.ok()) {
    grantledger::LogLine(absl::StrCat("cannot start: ", http.status().message()));
    return http.status().code() == absl::StatusCode::kUnavailable ? kExitUnavailable : kExitUsage;
  }
  std::string security = "insecure (loopback only)";
  if (server_options.tls.mutual()) {
    security = absl::StrCat("mutual TLS, policy ", server_options.authz_path);
  } else if (server_options.tls.tls()) {
    security = "TLS without client certificates";
  }
  if (insecure_off_loopback) {
    security =
        absl::StrCat(server_options.tls.tls() ? "TLS without client certificates" : "insecure",
                     " OFF LOOPBACK (--insecure-listen)");
  }
  const grantledger::Digest head = (*store)->Head();
  grantledger::LogLine(absl::StrCat(
      "started: listening on ", (*server)->address(), ", data dir ", data_dir, ", sync ",
      no_sync ? "off" : "on", ", security ", security, ", head sequence ", head.sequence,
      *http ? absl::StrCat(", dashboard http", server_options.tls.tls() ? "s" : "", "://",
                           (*http)->address(), "/")
            : ""));

  int signal_number = 0;
  while (sigwait(&stop_signals, &signal_number) != 0) {
  }
  grantledger::LogLine(absl::StrCat("stopping on ", signal_number == SIGTERM ? "SIGTERM" : "SIGINT",
                                    ": refusing new appends, finishing those in flight (grace ",
                                    grace_seconds, " s)"));
  if (*http) (*http)->Stop();
  (*server)->Shutdown(absl::Seconds(grace_seconds));
  server->reset();
  const grantledger::Digest final_head = (*store)->Head();
  store->reset();  // final checkpoint, RocksDB closed
  grantledger::LogLine(absl::StrCat("stopped: head sequence ", final_head.sequence, " hash ",
                                    absl::BytesToHexString(final_head.head_hash),
                                    ", store closed"));
  return 0;
}
