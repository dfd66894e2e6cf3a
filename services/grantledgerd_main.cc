// grantledgerd: serves one ledger data directory over gRPC (LedgerService, QueryService,
// AuditService, health, reflection). SIGTERM or SIGINT stops it gracefully: new appends are
// refused, appends in flight finish, the store writes its checkpoint and closes; exit code 0.
// Exit codes: 0 stopped cleanly, 1 usage, 3 cannot open the data directory or listen.
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "ledger/event_store.h"
#include "services/server.h"
#include "services/server_log.h"

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
  app.add_option("--shutdown-grace-seconds", grace_seconds,
                 "on SIGTERM/SIGINT, how long calls in flight may take before they are cancelled")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 3600.0));
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
  auto store = grantledger::EventStore::Open(store_options);
  if (!store.ok()) {
    grantledger::LogLine(absl::StrCat("cannot start: ", store.status().message()));
    // A damaged ledger (DataLoss) is exit 4, as for the command line; anything else 3.
    return store.status().code() == absl::StatusCode::kDataLoss ? kExitDamaged : kExitUnavailable;
  }
  grantledger::ServerOptions server_options;
  server_options.listen_address = listen;
  auto server = grantledger::GrantLedgerServer::Start(**store, server_options);
  if (!server.ok()) {
    grantledger::LogLine(absl::StrCat("cannot start: ", server.status().message()));
    return kExitUnavailable;
  }
  const grantledger::Digest head = (*store)->Head();
  grantledger::LogLine(absl::StrCat("started: listening on ", (*server)->address(), ", data dir ",
                                    data_dir, ", sync ", no_sync ? "off" : "on", ", head sequence ",
                                    head.sequence));

  int signal_number = 0;
  while (sigwait(&stop_signals, &signal_number) != 0) {
  }
  grantledger::LogLine(absl::StrCat("stopping on ", signal_number == SIGTERM ? "SIGTERM" : "SIGINT",
                                    ": refusing new appends, finishing those in flight (grace ",
                                    grace_seconds, " s)"));
  (*server)->Shutdown(absl::Seconds(grace_seconds));
  server->reset();
  const grantledger::Digest final_head = (*store)->Head();
  store->reset();  // final checkpoint, RocksDB closed
  grantledger::LogLine(absl::StrCat("stopped: head sequence ", final_head.sequence, " hash ",
                                    absl::BytesToHexString(final_head.head_hash),
                                    ", store closed"));
  return 0;
}
