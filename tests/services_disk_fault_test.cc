// Disk faults under the real grantledgerd, its data directory on a small tmpfs of its own:
// the disk fills under load (appends fail cleanly with UNAVAILABLE, nothing acknowledged is
// lost, the server stays up, health says appends are refused, and appends and health resume
// once space is freed), and the data directory turns read-only. Mounting needs root: as another
// user these tests skip, saying why.
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/store/event_store.h"
#include "tests/grpc_child_server.h"
#include "tests/grpc_test_support.h"

namespace grantledger::testing {
namespace {

using ::testing::AnyOf;
using ::testing::HasSubstr;

constexpr char kGrant[] = "RS/229/2025";

class DiskFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) {
      GTEST_SKIP() << "the disk-fault tests mount a small tmpfs, which needs root; run the "
                      "suite as root to include them";
    }
    mount_point_ = dir_.Sub("mnt");
    std::filesystem::create_directories(mount_point_);
    if (::mount("tmpfs", mount_point_.c_str(), "tmpfs", 0, "size=320m,mode=0700") != 0) {
      GTEST_SKIP() << "cannot mount a tmpfs at " << mount_point_ << " (" << std::strerror(errno)
                   << "): this environment lacks CAP_SYS_ADMIN";
    }
    mounted_ = true;
    data_dir_ = mount_point_ + "/data";
  }
  void TearDown() override {
    server_.reset();
    if (mounted_ && ::umount2(mount_point_.c_str(), MNT_DETACH) != 0) {
      ADD_FAILURE() << "umount " << mount_point_ << ": " << std::strerror(errno);
    }
  }

  void StartServer() {
    auto child =
        ChildServer::Start(data_dir_, dir_.Sub(absl::StrCat("grantledgerd-", ++starts_, ".log")));
    ASSERT_TRUE(child.ok()) << child.status();
    server_ = std::move(*child);
    ledger_ = v1::LedgerService::NewStub(NewChannel(server_->address()));
  }
  grpc::Status Append(const std::vector<v1::Event>& events, v1::AppendResponse* response) {
    return AppendEvents(*ledger_, events, response);
  }
  // gRPC health's answer for `service` once it is `wanted`, or after 30 s (grantledgerd asks its
  // store every 2 s; RocksDB looks for freed space every few seconds).
  int AwaitHealth(const std::string& service, int wanted) {
    return testing::AwaitHealth(NewChannel(server_->address()), service, wanted);
  }
  // Fills the tmpfs with a file until fewer than `leave_bytes` are free.
  void Fill(uint64_t leave_bytes, const std::string& name = "filler") {
    const std::filesystem::space_info space = std::filesystem::space(mount_point_);
    ASSERT_GT(space.available, leave_bytes);
    std::ofstream filler(mount_point_ + "/" + name, std::ios::binary);
    const std::string block(1 << 16, 'x');
    for (uint64_t left = space.available - leave_bytes; left > 0;) {
      const uint64_t n = std::min<uint64_t>(left, block.size());
      filler.write(block.data(), static_cast<std::streamsize>(n));
      left -= n;
    }
  }

  TempDir dir_;
  std::string mount_point_;
  std::string data_dir_;
  bool mounted_ = false;
  int starts_ = 0;
  std::unique_ptr<ChildServer> server_;
  std::unique_ptr<v1::LedgerService::Stub> ledger_;
};

TEST_F(DiskFaultTest, AFullDiskRefusesAppendsCleanlyLosesNothingAndResumesWhenFreed) {
  StartServer();
  v1::AppendResponse response;
  ASSERT_TRUE(Append({RegisterGrant("reg", kGrant, 1'000'000'000'00)}, &response).ok());
  Fill(/*leave_bytes=*/72 << 20);  // 8 MiB above the store's 64 MiB reserve

  // Append batches of 20 events (each with a 1000-byte text) until the disk refuses them.
  std::map<std::string, uint64_t> acknowledged;  // event_id -> sequence
  grpc::Status refused;
  std::vector<v1::Event> refused_batch;
  for (int i = 0; i < 100'000 && refused.ok(); ++i) {
    std::vector<v1::Event> batch;
    for (int k = 0; k < 20; ++k) {
      v1::Event e = Spend(absl::StrCat("s", i, "-", k), kGrant, 1 + k);
      e.mutable_expense()->set_text(std::string(1000, 'a' + k % 26));
      batch.push_back(std::move(e));
    }
    grpc::Status s = Append(batch, &response);
    if (!s.ok()) {
      refused = s;
      refused_batch = batch;
      break;
    }
    for (int k = 0; k < 20; ++k) acknowledged[batch[k].event_id()] = response.sequences(k);
  }
  ASSERT_FALSE(refused.ok()) << "the disk never filled";
  EXPECT_GT(acknowledged.size(), 0u);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE) << refused.error_message();
  // Refused by the store's reserve check, or by RocksDB when a memtable flush ran out of space
  // first: either way UNAVAILABLE, and nothing of the batch written.
  EXPECT_THAT(refused.error_message(),
              AnyOf(HasSubstr("is full"), HasSubstr("No space left on device")));
  EXPECT_THAT(refused.error_message(), HasSubstr("nothing of this batch was written"));
  // The server is still up, and still answers queries.
  EXPECT_FALSE(server_->WaitForExit(absl::ZeroDuration()).has_value()) << server_->Log();

  // Space returns: the same batch is accepted again (retried until the store has resumed).
  std::filesystem::remove(mount_point_ + "/filler");
  grpc::Status retried;
  const auto start = std::chrono::steady_clock::now();
  do {
    retried = Append(refused_batch, &response);
    if (retried.ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  } while (std::chrono::steady_clock::now() - start < std::chrono::seconds(60));
  ASSERT_TRUE(retried.ok()) << "appends did not resume once space was freed: "
                            << retried.error_message() << "\nlog:\n"
                            << server_->Log();
  for (size_t k = 0; k < refused_batch.size(); ++k) {
    acknowledged[refused_batch[k].event_id()] = response.sequences(k);
  }

  // Stopped cleanly, reopened: everything acknowledged is there, the chain verifies.
  ASSERT_TRUE(server_->Signal(SIGTERM));
  auto status = server_->WaitForExit(absl::Seconds(30));
  ASSERT_TRUE(status.has_value() && WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
      << server_->Log();
  EventStoreOptions options;
  options.path = data_dir_;
  auto store = EventStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  for (const auto& [id, sequence] : acknowledged) {
    auto recorded = (*store)->Read(sequence);
    ASSERT_TRUE(recorded.ok()) << id << " at " << sequence << ": " << recorded.status();
    EXPECT_EQ(recorded->record().event().event_id(), id);
  }
  EXPECT_EQ((*store)->Head().sequence, acknowledged.size() + 1);
  auto verified = (*store)->Verify(0, 0);
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_TRUE(verified->ok) << verified->problem;
}

// A disk filled to 2 MiB above the store's 64 MiB reserve. The next flush's table file does not
// fit (RocksDB preallocates about 70 MiB for it), or else the reserve check refuses: either way
// appends are refused (the disk is then filled further, to stay so), and grantledgerd's health
// says so for "" and the LedgerService while the
// reads serve; once space is freed, health turns back by itself and appends are taken.
TEST_F(DiskFaultTest, WhileAFullDiskRefusesAppendsHealthSaysSoAndTurnsBackWhenFreed) {
  StartServer();
  v1::AppendResponse response;
  ASSERT_TRUE(Append({RegisterGrant("reg", kGrant, 1'000'000'000'00)}, &response).ok());
  EXPECT_EQ(AwaitHealth("", 1), 1);
  Fill(/*leave_bytes=*/66 << 20);
  grpc::Status refused;
  for (int i = 0; i < 1000 && refused.ok(); ++i) {  // batches of about 100 KiB
    std::vector<v1::Event> batch;
    for (int k = 0; k < 100; ++k) {
      v1::Event e = Spend(absl::StrCat("s", i, "-", k), kGrant, 1);
      e.mutable_expense()->set_text(std::string(1000, 'a'));
      batch.push_back(std::move(e));
    }
    refused = Append(batch, &response);
  }
  ASSERT_FALSE(refused.ok()) << "the disk never filled";
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(refused.error_message(),
              AnyOf(HasSubstr("in reserve"), HasSubstr("No space left on device")));
  // A flush under way when the reserve check refused can end and give back its preallocated
  // space, and with it the reserve (appends are then taken again, rightly). Fill further, so
  // that the disk stays below the reserve until the test frees it.
  if (std::filesystem::space(mount_point_).available > (40 << 20)) Fill(32 << 20, "filler2");
  EXPECT_EQ(AwaitHealth("", 2), 2)
      << "NOT_SERVING while appends are refused (" << refused.error_message() << ")\n"
      << server_->Log();
  EXPECT_EQ(AwaitHealth("grantledger.v1.LedgerService", 2), 2);
  EXPECT_EQ(AwaitHealth("grantledger.v1.QueryService", 1), 1) << "reads still work";

  std::filesystem::remove(mount_point_ + "/filler");
  std::filesystem::remove(mount_point_ + "/filler2");
  EXPECT_EQ(AwaitHealth("", 1), 1) << "SERVING again once space is freed\n" << server_->Log();
  EXPECT_EQ(AwaitHealth("grantledger.v1.LedgerService", 1), 1);
  grpc::Status after = Append({Spend("after", kGrant, 1)}, &response);
  EXPECT_TRUE(after.ok()) << after.error_message();
}

TEST_F(DiskFaultTest, AReadOnlyDataDirectoryIsRefusedByTheServerAndReadableByQueries) {
  StartServer();
  v1::AppendResponse response;
  ASSERT_TRUE(
      Append({RegisterGrant("reg", kGrant, 1'000'000'00), Receipt("rec", kGrant, 1'000'000'00)},
             &response)
          .ok());
  ASSERT_TRUE(server_->Signal(SIGTERM));
  ASSERT_TRUE(server_->WaitForExit(absl::Seconds(30)).has_value());
  server_.reset();
  ASSERT_EQ(::mount(nullptr, mount_point_.c_str(), nullptr, MS_REMOUNT | MS_RDONLY, nullptr), 0)
      << std::strerror(errno);

  // The server cannot write there: it says so and exits 3.
  auto child = ChildServer::Start(data_dir_, dir_.Sub("grantledgerd-ro.log"));
  ASSERT_FALSE(child.ok()) << "grantledgerd started on a read-only data directory";
  EXPECT_THAT(std::string(child.status().message()), HasSubstr("(exit code 3)"));
  EXPECT_THAT(std::string(child.status().message()), HasSubstr("cannot start"));
  EXPECT_THAT(std::string(child.status().message()),
              AnyOf(HasSubstr("Read-only file system"), HasSubstr("read-only")));

  // A writable open fails with Unavailable (exit 3 in the CLI), a read-only one works.
  EventStoreOptions options;
  options.path = data_dir_;
  auto writable = EventStore::Open(options);
  EXPECT_FALSE(writable.ok());
  if (!writable.ok()) {
    EXPECT_EQ(writable.status().code(), absl::StatusCode::kUnavailable);
  }
  options.read_only = true;
  auto reader = EventStore::Open(options);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ((*reader)->Head().sequence, 2u);
  auto verified = (*reader)->Verify(0, 0);
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_TRUE(verified->ok);
}

}  // namespace
}  // namespace grantledger::testing
