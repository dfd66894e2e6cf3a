// Kills a child process with SIGKILL while it appends, then reopens the ledger: every event
// the child had acknowledged (reported through a pipe after Append returned) is there, and
// the hash chain is intact.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/store/event_store.h"
#include "tests/test_support.h"

namespace grantledger {
namespace {

using ::grantledger::testing::Allocate;
using ::grantledger::testing::IsOk;
using ::grantledger::testing::Receipt;
using ::grantledger::testing::RegisterGrant;
using ::grantledger::testing::Spend;
using ::grantledger::testing::TempDir;

constexpr char kGrant[] = "RS/229/2025";

[[noreturn]] void ChildAppends(const std::string& path, int write_fd) {
  EventStoreOptions options;
  options.path = path;
  options.checkpoint_interval_events = 50;  // checkpoints are written mid-load too
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
    std::vector<v1::Event> batch;
    for (int k = 0; k < 1 + static_cast<int>(i % 3); ++k) {
      batch.push_back(Spend(absl::StrCat("s", i, "-", k), kGrant, 100, "p7", "HS Kir"));
    }
    auto r = (*store)->Append(batch);
    if (!r.ok()) _exit(4);
    uint64_t acknowledged = r->sequences.back();
    if (write(write_fd, &acknowledged, sizeof acknowledged) != sizeof acknowledged) _exit(5);
  }
}

TEST(CrashRecoveryTest, AcknowledgedEventsSurviveSigkill) {
  TempDir dir;
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    ChildAppends(dir.path(), fds[1]);
  }
  close(fds[1]);
  uint64_t last_acknowledged = 0;
  uint64_t value;
  while (last_acknowledged < 300 && read(fds[0], &value, sizeof value) == sizeof value) {
    last_acknowledged = value;
  }
  ASSERT_EQ(kill(child, SIGKILL), 0);
  // Drain what was acknowledged before the kill landed.
  while (read(fds[0], &value, sizeof value) == sizeof value) last_acknowledged = value;
  close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child ended on its own with " << status;
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

}  // namespace
}  // namespace grantledger
