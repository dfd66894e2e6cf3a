// Server time per dashboard page and API call on a large ledger: loads N events (default
// 1 000 000) over G grants (default 20; as_of_ledger_events.h) into a store, serves it with the
// HTTP side in-process on loopback, and times R requests per route with one keep-alive client
// (random as-of dates of 2025, half of them also at a random recorded sequence). Prints p50,
// p99 and max per route; the target is p99 < 50 ms at 1M events. The times are round trips over
// loopback, so they bound the server's time from above. Exit 1 if a request fails, 2 if
// --check-p99-ms is given and a route is slower.
//
// Usage: http_bench [--events N] [--grants G] [--requests R] [--dir DIR] [--keep]
//                   [--reopen-only] [--only ROUTE] [--check-p99-ms MS]
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ledger/store/event_store.h"
#include "services/http/http_server.h"
#include "tests/bench/as_of_ledger_events.h"

namespace gl = grantledger;
using Clock = std::chrono::steady_clock;

namespace {

void Die(const std::string& what) {
  std::fprintf(stderr, "http_bench: %s\n", what.c_str());
  std::exit(1);
}

double Millis(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

}  // namespace

int main(int argc, char** argv) {
  uint64_t events = 1'000'000;
  int grants = 20;
  int requests = 200;
  double check_p99_ms = 0;
  std::string dir = "/tmp/grantledger-http-bench";
  std::string only;  // run only the routes whose name contains it
  bool keep = false, reopen_only = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--events") && i + 1 < argc) {
      events = std::strtoull(argv[++i], nullptr, 10);
    } else if (!std::strcmp(argv[i], "--grants") && i + 1 < argc) {
      grants = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--requests") && i + 1 < argc) {
      requests = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--dir") && i + 1 < argc) {
      dir = argv[++i];
    } else if (!std::strcmp(argv[i], "--keep")) {
      keep = true;
    } else if (!std::strcmp(argv[i], "--reopen-only")) {
      reopen_only = true;
    } else if (!std::strcmp(argv[i], "--only") && i + 1 < argc) {
      only = argv[++i];
    } else if (!std::strcmp(argv[i], "--check-p99-ms") && i + 1 < argc) {
      check_p99_ms = std::atof(argv[++i]);
    } else {
      Die(absl::StrCat("unknown argument ", argv[i],
                       "; usage: [--events N] [--grants G] [--requests R] [--dir DIR] [--keep] "
                       "[--reopen-only] [--only ROUTE] [--check-p99-ms MS]"));
    }
  }
  if (grants < 1 || requests < 1) Die("--grants and --requests must be at least 1");
  if (!reopen_only) std::filesystem::remove_all(dir);

  gl::EventStoreOptions options;
  options.path = dir;
  options.sync = false;  // loading speed; reads do not depend on it
  auto opened = gl::EventStore::Open(options);
  if (!opened.ok()) Die(opened.status().ToString());
  std::unique_ptr<gl::EventStore> store = std::move(*opened);
  if (!reopen_only) {
    const auto load_start = Clock::now();
    gl::bench::AsOfLedgerEvents source(events, grants);
    std::vector<gl::v1::Event> batch;
    gl::v1::Event e;
    auto flush = [&] {
      if (batch.empty()) return;
      if (auto r = store->Append(std::move(batch)); !r.ok()) Die(r.status().ToString());
      batch.clear();
    };
    while (source.Next(&e)) {
      batch.push_back(std::move(e));
      if (batch.size() == 1000) flush();
    }
    flush();
    std::printf("http_bench: loaded %llu events over %d grants in %.1f s\n",
                static_cast<unsigned long long>(store->Head().sequence), grants,
                std::chrono::duration<double>(Clock::now() - load_start).count());
  }
  const uint64_t head = store->Head().sequence;

  gl::HttpOptions http_options;
  http_options.listen_address = "127.0.0.1:0";
  auto http = gl::HttpServer::Start(*store, http_options);
  if (!http.ok()) Die(http.status().ToString());
  httplib::Client client("127.0.0.1", (*http)->port());
  client.set_keep_alive(true);
  client.set_tcp_nodelay(true);

  std::mt19937_64 rng(7);
  auto point = [&](int i) {
    const absl::CivilDay date = absl::CivilDay(2025, 1, 1) + static_cast<int>(rng() % 365);
    std::string q = absl::StrFormat("as_of=%04d-%02d-%02d", date.year(), date.month(), date.day());
    // A recorded point after every grant's registration (the first 28 events of each).
    const uint64_t setup = static_cast<uint64_t>(grants) * 28;
    if (i % 2 && head > setup)
      absl::StrAppend(&q, "&recorded_as_of=", setup + 1 + rng() % (head - setup));
    return q;
  };
  auto grant = [&] {
    return gl::bench::AsOfLedgerEvents::GrantId(static_cast<int>(rng() % grants));
  };
  struct Route {
    const char* name;
    std::function<std::string(int)> path;
  };
  const std::vector<Route> routes = {
      {"page /", [&](int) { return std::string("/"); }},
      {"page /grant", [&](int) { return absl::StrCat("/grant?id=", grant()); }},
      {"/static/dashboard.js", [&](int) { return std::string("/static/dashboard.js"); }},
      {"/static/chart.min.js", [&](int) { return std::string("/static/chart.min.js"); }},
      {"/api/overview", [&](int i) { return absl::StrCat("/api/overview?", point(i)); }},
      {"/api/grant", [&](int i) { return absl::StrCat("/api/grant?id=", grant(), "&", point(i)); }},
      {"/api/burndown",
       [&](int i) { return absl::StrCat("/api/burndown?id=", grant(), "&", point(i)); }},
      {"/api/history",
       [&](int i) { return absl::StrCat("/api/history?id=", grant(), "&", point(i)); }},
      {"/download/grant.csv",
       [&](int i) { return absl::StrCat("/download/grant.csv?id=", grant(), "&", point(i)); }},
      {"/download/obligations.xlsx",
       [&](int i) { return absl::StrCat("/download/obligations.xlsx?", point(i)); }},
      {"/metrics", [&](int) { return std::string("/metrics"); }},
      {"/healthz", [&](int) { return std::string("/healthz"); }},
  };
  std::printf("http_bench: %llu events, %d grants, %d requests per route (ms)\n",
              static_cast<unsigned long long>(head), grants, requests);
  std::printf("%-28s %8s %8s %8s %10s %12s %12s\n", "route", "p50", "p99", "max", "bytes",
              "p99 now", "p99 earlier");
  bool slow = false;
  // p99 of sorted samples (with few samples, the slowest ones).
  auto p99_of = [](std::vector<double>& v) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, v.size() * 99 / 100)];
  };
  for (const Route& route : routes) {
    if (!only.empty() && !absl::StrContains(route.name, only)) continue;
    std::vector<double> ms;
    // The same, split by the recorded point: now (odd i has none) or an earlier sequence.
    std::vector<double> now_ms, earlier_ms;
    size_t bytes = 0;
    for (int i = 0; i < requests; ++i) {
      const std::string path = route.path(i);
      const auto start = Clock::now();
      auto answer = client.Get(path.c_str());
      ms.push_back(Millis(Clock::now() - start));
      (absl::StrContains(path, "recorded_as_of=") ? earlier_ms : now_ms).push_back(ms.back());
      if (!answer || answer->status != 200) {
        Die(absl::StrCat(path, ": ",
                         answer ? absl::StrCat(answer->status, " ", answer->body)
                                : httplib::to_string(answer.error())));
      }
      bytes = answer->body.size();
    }
    const double p99 = p99_of(ms);
    std::printf("%-28s %8.2f %8.2f %8.2f %10zu %12.2f %12.2f\n", route.name, ms[ms.size() / 2], p99,
                ms.back(), bytes, p99_of(now_ms), p99_of(earlier_ms));
    if (check_p99_ms > 0 && p99 > check_p99_ms) slow = true;
  }
  (*http)->Stop();
  store.reset();
  if (!keep) std::filesystem::remove_all(dir);
  return slow ? 2 : 0;
}
