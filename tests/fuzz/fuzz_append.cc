// libFuzzer target: an AppendRequest's bytes, parsed, validated and applied to a scratch
// ledger (a real EventStore holding the sample grants; sync off; renewed when it has grown).
// Properties: no crash or UB; a rejected batch leaves the head where it was; an accepted one
// moves it by exactly its new events, each readable at its sequence with the content sent;
// and the trial balance holds after every append (check_invariants aborts otherwise).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "grantledger/v1/ledger_service.pb.h"
#include "ledger/store/event_store.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

constexpr uint64_t kRenewAfterEvents = 20'000;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace grantledger;
  static fuzz::ScratchLedger* ledger = new fuzz::ScratchLedger();
  v1::AppendRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return 0;
  if (request.events_size() == 0 || request.events_size() > 64) return 0;
  EventStore& store = ledger->store();
  const Digest before = store.Head();
  AppendOptions options;
  options.dry_run = request.dry_run();
  for (const auto& [grant, version] : request.expected_versions()) {
    options.expected_versions[grant] = version;
  }
  std::vector<v1::Event> events(request.events().begin(), request.events().end());
  absl::StatusOr<AppendResult> result = store.Append(events, options);
  const Digest after = store.Head();
  if (!result.ok() || options.dry_run) {
    if (after.sequence != before.sequence || after.head_hash != before.head_hash) {
      fuzz::Fail(absl::StrCat("a ", result.ok() ? "dry run" : "rejected batch",
                              " moved the head from ", before.sequence, " to ", after.sequence));
    }
    return 0;
  }
  if (result->sequences.size() != events.size()) fuzz::Fail("one sequence per event");
  uint64_t fresh = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    auto read = store.Read(result->sequences[i]);
    if (!read.ok())
      fuzz::Fail(absl::StrCat("acknowledged sequence unreadable: ", read.status().message()));
    if (read->record().event().event_id() != events[i].event_id()) {
      fuzz::Fail("the event at its sequence has another id");
    }
    if (!result->duplicates[i]) {
      ++fresh;
      if (read->record().event().SerializeAsString() != events[i].SerializeAsString()) {
        fuzz::Fail("the stored event differs from the one sent");
      }
    }
  }
  if (after.sequence != before.sequence + fresh) {
    fuzz::Fail(absl::StrCat("the head moved by ", after.sequence - before.sequence, " for ", fresh,
                            " new events"));
  }
  if (after.sequence > kRenewAfterEvents) ledger->Renew();
  return 0;
}
