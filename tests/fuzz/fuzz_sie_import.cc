// libFuzzer target: the SIE 4 reader (ledger/sie4.h) and `import-sie`'s mapping of its rows to
// expenses (cli/sie_import.h) against the sample grants. Properties: no crash or UB; an error
// names the file; every voucher read balances to zero over its counting rows; a successful
// mapping gives expenses with unique ids on registered grants, each with a positive amount
// (a credit is flagged, never a negative amount), and the same bytes map to the same events.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "cli/sie_import.h"
#include "ledger/sie4.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using namespace grantledger;

const std::vector<GrantPosition>& SampleGrants() {
  static const auto* grants = [] {
    fuzz::ScratchLedger ledger;
    return new std::vector<GrantPosition>(
        ledger.store().Positions(AsOf{absl::CivilDay(2999, 12, 31), 0}));
  }();
  return *grants;
}

void CheckNamesFile(const absl::Status& status, const std::string& what) {
  if (std::string(status.message()).find("fuzz.se") == std::string::npos) {
    fuzz::Fail(what + " that does not name the file: " + std::string(status.message()));
  }
}

std::string Serialized(const SieImportPlan& plan) {
  std::string out;
  for (const EventLine& l : plan.lines) out += l.event.SerializeAsString();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  SieParseOptions lenient;
  lenient.verify_checksum = false;
  absl::StatusOr<SieFile> file = ParseSie4(bytes, "fuzz.se", lenient);
  // The checksum option is read only at a #KSUMMA record (labels are compared in upper case), so
  // without those letters the checked reading is this same parse: it runs only when they are
  // there, which halves the parsing (61 % of the target's time) on most inputs.
  if (absl::StrContains(absl::AsciiStrToUpper(bytes), "KSUMMA")) {
    absl::StatusOr<SieFile> strict = ParseSie4(bytes, "fuzz.se");
    if (!strict.ok()) CheckNamesFile(strict.status(), "a SIE error");
    if (strict.ok() && !file.ok()) {
      fuzz::Fail("a file read with its checksum checked but not without");
    }
  }
  if (!file.ok()) {
    CheckNamesFile(file.status(), "a SIE error");
    return 0;
  }
  for (const SieVoucher& v : file->vouchers) {
    int64_t sum = 0;
    for (const SieRow& row : v.rows) {
      if (row.kind == SieRow::Kind::kRemoved) continue;
      if (__builtin_add_overflow(sum, row.amount_ore, &sum))
        fuzz::Fail("a voucher's sum overflows");
    }
    if (sum != 0) fuzz::Fail("a voucher read that does not balance");
  }
  SieImportOptions options;
  options.activity_dim = 20;
  options.division_dim = 1;
  absl::StatusOr<SieImportPlan> plan = ExpensesFromSie(*file, "fuzz.se", SampleGrants(), options);
  if (!plan.ok()) {
    CheckNamesFile(plan.status(), "an import error");
    return 0;
  }
  std::set<std::string> registered, ids;
  for (const GrantPosition& g : SampleGrants()) registered.insert(g.grant_id);
  for (const EventLine& l : plan->lines) {
    if (l.event.event_id().empty()) fuzz::Fail("an imported event without an id");
    if (!ids.insert(l.event.event_id()).second) fuzz::Fail("two imported events share an id");
    if (!registered.count(l.event.grant_id())) fuzz::Fail("mapped to an unknown grant");
    if (!l.event.has_expense() || l.event.expense().amount_ore() <= 0) {
      fuzz::Fail("an imported expense without a positive amount");
    }
  }
  absl::StatusOr<SieImportPlan> again = ExpensesFromSie(*file, "fuzz.se", SampleGrants(), options);
  if (!again.ok() || Serialized(*again) != Serialized(*plan)) {
    fuzz::Fail("the same file mapped twice gives other events");
  }
  return 0;
}
