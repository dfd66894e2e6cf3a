// Kills a child process with SIGKILL while it appends, then reopens the ledger: every event
// the child had acknowledged (reported through a pipe after Append returned) is there, and
// the hash chain is intact.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/store/event_store.h"
#include "tests/derived_checks.h"
#include "tests/test_support.h"

namespace grantledger {
namespace {

using ::grantledger::testing::Allocate;
using ::grantledger::testing::ExpectDerivedIntact;
using ::grantledger::testing::IsOk;
using ::grantledger::testing::Receipt;
using ::grantledger::testing::RegisterGrant;
using ::grantledger::testing::Spend;
using ::grantledger::testing::TempDir;

constexpr char kGrant[] = "RS/229/2025";

// Batch i of the child: 1 to 3 spends with ids "s<i>-<k>".
std::vector<v1::Event> ChildBatch(uint64_t i) {
  std::vector<v1::Event> batch;
  for (int k = 0; k < 1 + static_cast<int>(i % 3); ++k) {
    batch.push_back(Spend(absl::StrCat("s", i, "-", k), kGrant, 100, "p7", "HS Kir"));
  }
  return batch;
}

[[noreturn]] void ChildAppends(const std::string& path, int write_fd, size_t id_run_size) {
  EventStoreOptions options;
  options.path = path;
  options.checkpoint_interval_events = 50;  // checkpoints are written mid-load too
  options.id_run_size = id_run_size;
  auto store = EventStore::Open(options);
  if (!store.ok()) _exit(2);
  if (!(*store)
           ->Append({RegisterGrant("reg", kGrant, 1'000'000'00),
                     Receipt("rec", kGrant, 1'000'000'00),
                     Allocate("a", kGrant, 1'000'000'00, "p7", "HS Kir")})
           .ok()) {
    _exit(3);
  }
  for (uint64_t i = 0;; ++i) {
    auto r = (*store)->Append(ChildBatch(i));
    if (!r.ok()) _exit(4);
    uint64_t acknowledged = r->sequences.back();
    if (write(write_fd, &acknowledged, sizeof acknowledged) != sizeof acknowledged) _exit(5);
  }
}

// Starts the child on `path`, kills it once it has acknowledged `at_least` records, and
// returns the last acknowledged sequence and how many batches were acknowledged.
std::pair<uint64_t, uint64_t> RunAndKillChild(const std::string& path, uint64_t at_least,
                                              size_t id_run_size) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  pid_t child = fork();
  EXPECT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    ChildAppends(path, fds[1], id_run_size);
  }
  close(fds[1]);
  uint64_t last_acknowledged = 0;
  uint64_t batches = 0;
  uint64_t value;
  while (last_acknowledged < at_least && read(fds[0], &value, sizeof value) == sizeof value) {
    last_acknowledged = value;
    ++batches;
  }
  EXPECT_EQ(kill(child, SIGKILL), 0);
  // Drain what was acknowledged before the kill landed.
  while (read(fds[0], &value, sizeof value) == sizeof value) {
    last_acknowledged = value;
    ++batches;
  }
  close(fds[0]);
  int status = 0;
  EXPECT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status)) << "the child ended on its own with " << status;
  return {last_acknowledged, batches};
}

TEST(CrashRecoveryTest, AcknowledgedEventsSurviveSigkill) {
  TempDir dir;
  const auto [last_acknowledged, batches] = RunAndKillChild(dir.path(), 300, 1 << 16);
  ASSERT_GE(last_acknowledged, 300u);

  EventStoreOptions options;
  options.path = dir.path();
  options.check_invariants = true;
  auto store = EventStore::Open(options);
  ASSERT_THAT(store, IsOk());
  EXPECT_GE((*store)->Head().sequence, last_acknowledged);
  for (uint64_t s = 1; s <= last_acknowledged; ++s) ASSERT_THAT((*store)->Read(s), IsOk()) << s;
  auto verified = (*store)->Verify(0, 0);
  ASSERT_THAT(verified, IsOk());
  EXPECT_TRUE(verified->ok) << verified->problem;
  auto replayed = (*store)->Replay(0);
  ASSERT_THAT(replayed, IsOk());
  EXPECT_EQ(*replayed, (*store)->State());
  // And the ledger takes new appends after the crash.
  EXPECT_THAT((*store)->Append({Spend("after-crash", kGrant, 1, "p7", "HS Kir")}), IsOk());
}

// The id index is written in runs on a thread of its own (a run every 16 ids here), so the kill
// lands with ids held only in memory, a run half written, or a run in whose mark is not. The
// crashed directory verifies as it is, and after a writable open every acknowledged batch,
// sent again, is recognised: nothing is posted twice.
TEST(CrashRecoveryTest, RetriesAfterSigkillAreRecognisedWhileIdRunsAreWritten) {
  TempDir dir;
  const auto [last_acknowledged, batches] = RunAndKillChild(dir.path(), 2000, 16);
  ASSERT_GE(last_acknowledged, 2000u);
  {
    EventStoreOptions crashed;
    crashed.path = dir.path();
    ASSERT_NO_FATAL_FAILURE(ExpectDerivedIntact(crashed));
  }
  EventStoreOptions options;
  options.path = dir.path();
  options.id_run_size = 16;
  auto store = EventStore::Open(options);
  ASSERT_THAT(store, IsOk());
  const uint64_t head = (*store)->Head().sequence;
  ASSERT_GE(head, last_acknowledged);
  for (uint64_t i = 0; i < batches; ++i) {
    auto retried = (*store)->Append(ChildBatch(i));
    ASSERT_THAT(retried, IsOk()) << "batch " << i;
    for (bool duplicate : retried->duplicates) ASSERT_TRUE(duplicate) << "batch " << i;
  }
  EXPECT_EQ((*store)->Head().sequence, head) << "an acknowledged batch was posted twice";
  auto derived = (*store)->VerifyDerived();
  ASSERT_THAT(derived, IsOk());
  EXPECT_TRUE(derived->ok) << derived->problem;
}

}  // namespace
}  // namespace grantledger
