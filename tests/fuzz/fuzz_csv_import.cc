// libFuzzer target: the ERP expense import, a CSV export (ledger/csv_reader.h) mapped to expense
// events by cost object (cli/transfer_commands.h) against the sample grants. Properties: no
// crash or UB; an error names the file; a successful mapping gives one event per data row,
// each with an id, a registered grant and a positive amount.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "cli/transfer_commands.h"
#include "ledger/csv_reader.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

const std::vector<grantledger::GrantPosition>& SampleGrants() {
  static const auto* grants = [] {
    grantledger::fuzz::ScratchLedger ledger;
    return new std::vector<grantledger::GrantPosition>(
        ledger.store().Positions(grantledger::AsOf{absl::CivilDay(2999, 12, 31), 0}));
  }();
  return *grants;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace grantledger;
  const std::string text(reinterpret_cast<const char*>(data), size);
  // The reader the import uses, with the import's options.
  absl::StatusOr<CsvTable> table = ReadCsv(text, "fuzz.csv", ExpenseImportOptions{}.csv);
  if (!table.ok() && std::string(table.status().message()).find("fuzz.csv") == std::string::npos) {
    fuzz::Fail("a CSV error that does not name the file: " + std::string(table.status().message()));
  }
  absl::StatusOr<std::vector<EventLine>> lines =
      ExpensesFromCsv(text, "fuzz.csv", SampleGrants(), ExpenseImportOptions{});
  if (!lines.ok()) {
    if (std::string(lines.status().message()).find("fuzz.csv") == std::string::npos) {
      fuzz::Fail("an import error that does not name the file: " +
                 std::string(lines.status().message()));
    }
    return 0;
  }
  if (!table.ok()) fuzz::Fail("the import accepted a CSV that does not parse");
  if (lines->size() != table->rows.size()) fuzz::Fail("not one event per data row");
  std::set<std::string> registered;
  for (const GrantPosition& g : SampleGrants()) registered.insert(g.grant_id);
  for (const EventLine& l : *lines) {
    if (l.event.event_id().empty()) fuzz::Fail("an imported event without an id");
    if (!registered.count(l.event.grant_id())) fuzz::Fail("mapped to an unknown grant");
    if (!l.event.has_expense() || l.event.expense().amount_ore() <= 0) {
      fuzz::Fail("an imported expense without a positive amount");
    }
  }
  return 0;
}
