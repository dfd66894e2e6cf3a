// What the stateless checks cost per event (CheckEventShape, with the text rules of
// ledger/text_rules.h) on the append benchmarks' ~190-byte ERP expense, and what the text
// rules cost per byte of text, so their share of an append can be set beside append_bench.
// Usage: event_shape_bench [--events N]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "ledger/rules.h"
#include "ledger/text_rules.h"
#include "tests/bench/bench_events.h"

namespace gl = grantledger;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  size_t events = 1'000'000;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--events") && i + 1 < argc)
      events = std::strtoull(argv[++i], nullptr, 10);
  }
  std::vector<gl::v1::Event> batch;
  for (int i = 0; i < 1000; ++i)
    batch.push_back(gl::bench::BenchExpense("erp-" + std::to_string(i)));
  size_t failures = 0;
  const auto start = Clock::now();
  for (size_t i = 0; i < events; ++i)
    failures += !gl::CheckEventShape(batch[i % batch.size()]).ok();
  const double shape_ns =
      std::chrono::duration<double, std::nano>(Clock::now() - start).count() / events;

  const gl::v1::Expense& x = batch[0].expense();
  const std::string texts = batch[0].event_id() + batch[0].grant_id() + batch[0].source() +
                            batch[0].external_ref() + x.activity() + x.division() + x.purpose() +
                            x.cost_group() + x.cost_object() + x.text();
  const auto text_start = Clock::now();
  for (size_t i = 0; i < events; ++i) failures += !gl::TextDefect(texts).empty();
  const double text_ns =
      std::chrono::duration<double, std::nano>(Clock::now() - text_start).count() / events;
  std::printf(
      "event_shape_bench: %zu events; CheckEventShape %.0f ns/event; text rules over the "
      "event's %zu bytes of text %.0f ns (%.2f ns/byte); %zu failures\n",
      events, shape_ns, texts.size(), text_ns, text_ns / texts.size(), failures);
  return failures == 0 ? 0 : 1;
}
