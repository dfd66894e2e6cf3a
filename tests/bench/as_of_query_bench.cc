// Two-clock query latency on a large ledger: loads N events (default 1 000 000) spread over G
// grants (default 20; as_of_ledger_events.h), then times "obligation and balances of one grant
// as of a random date, as known at a random sequence" and prints p50/p99 (target: p99 < 5 ms at
// 1M events, < 10 ms at 10M). Then closes the store, times its Open, and times the same queries
// again (the same ones: the checksums must match). Prints the resident memory after load and
// after open (/proc/self/statm) and the process's peak (getrusage ru_maxrss).
//
// Usage: as_of_query_bench [--events N] [--grants G] [--queries Q] [--dir DIR] [--keep]
//        as_of_query_bench --reopen-only --dir DIR [--grants G] [--queries Q]
// --keep leaves the loaded ledger in DIR; --reopen-only opens a ledger left there (give the G it
// was loaded with) without loading, and times Open and the queries: the peak RSS it prints is
// then that of open and queries alone. E.g. for 10M events, load once and reopen as often:
//   as_of_query_bench --events 10000000 --dir /var/tmp/asof-10m --keep
//   as_of_query_bench --reopen-only --dir /var/tmp/asof-10m
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ledger/obligations.h"
#include "ledger/store/event_store.h"
#include "tests/bench/as_of_ledger_events.h"

namespace gl = grantledger;
using Clock = std::chrono::steady_clock;

namespace {

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// Resident memory now (/proc/self/statm, pages), in MiB.
double CurrentRssMib() {
  std::ifstream statm("/proc/self/statm");
  uint64_t size_pages = 0, resident_pages = 0;
  statm >> size_pages >> resident_pages;
  return static_cast<double>(resident_pages) * static_cast<double>(sysconf(_SC_PAGESIZE)) /
         (1024.0 * 1024.0);
}

// The process's peak resident memory so far (ru_maxrss, KiB on Linux), in MiB.
double PeakRssMib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

void Die(const std::string& what) {
  std::fprintf(stderr, "as_of_query_bench: %s\n", what.c_str());
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t events = 1'000'000;
  int grants = 20;
  int queries = 5'000;
  std::string dir = "/tmp/grantledger-asof-bench";
  bool keep = false;
  bool reopen_only = false;
  bool dir_given = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--events") && i + 1 < argc) {
      events = std::strtoull(argv[++i], nullptr, 10);
    } else if (!std::strcmp(argv[i], "--grants") && i + 1 < argc) {
      grants = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--queries") && i + 1 < argc) {
      queries = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--dir") && i + 1 < argc) {
      dir = argv[++i];
      dir_given = true;
    } else if (!std::strcmp(argv[i], "--keep")) {
      keep = true;
    } else if (!std::strcmp(argv[i], "--reopen-only")) {
      reopen_only = true;
    } else {
      Die(std::string("unknown argument ") + argv[i] +
          "; usage: [--events N] [--grants G] [--queries Q] [--dir DIR] [--keep] | --reopen-only "
          "--dir DIR [--grants G] [--queries Q]");
    }
  }
  if (grants < 1 || queries < 1) Die("--grants and --queries must be at least 1");
  if (reopen_only && !dir_given) Die("--reopen-only needs --dir DIR: the ledger to open");
  if (reopen_only && !std::filesystem::exists(dir)) Die(dir + ": no such directory");

  gl::EventStoreOptions options;
  options.path = dir;
  options.sync = false;  // loading speed; the queries do not depend on it
  std::unique_ptr<gl::EventStore> store;
  auto open = [&]() {
    const auto start = Clock::now();
    auto opened = gl::EventStore::Open(options);
    if (!opened.ok()) Die(opened.status().ToString());
    store = std::move(*opened);
    return Seconds(start);
  };

  if (!reopen_only) {
    std::filesystem::remove_all(dir);
    open();
    const auto load_start = Clock::now();
    gl::bench::AsOfLedgerEvents source(events, grants);
    std::vector<gl::v1::Event> batch;
    auto flush = [&] {
      if (batch.empty()) return;
      auto r = store->Append(std::move(batch));
      if (!r.ok()) Die(r.status().ToString());
      batch.clear();
    };
    gl::v1::Event e;
    while (source.Next(&e)) {
      batch.push_back(std::move(e));
      if (batch.size() == 1000) flush();
    }
    flush();
    const uint64_t head = store->Head().sequence;
    std::printf(
        "as_of_query_bench: %llu events over %d grants (%llu per grant), loaded in %.1f s; "
        "RSS %.0f MiB, peak %.0f MiB\n",
        static_cast<unsigned long long>(head), grants,
        static_cast<unsigned long long>(head / grants), Seconds(load_start), CurrentRssMib(),
        PeakRssMib());
  }

  // The same queries each time (a fresh generator), so that their checksums compare.
  auto time_queries = [&](const char* what) {
    const uint64_t head = store->Head().sequence;
    if (head == 0) Die(dir + ": the ledger is empty");
    std::mt19937_64 rng(7);
    std::vector<double> micros;
    micros.reserve(queries);
    int64_t checksum = 0;
    int unanswered = 0;
    for (int q = 0; q < queries; ++q) {
      const int g = static_cast<int>(rng() % grants);
      const absl::CivilDay date = absl::CivilDay(2025, 1, 1) + static_cast<int>(rng() % 400);
      const uint64_t sequence = 1 + rng() % head;
      const auto start = Clock::now();
      auto position =
          store->Position(gl::bench::AsOfLedgerEvents::GrantId(g), gl::AsOf{date, sequence});
      if (position.ok()) {
        checksum += gl::ObligationOf(*position).outstanding_ore.value();
      } else {
        ++unanswered;  // e.g. a sequence before the grant's registration
      }
      micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    }
    std::sort(micros.begin(), micros.end());
    std::printf(
        "%-28s p50 %8.1f us   p99 %8.1f us   max %8.1f us   (checksum %lld, %d unanswered)\n", what,
        micros[micros.size() / 2], micros[micros.size() * 99 / 100], micros.back(),
        static_cast<long long>(checksum), unanswered);
    return micros[micros.size() * 99 / 100];
  };

  double p99 = 0;
  if (!reopen_only) {
    p99 = time_queries("as-of query (one grant):");
    store.reset();
  }
  const double open_s = open();
  const double rss_after_open = CurrentRssMib();
  std::printf("open: %.3f s (%llu events); RSS after open %.0f MiB\n", open_s,
              static_cast<unsigned long long>(store->Head().sequence), rss_after_open);
  const double p99_reopened =
      time_queries(reopen_only ? "as-of query (one grant):" : "after reopen:");
  if (reopen_only) p99 = p99_reopened;
  std::printf("peak RSS: %.0f MiB%s\n", PeakRssMib(),
              reopen_only ? " (open and queries)" : " (load, queries, reopen)");
  std::printf("target p99 < 5000 us at 1M events: %s (%.0f us)\n", p99 < 5000 ? "met" : "NOT met",
              p99);
  store.reset();
  if (!reopen_only && !keep) std::filesystem::remove_all(dir);
  return 0;
}
