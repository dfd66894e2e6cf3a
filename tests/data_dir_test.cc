// The data directory's hygiene (ledger/store/data_dir.h): created private, warned about when it is
// not, and a full disk at open refused with exit 3 and a message rather than an abort.
#include "ledger/store/data_dir.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/store/event_store.h"
#include "tests/test_support.h"

namespace grantledger {
namespace {

using ::grantledger::testing::IsOk;
using ::grantledger::testing::Receipt;
using ::grantledger::testing::RegisterGrant;
using ::grantledger::testing::TempDir;
using ::testing::HasSubstr;

constexpr char kGrant[] = "RS/229/2025";

mode_t ModeOf(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

// Sets the process umask for a scope (as a shell with the usual 022 would have it).
class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask) : old_(::umask(mask)) {}
  ~ScopedUmask() { ::umask(old_); }

 private:
  mode_t old_;
};

// Issue 13, hole 12: the data directory was 0755 and its files 0644.
TEST(DataDirTest, ANewLedgerIsPrivate) {
  ScopedUmask usual(022);
  TempDir dir;
  const std::string path = dir.Sub("parent/ledger");
  {
    EventStoreOptions options;
    options.path = path;
    auto store = EventStore::Open(options);
    ASSERT_THAT(store, IsOk());
    ASSERT_THAT((*store)->Append({RegisterGrant("reg", kGrant, 1'000'00)}), IsOk());
    ASSERT_THAT((*store)->WriteCheckpoint(), IsOk());
  }
  EXPECT_EQ(ModeOf(path), 0700u);
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(path)) {
    ++files;
    EXPECT_EQ(ModeOf(entry.path().string()) & 077, 0u) << entry.path();
  }
  EXPECT_GT(files, 5);
}

TEST(DataDirTest, AnOpenDirectoryIsWarnedAbout) {
  ScopedUmask usual(022);
  TempDir dir;
  const std::string path = dir.Sub("ledger");
  {
    EventStoreOptions options;
    options.path = path;
    ASSERT_THAT(EventStore::Open(options), IsOk());
  }
  auto open_and_warnings = [&] {
    std::vector<std::string> warnings;
    EventStoreOptions options;
    options.path = path;
    options.read_only = true;
    options.warn = [&warnings](absl::string_view w) { warnings.emplace_back(w); };
    EXPECT_THAT(EventStore::Open(options), IsOk());
    return warnings;
  };
  EXPECT_TRUE(open_and_warnings().empty());
  ASSERT_EQ(::chmod(path.c_str(), 0755), 0);
  auto warnings = open_and_warnings();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0], HasSubstr("mode 0755"));
  EXPECT_THAT(warnings[0], HasSubstr("chmod -R go= " + path));
  ASSERT_EQ(::chmod(path.c_str(), 0700), 0);
  ASSERT_EQ(::chmod((path + "/CURRENT").c_str(), 0644), 0);
  warnings = open_and_warnings();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0], HasSubstr("can be read by others"));
}

// A small tmpfs, mounted for the test (root only) and unmounted after. Larger than the 64 MiB
// the store keeps free for appends (EventStoreOptions::disk_reserve_bytes), so that a ledger
// can be written on it before it is filled.
class SmallDisk {
 public:
  explicit SmallDisk(const std::string& path) : path_(path) {
    std::filesystem::create_directories(path);
    mounted_ = ::mount("tmpfs", path.c_str(), "tmpfs", 0, "size=256M") == 0;
    if (!mounted_) error_ = std::strerror(errno);
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }
  // Writes a file until the disk is full.
  void Fill() {
    std::ofstream out(path_ + "/filler", std::ios::binary);
    const std::string block(4096, 'x');
    while (out.write(block.data(), block.size())) {
    }
  }
  void Free() { std::filesystem::remove(path_ + "/filler"); }

 private:
  std::string path_;
  bool mounted_ = false;
  std::string error_;
};

struct Result {
  int exit_code = -1;
  std::string err;
};

Result RunCli(const std::string& args, const std::string& scratch) {
  const std::string err = scratch + "/stderr";
  const std::string command = absl::StrCat(GRANTLEDGER_BINARY_DIR, "/cli/grantledger ", args,
                                           " > /dev/null 2> ", err, " < /dev/null");
  const int status = std::system(command.c_str());
  Result r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(err);
  std::stringstream s;
  s << in.rdbuf();
  r.err = s.str();
  return r;
}

// Issue 13, hole 7: opening a ledger on a full disk aborted (SIGABRT in RocksDB).
TEST(DataDirTest, AFullDiskAtOpenIsRefusedWithExit3) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting a small tmpfs needs root";
  TempDir dir;
  SmallDisk disk(dir.Sub("disk"));
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here: " << disk.error();
  const std::string events = absl::StrCat(GRANTLEDGER_SOURCE_DIR, "/examples/sample-grants.jsonl");
  // An existing ledger whose disk has filled up since.
  const std::string existing = dir.Sub("disk/existing");
  Result posted = RunCli(absl::StrCat("post ", events, " --db ", existing), dir.path());
  ASSERT_EQ(posted.exit_code, 0) << posted.err;
  disk.Fill();
  Result reopened = RunCli(absl::StrCat("post ", events, " --db ", existing), dir.path());
  EXPECT_EQ(reopened.exit_code, 3) << reopened.err;
  EXPECT_THAT(reopened.err, HasSubstr("full"));
  EXPECT_THAT(reopened.err, HasSubstr(existing));
  // A new ledger on the full disk.
  const std::string fresh = dir.Sub("disk/fresh");
  Result created = RunCli(absl::StrCat("post ", events, " --db ", fresh), dir.path());
  EXPECT_EQ(created.exit_code, 3) << created.err;
  EXPECT_THAT(created.err, HasSubstr("full"));
  // With space again, the existing ledger opens and verifies whole.
  disk.Free();
  Result verified = RunCli("verify --db " + existing, dir.path());
  EXPECT_EQ(verified.exit_code, 0) << verified.err;
  Result again = RunCli(absl::StrCat("post ", events, " --db ", existing), dir.path());
  EXPECT_EQ(again.exit_code, 0) << again.err;
}

}  // namespace
}  // namespace grantledger
