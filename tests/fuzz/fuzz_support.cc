// See fuzz_support.h.
#include "tests/fuzz/fuzz_support.h"

#include <stdlib.h>

#include <cstdio>
#include <filesystem>

#include "cli/event_file.h"

namespace grantledger::fuzz {

void Fail(const std::string& what) {
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what.c_str());
  std::abort();
}

const std::vector<v1::Event>& SampleEvents() {
  static const std::vector<v1::Event>* events = [] {
    const std::string path = std::string(GRANTLEDGER_SOURCE_DIR) + "/examples/sample-grants.jsonl";
    absl::StatusOr<std::string> text = ReadInput(path);
    if (!text.ok()) Fail(std::string(text.status().message()));
    absl::StatusOr<std::vector<EventLine>> lines = ParseEventLines(*text, path);
    if (!lines.ok()) Fail(std::string(lines.status().message()));
    auto* out = new std::vector<v1::Event>();
    for (EventLine& l : *lines) out->push_back(std::move(l.event));
    return out;
  }();
  return *events;
}

ScratchLedger::ScratchLedger() { Open(); }

ScratchLedger::~ScratchLedger() {
  store_.reset();
  Remove();
}

void ScratchLedger::Renew() {
  store_.reset();
  Remove();
  Open();
}

void ScratchLedger::Open() {
  std::string pattern = (std::filesystem::temp_directory_path() / "gl-fuzz-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) Fail("mkdtemp");
  path_ = pattern;
  EventStoreOptions options;
  options.path = path_ + "/data";
  options.sync = false;
  options.check_invariants = true;
  auto store = EventStore::Open(options);
  if (!store.ok()) Fail(std::string(store.status().message()));
  store_ = std::move(*store);
  auto appended = store_->Append(SampleEvents());
  if (!appended.ok()) Fail(std::string(appended.status().message()));
}

void ScratchLedger::Remove() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace grantledger::fuzz
