// The events of the as-of benchmark's ledger: G grants (a registration, a receipt and 26
// allocation lines each), then expenses on random lines and dates of 2025 until N events.
// as_of_query_bench appends them; make_events prints them as JSON Lines for `grantledger post`
// (scripts/measure-cli.sh), so the library's and the command line's figures are measured on
// the same ledger. The sequence is fixed (seed 42): the same N and G give the same events.
#ifndef GRANTLEDGER_TESTS_BENCH_AS_OF_LEDGER_EVENTS_H_
#define GRANTLEDGER_TESTS_BENCH_AS_OF_LEDGER_EVENTS_H_

#include <cstdint>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "grantledger/v1/events.pb.h"

namespace grantledger::bench {

class AsOfLedgerEvents {
 public:
  // At least the grants' 28 events each, then expenses up to `events` in all.
  AsOfLedgerEvents(uint64_t events, int grants) : events_(events), grants_(grants) {}

  static std::string GrantId(int g) { return absl::StrCat("RS/", 100 + g, "/2025"); }

  // The next event into *out; false after the last.
  bool Next(v1::Event* out) {
    const uint64_t setup = static_cast<uint64_t>(grants_) * 28;
    if (made_ >= setup && made_ >= events_) return false;
    out->Clear();
    if (made_ < setup) {
      const int g = static_cast<int>(made_ / 28);
      const int k = static_cast<int>(made_ % 28);
      if (k == 0) {
        Envelope(GrantId(g), "2025-01-01", out);
        auto* r = out->mutable_grant_registered();
        r->set_title("bench grant");
        r->set_grantor(g % 2 ? "Socialstyrelsen" : "Kammarkollegiet");
        r->set_decided_amount_ore(100'000'000'000);
        r->set_usage_period_start("2025-01-01");
        r->set_usage_period_end("2025-12-31");
        r->set_repayment_deadline("2026-03-31");
        r->set_kind(v1::GRANT_KIND_FIXED);
      } else if (k == 1) {
        Envelope(GrantId(g), "2025-02-01", out);
        out->mutable_receipt()->set_amount_ore(100'000'000'000);
      } else {
        const int line = k - 2;
        Envelope(GrantId(g), "2025-02-01", out);
        out->mutable_allocation()->set_amount_ore(100'000'000'000 / 26);
        out->mutable_allocation()->set_activity(absl::StrCat("p", line + 1));
        out->mutable_allocation()->set_division(line % 2 ? "Med" : "HS Kir");
      }
      return true;
    }
    const int g = static_cast<int>(rng_() % grants_);
    const int day = 1 + static_cast<int>(rng_() % 365);
    const absl::CivilDay date = absl::CivilDay(2025, 1, 1) + (day - 1);
    Envelope(GrantId(g), absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(), date.day()),
             out);
    auto* x = out->mutable_expense();
    x->set_amount_ore(1 + static_cast<int64_t>(rng_() % 5'000'000));
    const int line = static_cast<int>(rng_() % 26);
    x->set_activity(absl::StrCat("p", line + 1));
    x->set_division(line % 2 ? "Med" : "HS Kir");
    x->set_purpose("Hyrpersonal");
    x->set_cost_group("Köpta tjänster");
    return true;
  }

 private:
  void Envelope(const std::string& grant, const std::string& date, v1::Event* e) {
    e->set_event_id(absl::StrCat("b-", made_++));
    e->set_grant_id(grant);
    e->set_effective_date(date);
    e->set_source("bench");
  }

  uint64_t events_;
  int grants_;
  uint64_t made_ = 0;
  std::mt19937_64 rng_{42};
};

}  // namespace grantledger::bench

#endif  // GRANTLEDGER_TESTS_BENCH_AS_OF_LEDGER_EVENTS_H_
