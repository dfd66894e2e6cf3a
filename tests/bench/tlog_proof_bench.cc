// Proof generation over the stored Merkle tree (ledger/store/merkle_store.h) at a given ledger
// size: a ledger of --events records (1000-event batches, not synced), reopened so the edge is
// rebuilt from the tiles, then --samples random inclusion proofs (of the head's tree),
// consistency proofs between random sizes and roots at random sizes, each timed alone; prints
// p50, p99 and max per kind, the open time and the tree's size on disk. The target:
// p99 under 1 ms at 10 million events. Each proof is verified (ledger/tlog/merkle.h), outside
// the timing.
// Usage: tlog_proof_bench [--events N] [--samples N] [--dir DIR] [--keep] [--reuse]
// --keep leaves the ledger in DIR/tlog for --reuse (a later run at the same size).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ledger/store/event_store.h"
#include "ledger/store/merkle_store.h"
#include "ledger/tlog/merkle.h"
#include "tests/bench/bench_events.h"

namespace gl = grantledger;
using Clock = std::chrono::steady_clock;

namespace {

double Micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

void Report(const char* what, std::vector<double>& micros) {
  std::sort(micros.begin(), micros.end());
  auto at = [&](double q) {
    return micros[std::min(micros.size() - 1, size_t(q * micros.size()))];
  };
  std::printf("%-22s n=%zu  p50 %8.1f us  p99 %8.1f us  max %8.1f us\n", what, micros.size(),
              at(0.50), at(0.99), micros.back());
}

uint64_t DirBytes(const std::string& path) {
  uint64_t total = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(path)) {
    if (e.is_regular_file()) total += e.file_size();
  }
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t events = 1'000'000;
  int samples = 20'000;
  std::string dir = "/tmp/grantledger-bench";
  bool keep = false;
  bool reuse = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--events") && i + 1 < argc) {
      events = std::strtoull(argv[++i], nullptr, 10);
    } else if (!std::strcmp(argv[i], "--samples") && i + 1 < argc) {
      samples = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--dir") && i + 1 < argc) {
      dir = argv[++i];
    } else if (!std::strcmp(argv[i], "--keep")) {
      keep = true;
    } else if (!std::strcmp(argv[i], "--reuse")) {
      reuse = true;
    } else {
      std::fprintf(stderr,
                   "usage: tlog_proof_bench [--events N] [--samples N] [--dir DIR] [--keep] "
                   "[--reuse]\n");
      return 1;
    }
  }
  const std::string path = dir + "/tlog";
  if (!reuse || !std::filesystem::exists(path)) {
    auto store = gl::bench::OpenBenchLedger(dir, "tlog", /*sync=*/false);
    const auto start = Clock::now();
    uint64_t n = 2;
    while (n < events) {
      std::vector<gl::v1::Event> batch;
      for (int k = 0; k < 1000 && n < events; ++k, ++n) {
        batch.push_back(gl::bench::BenchExpense(absl::StrCat("e", n)));
      }
      if (!store->Append(std::move(batch)).ok()) {
        std::fprintf(stderr, "append failed at %llu\n", static_cast<unsigned long long>(n));
        return 1;
      }
    }
    std::printf("built %llu events in %.1f s\n", static_cast<unsigned long long>(n),
                std::chrono::duration<double>(Clock::now() - start).count());
  }
  gl::EventStoreOptions options;
  options.path = path;
  const auto open_start = Clock::now();
  auto opened = gl::EventStore::Open(options);
  if (!opened.ok()) {
    std::fprintf(stderr, "open: %s\n", std::string(opened.status().message()).c_str());
    return 1;
  }
  const gl::EventStore& store = **opened;
  const gl::MerkleStore& tree = store.Tree();
  const uint64_t size = tree.size();
  std::printf("opened %llu records in %.2f s; data directory %.1f MiB\n",
              static_cast<unsigned long long>(size),
              std::chrono::duration<double>(Clock::now() - open_start).count(),
              DirBytes(path) / 1048576.0);

  std::mt19937_64 random(15);
  const std::string head_root = *tree.Root(size);
  std::vector<double> inclusion, consistency, roots;
  uint64_t failures = 0;
  for (int i = 0; i < samples; ++i) {
    const uint64_t leaf = random() % size;
    auto t0 = Clock::now();
    auto proof = tree.InclusionProof(leaf, size);
    inclusion.push_back(Micros(Clock::now() - t0));
    auto record = store.Read(leaf + 1);
    if (!proof.ok() || !record.ok() ||
        !gl::VerifyMerkleInclusion(gl::MerkleLeafHash(record->hash()), leaf, size, *proof,
                                   head_root)
             .ok()) {
      ++failures;
    }
    const uint64_t first = 1 + random() % size;
    const uint64_t second = first + random() % (size - first + 1);
    t0 = Clock::now();
    auto cproof = tree.ConsistencyProof(first, second);
    consistency.push_back(Micros(Clock::now() - t0));
    t0 = Clock::now();
    auto first_root = tree.Root(first);
    roots.push_back(Micros(Clock::now() - t0));
    auto second_root = tree.Root(second);
    if (!cproof.ok() || !first_root.ok() || !second_root.ok() ||
        !gl::VerifyMerkleConsistency(first, second, *first_root, *second_root, *cproof).ok()) {
      ++failures;
    }
  }
  Report("inclusion proof", inclusion);
  Report("consistency proof", consistency);
  Report("root at a size", roots);
  std::printf("verification failures: %llu\n", static_cast<unsigned long long>(failures));
  opened->reset();
  if (!keep) std::filesystem::remove_all(path);
  return failures == 0 ? 0 : 1;
}
