// Writes the as-of benchmark's ledger (as_of_ledger_events.h) as JSON Lines that
// `grantledger post` accepts: the input of scripts/measure-cli.sh.
// Usage: make_events [--events N] [--grants G] [--out FILE]   (default 1 000 000, 20, stdout)
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "google/protobuf/util/json_util.h"
#include "tests/bench/as_of_ledger_events.h"

int main(int argc, char** argv) {
  uint64_t events = 1'000'000;
  int grants = 20;
  std::string out_path;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--events") && i + 1 < argc) {
      events = std::strtoull(argv[++i], nullptr, 10);
    } else if (!std::strcmp(argv[i], "--grants") && i + 1 < argc) {
      grants = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--out") && i + 1 < argc) {
      out_path = argv[++i];
    } else {
      std::fprintf(stderr,
                   "make_events: unknown argument %s; usage: make_events [--events N] "
                   "[--grants G] [--out FILE]\n",
                   argv[i]);
      return 1;
    }
  }
  if (grants < 1) {
    std::fprintf(stderr, "make_events: --grants must be at least 1\n");
    return 1;
  }
  std::FILE* out = out_path.empty() ? stdout : std::fopen(out_path.c_str(), "wb");
  if (out == nullptr) {
    std::fprintf(stderr, "make_events: cannot write %s\n", out_path.c_str());
    return 1;
  }
  google::protobuf::util::JsonPrintOptions json;
  json.preserve_proto_field_names = true;
  grantledger::bench::AsOfLedgerEvents source(events, grants);
  grantledger::v1::Event e;
  std::string line;
  while (source.Next(&e)) {
    line.clear();
    if (!google::protobuf::util::MessageToJsonString(e, &line, json).ok()) {
      std::fprintf(stderr, "make_events: cannot print an event as JSON\n");
      return 1;
    }
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), out);
  }
  if (std::fflush(out) != 0 || std::ferror(out)) {
    std::fprintf(stderr, "make_events: writing failed (disk full?)\n");
    return 1;
  }
  if (out != stdout) std::fclose(out);
  return 0;
}
