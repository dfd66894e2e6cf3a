// Writes the binary seed corpora of the fuzz targets from examples/sample-grants.jsonl:
// OUTDIR/fuzz_log_entry/ (log entries as the store writes them, and by_grant values) and
// OUTDIR/fuzz_append/ (AppendRequests: the samples again, renamed, dry runs, expected
// versions). The text targets' seeds are the example files themselves (scripts/fuzz.sh).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "grantledger/v1/ledger_service.pb.h"
#include "ledger/store/log_format.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using namespace grantledger;

void WriteSeed(const std::filesystem::path& dir, int n, const std::string& bytes) {
  std::ofstream(dir / absl::StrCat("seed-", n), std::ios::binary) << bytes;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_seeds OUTDIR\n");
    return 1;
  }
  const std::filesystem::path out(argv[1]);
  const std::vector<v1::Event>& events = fuzz::SampleEvents();

  const std::filesystem::path log_dir = out / "fuzz_log_entry";
  std::filesystem::create_directories(log_dir);
  int n = 0;
  std::string prev(kHashBytes, '\0');
  uint64_t sequence = 1;
  for (size_t start = 0; start < events.size() && n < 60;) {
    const size_t count = 1 + n % 6;
    std::string entry;
    for (size_t i = start; i < std::min(events.size(), start + count); ++i) {
      v1::EventRecord record;
      record.set_sequence(sequence++);
      record.set_recorded_time_unix_micros(1'767'225'600'000'000 + static_cast<int64_t>(i));
      record.set_prev_hash(prev);
      *record.mutable_event() = events[i];
      const std::string bytes = record.SerializeAsString();
      prev = ChainHash(prev, bytes);
      AppendLogRecord(entry, bytes, prev);
    }
    start += count;
    WriteSeed(log_dir, n++, entry);
  }
  WriteSeed(log_dir, n++, EncodeGrantIndexValue({7, 8, 12, 300}));

  const std::filesystem::path append_dir = out / "fuzz_append";
  std::filesystem::create_directories(append_dir);
  n = 0;
  for (size_t start = 0; start < events.size() && n < 80; start += 4) {
    v1::AppendRequest again, renamed;
    for (size_t i = start; i < std::min(events.size(), start + 4); ++i) {
      *again.add_events() = events[i];
      v1::Event e = events[i];
      e.set_event_id(e.event_id() + "-f");
      *renamed.add_events() = e;
    }
    WriteSeed(append_dir, n++, again.SerializeAsString());
    WriteSeed(append_dir, n++, renamed.SerializeAsString());
    renamed.set_dry_run(true);
    (*renamed.mutable_expected_versions())[renamed.events(0).grant_id()] = start;
    WriteSeed(append_dir, n++, renamed.SerializeAsString());
  }
  std::printf("fuzz_seeds: wrote seeds to %s\n", out.c_str());
  return 0;
}
