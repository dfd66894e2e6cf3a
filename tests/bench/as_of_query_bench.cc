// Two-clock query latency on a large ledger: loads N events (default 1 000 000) spread over G
// grants (default 20), then times "obligation and balances of one grant as of a random date,
// as known at a random sequence" and prints p50/p99 (target: p99 < 5 ms at 1M events, < 10 ms
// at 10M). Also prints the time to reopen the ledger (the histories are rebuilt from the log).
// Usage: as_of_query_bench [--events N] [--grants G] [--queries Q] [--dir DIR]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ledger/event_store.h"
#include "ledger/obligations.h"

namespace gl = grantledger;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  uint64_t events = 1'000'000;
  int grants = 20;
  int queries = 5'000;
  std::string dir = "/tmp/grantledger-asof-bench";
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--events") && i + 1 < argc)
      events = std::strtoull(argv[++i], nullptr, 10);
    else if (!std::strcmp(argv[i], "--grants") && i + 1 < argc)
      grants = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--queries") && i + 1 < argc)
      queries = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--dir") && i + 1 < argc)
      dir = argv[++i];
  }
  std::filesystem::remove_all(dir);
  gl::EventStoreOptions options;
  options.path = dir;
  options.sync = false;  // loading speed; the queries do not depend on it
  auto opened = gl::EventStore::Open(options);
  if (!opened.ok()) {
    std::fprintf(stderr, "%s\n", opened.status().ToString().c_str());
    return 1;
  }
  std::unique_ptr<gl::EventStore> store = std::move(*opened);
  std::mt19937_64 rng(42);
  auto grant_id = [](int g) { return absl::StrCat("RS/", 100 + g, "/2025"); };

  // Registration, receipt and 26 allocation lines per grant; then expenses spread over the year.
  const auto load_start = Clock::now();
  std::vector<gl::v1::Event> batch;
  uint64_t posted = 0;
  auto flush = [&] {
    if (batch.empty()) return;
    auto r = store->Append(std::move(batch));
    if (!r.ok()) {
      std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
      std::exit(1);
    }
    batch.clear();
  };
  auto envelope = [&](const std::string& grant, const std::string& date) {
    gl::v1::Event e;
    e.set_event_id(absl::StrCat("b-", posted++));
    e.set_grant_id(grant);
    e.set_effective_date(date);
    e.set_source("bench");
    return e;
  };
  for (int g = 0; g < grants; ++g) {
    gl::v1::Event reg = envelope(grant_id(g), "2025-01-01");
    auto* r = reg.mutable_grant_registered();
    r->set_title("bench grant");
    r->set_grantor(g % 2 ? "Socialstyrelsen" : "Kammarkollegiet");
    r->set_decided_amount_ore(100'000'000'000);
    r->set_usage_period_start("2025-01-01");
    r->set_usage_period_end("2025-12-31");
    r->set_repayment_deadline("2026-03-31");
    r->set_kind(gl::v1::GRANT_KIND_FIXED);
    batch.push_back(reg);
    gl::v1::Event rec = envelope(grant_id(g), "2025-02-01");
    rec.mutable_receipt()->set_amount_ore(100'000'000'000);
    batch.push_back(rec);
    for (int line = 0; line < 26; ++line) {
      gl::v1::Event a = envelope(grant_id(g), "2025-02-01");
      a.mutable_allocation()->set_amount_ore(100'000'000'000 / 26);
      a.mutable_allocation()->set_activity(absl::StrCat("p", line + 1));
      a.mutable_allocation()->set_division(line % 2 ? "Med" : "HS Kir");
      batch.push_back(a);
    }
  }
  flush();
  while (posted < events) {
    const int g = static_cast<int>(rng() % grants);
    const int day = 1 + static_cast<int>(rng() % 365);
    absl::CivilDay date = absl::CivilDay(2025, 1, 1) + (day - 1);
    gl::v1::Event e = envelope(
        grant_id(g), absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(), date.day()));
    auto* x = e.mutable_expense();
    x->set_amount_ore(1 + static_cast<int64_t>(rng() % 5'000'000));
    const int line = static_cast<int>(rng() % 26);
    x->set_activity(absl::StrCat("p", line + 1));
    x->set_division(line % 2 ? "Med" : "HS Kir");
    x->set_purpose("Hyrpersonal");
    x->set_cost_group("Köpta tjänster");
    batch.push_back(std::move(e));
    if (batch.size() == 1000) flush();
  }
  flush();
  const double load_s = std::chrono::duration<double>(Clock::now() - load_start).count();
  const uint64_t head = store->Head().sequence;

  auto time_queries = [&](const char* what) {
    std::vector<double> micros;
    micros.reserve(queries);
    int64_t checksum = 0;
    for (int q = 0; q < queries; ++q) {
      const int g = static_cast<int>(rng() % grants);
      const absl::CivilDay date = absl::CivilDay(2025, 1, 1) + static_cast<int>(rng() % 400);
      const uint64_t sequence = 1 + rng() % head;
      const auto start = Clock::now();
      auto position = store->Position(grant_id(g), gl::AsOf{date, sequence});
      if (position.ok()) checksum += gl::ObligationOf(*position).outstanding_ore.value();
      micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    }
    std::sort(micros.begin(), micros.end());
    std::printf("%-28s p50 %8.1f us   p99 %8.1f us   max %8.1f us   (checksum %lld)\n", what,
                micros[micros.size() / 2], micros[micros.size() * 99 / 100], micros.back(),
                static_cast<long long>(checksum));
    return micros[micros.size() * 99 / 100];
  };
  std::printf("as_of_query_bench: %llu events over %d grants (%llu per grant), loaded in %.1f s\n",
              static_cast<unsigned long long>(head), grants,
              static_cast<unsigned long long>(head / grants), load_s);
  const double p99 = time_queries("as-of query (one grant):");
  store.reset();
  const auto reopen_start = Clock::now();
  auto reopened = gl::EventStore::Open(options);
  if (!reopened.ok()) return 1;
  store = std::move(*reopened);
  const double reopen_s = std::chrono::duration<double>(Clock::now() - reopen_start).count();
  std::printf("reopen (checkpoint + full log scan for the histories): %.2f s\n", reopen_s);
  time_queries("after reopen:");
  std::printf("target p99 < 5000 us at 1M events: %s (%.0f us)\n", p99 < 5000 ? "met" : "NOT met",
              p99);
  store.reset();
  std::filesystem::remove_all(dir);
  return 0;
}
