// What the append benchmarks share, so the library and gRPC figures compare: the event they
// post (an ERP expense of about 200 bytes encoded), the registration of its grant and the
// allocation to its line, and a fresh ledger with both.
#ifndef GRANTLEDGER_TESTS_BENCH_BENCH_EVENTS_H_
#define GRANTLEDGER_TESTS_BENCH_BENCH_EVENTS_H_

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "grantledger/v1/events.pb.h"
#include "ledger/store/event_store.h"

namespace grantledger::bench {

inline constexpr char kBenchGrant[] = "RS/229/2025";

inline v1::Event BenchExpense(const std::string& id) {
  v1::Event e;
  e.set_event_id(id);
  e.set_grant_id(kBenchGrant);
  e.set_effective_date("2025-06-25");
  e.set_source("erp");
  e.set_external_ref("V2025-0041234");
  v1::Expense* x = e.mutable_expense();
  x->set_amount_ore(123456);
  x->set_activity("p7");
  x->set_division("HS Kir");
  x->set_purpose("Hyrpersonal läkare");
  x->set_cost_group("Köpta tjänster");
  x->set_cost_object("9929");
  x->set_text("Inhyrd specialistläkare ortopedi vecka 26, faktura 778812");
  return e;
}

inline v1::Event BenchRegistration() {
  v1::Event reg;
  reg.set_event_id("bench-reg");
  reg.set_grant_id(kBenchGrant);
  reg.set_effective_date("2025-05-26");
  reg.set_source("bench");
  v1::GrantRegistered* g = reg.mutable_grant_registered();
  g->set_title("bench");
  g->set_grantor("Socialstyrelsen");
  g->set_decided_amount_ore(1'000'000'000'00);
  g->set_usage_period_start("2025-01-01");
  g->set_usage_period_end("2025-12-31");
  g->set_repayment_deadline("2026-03-31");
  g->set_kind(v1::GRANT_KIND_FIXED);
  return reg;
}

// The activity line the bench expenses are booked on (an expense's line must exist).
inline v1::Event BenchAllocation() {
  v1::Event a;
  a.set_event_id("bench-alloc");
  a.set_grant_id(kBenchGrant);
  a.set_effective_date("2025-05-26");
  a.set_source("bench");
  v1::Allocation* x = a.mutable_allocation();
  x->set_amount_ore(1'000'000'000'00);
  x->set_activity("p7");
  x->set_division("HS Kir");
  return a;
}

// A new ledger in `dir`/`name` (anything there is removed first) with the bench grant
// registered and its line allocated. Exits the benchmark if it cannot be made.
inline std::unique_ptr<EventStore> OpenBenchLedger(const std::string& dir, const std::string& name,
                                                   bool sync, bool note_every_write = true) {
  const std::string path = dir + "/" + name;
  std::filesystem::remove_all(path);
  std::filesystem::create_directories(dir);
  EventStoreOptions options;
  options.path = path;
  options.sync = sync;
  options.note_every_write = note_every_write;
  auto store = EventStore::Open(options);
  if (!store.ok() || !(*store)->Append({BenchRegistration(), BenchAllocation()}).ok()) {
    std::fprintf(stderr, "cannot make a bench ledger in %s\n", path.c_str());
    std::exit(1);
  }
  return std::move(*store);
}

}  // namespace grantledger::bench

#endif  // GRANTLEDGER_TESTS_BENCH_BENCH_EVENTS_H_
