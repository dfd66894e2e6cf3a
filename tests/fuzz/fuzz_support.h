// Shared by the libFuzzer targets: the sample events from examples/, and a scratch ledger (a
// real EventStore in a temporary directory, sync off) that a target creates once per process
// and renews when it has grown.
#ifndef GRANTLEDGER_TESTS_FUZZ_FUZZ_SUPPORT_H_
#define GRANTLEDGER_TESTS_FUZZ_FUZZ_SUPPORT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "grantledger/v1/events.pb.h"
#include "ledger/store/event_store.h"

namespace grantledger::fuzz {

// examples/sample-grants.jsonl, parsed (aborts if it cannot be read: nothing could be fuzzed).
const std::vector<v1::Event>& SampleEvents();

// A ledger in a fresh temporary directory holding the sample grants. Renew() replaces it with
// a fresh one (its directory removed) so that a long run keeps it small.
class ScratchLedger {
 public:
  ScratchLedger();
  ~ScratchLedger();
  EventStore& store() { return *store_; }
  void Renew();

 private:
  void Open();
  void Remove();
  std::string path_;
  std::unique_ptr<EventStore> store_;
};

// Aborts with `what` (libFuzzer reports the input that led here).
[[noreturn]] void Fail(const std::string& what);

}  // namespace grantledger::fuzz

#endif  // GRANTLEDGER_TESTS_FUZZ_FUZZ_SUPPORT_H_
