// The head note (ledger/store/head_note.h) and what it guards: a byte changed in the write-ahead
// log refuses the open naming the acknowledged records that cannot be recovered; a write torn by a
// crash (never acknowledged) is the only loss tolerated; a missing or damaged note.
#include "ledger/store/head_note.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/ledger_state.h"
#include "ledger/store/event_store.h"
#include "tests/test_support.h"

namespace grantledger {
namespace {

using ::grantledger::testing::Allocate;
using ::grantledger::testing::IsOk;
using ::grantledger::testing::ReadFileBytes;
using ::grantledger::testing::Receipt;
using ::grantledger::testing::RegisterGrant;
using ::grantledger::testing::Spend;
using ::grantledger::testing::StatusIs;
using ::grantledger::testing::TempDir;
using ::testing::HasSubstr;

constexpr char kGrant[] = "RS/229/2025";

std::vector<v1::Event> GrantSetup() {
  return {RegisterGrant("reg", kGrant, 1'000'000'00), Receipt("rec", kGrant, 1'000'000'00),
          Allocate("a1", kGrant, 600'000'00, "p7", "HS Kir")};
}

absl::StatusOr<std::unique_ptr<EventStore>> Open(const std::string& path, bool read_only,
                                                 std::vector<std::string>* warnings = nullptr) {
  EventStoreOptions options;
  options.path = path;
  options.read_only = read_only;
  options.flush_on_close = false;  // the records stay in the write-ahead log, for its cases
  options.warn = [warnings](absl::string_view w) {
    if (warnings != nullptr) warnings->emplace_back(w);
  };
  return EventStore::Open(options);
}

// The data directory's write-ahead log file (RocksDB keeps one current *.log).
std::string WalFile(const std::string& dir) {
  std::string best;
  uintmax_t best_size = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".log") continue;
    if (best.empty() || entry.file_size() > best_size) {
      best = entry.path().string();
      best_size = entry.file_size();
    }
  }
  return best;
}

// Waits for the write that follows an append's (its ids and Merkle tiles, after the answer):
// the tree answers at the head only once it is done.
void Settle(const EventStore& store) { (void)store.Tree(); }

bool HasTableFiles(const std::string& dir) {
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".sst") return true;
  }
  return false;
}

void FlipByte(const std::string& file, uintmax_t offset) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  ASSERT_TRUE(f.good()) << file;
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  f.read(&c, 1);
  c = static_cast<char>(c ^ 0x20);
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(&c, 1);
}

MATCHER_P(NamesRecord, sequence, "") {
  return std::regex_search(arg, std::regex(absl::StrCat("records? ", sequence, "([^0-9]|$)")));
}

TEST(HeadNoteTest, SlotsCarryTheirOwnCheck) {
  const Digest head{1721, std::string(32, '\x5a')};
  const std::string slot = EncodeHeadNoteSlot(head);
  ASSERT_EQ(slot.size(), 64u);
  auto decoded = DecodeHeadNoteSlot(slot);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->sequence, 1721u);
  EXPECT_EQ(decoded->head_hash, head.head_hash);
  for (size_t i = 0; i < slot.size(); ++i) {
    std::string changed = slot;
    changed[i] ^= 0x04;
    EXPECT_FALSE(DecodeHeadNoteSlot(changed).has_value()) << "byte " << i;
  }
  EXPECT_FALSE(DecodeHeadNoteSlot(std::string(64, '\0')).has_value());
}

TEST(HeadNoteTest, EveryAcknowledgedHeadIsNoted) {
  TempDir dir;
  auto store = Open(dir.path(), false);
  ASSERT_THAT(store, IsOk());
  auto noted = HeadNote::Read(dir.path());
  ASSERT_THAT(noted, IsOk());
  ASSERT_TRUE(noted->has_value());
  EXPECT_EQ((*noted)->sequence, 0u);
  EXPECT_EQ((*noted)->head_hash, GenesisHash());
  ASSERT_THAT((*store)->Append(GrantSetup()), IsOk());
  for (int i = 0; i < 5; ++i) {
    auto appended = (*store)->Append({Spend(absl::StrCat("s", i), kGrant, 10 + i, "p7", "HS Kir")});
    ASSERT_THAT(appended, IsOk());
    noted = HeadNote::Read(dir.path());
    ASSERT_THAT(noted, IsOk());
    ASSERT_TRUE(noted->has_value());
    EXPECT_EQ((*noted)->sequence, appended->head.sequence);
    EXPECT_EQ((*noted)->head_hash, appended->head.head_hash);
  }
  // The note is private like the rest of the directory.
  struct stat st;
  ASSERT_EQ(::stat(absl::StrCat(dir.path(), "/", kHeadNoteFileName).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 077, 0u);
}

// The order under load, where a change to the write path (e.g. syncing the note on another
// thread) would most easily break it: every callback of AppendAsync, and every synchronous
// caller among them, finds its head already in the note when it hears of its write.
TEST(HeadNoteTest, EveryAcknowledgementFromManyCallersFollowsItsNote) {
  TempDir dir;
  auto store = Open(dir.path(), false);
  ASSERT_THAT(store, IsOk());
  ASSERT_THAT((*store)->Append(GrantSetup()), IsOk());
  // The noted sequence, or 0 when the note cannot be read.
  auto noted_sequence = [&] {
    auto noted = HeadNote::Read(dir.path());
    return noted.ok() && noted->has_value() ? (*noted)->sequence : 0;
  };
  constexpr int kAsync = 300;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25;
  absl::Mutex mu;
  int answered = 0;
  std::vector<std::string> behind;
  for (int i = 0; i < kAsync; ++i) {
    (*store)->AppendAsync(
        std::vector<v1::Event>{Spend(absl::StrCat("async", i), kGrant, 1, "p7", "HS Kir")}, {},
        [&](absl::StatusOr<AppendResult> result) {
          const uint64_t noted = noted_sequence();
          absl::MutexLock lock(&mu);
          ++answered;
          if (!result.ok()) {
            behind.push_back(std::string(result.status().message()));
          } else if (noted < result->head.sequence) {
            behind.push_back(absl::StrCat("async head ", result->head.sequence, ", noted ", noted));
          }
        });
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto appended =
            (*store)->Append({Spend(absl::StrCat("sync", t, "-", i), kGrant, 1, "p7", "HS Kir")});
        const uint64_t noted = noted_sequence();
        absl::MutexLock lock(&mu);
        if (!appended.ok()) {
          behind.push_back(std::string(appended.status().message()));
        } else if (noted < appended->head.sequence) {
          behind.push_back(absl::StrCat("sync head ", appended->head.sequence, ", noted ", noted));
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  {
    absl::MutexLock lock(&mu);
    auto all_answered = [&] { return answered == kAsync; };
    mu.Await(absl::Condition(&all_answered));
    EXPECT_THAT(behind, ::testing::IsEmpty());
  }
  EXPECT_EQ((*store)->Head().sequence, 3u + kAsync + kThreads * kPerThread);
  EXPECT_EQ(noted_sequence(), (*store)->Head().sequence);
}

TEST(HeadNoteTest, WithoutNotingEveryWriteTheCloseNotesTheHead) {
  TempDir dir;
  EventStoreOptions options;
  options.path = dir.path();
  options.note_every_write = false;
  Digest head;
  {
    auto store = EventStore::Open(options);
    ASSERT_THAT(store, IsOk());
    auto appended = (*store)->Append(GrantSetup());
    ASSERT_THAT(appended, IsOk());
    head = appended->head;
    EXPECT_EQ((*HeadNote::Read(dir.path()))->sequence, 0u);
  }
  auto noted = HeadNote::Read(dir.path());
  ASSERT_THAT(noted, IsOk());
  EXPECT_EQ((*noted)->sequence, head.sequence);
  EXPECT_EQ((*noted)->head_hash, head.head_hash);
}

// Issue 13, hole 1: a flipped byte in the middle of the write-ahead log made the next open
// recover only the records before it, silently, and `verify` said intact.
TEST(HeadNoteTest, AByteChangedInTheWriteAheadLogRefusesTheOpenNamingTheLostRecords) {
  TempDir dir;
  const std::string original = dir.Sub("original");
  // (size of the write-ahead log after the append, the append's first sequence)
  std::vector<std::pair<uintmax_t, uint64_t>> appends;
  uint64_t head = 0;
  {
    auto store = Open(original, false);
    ASSERT_THAT(store, IsOk());
    auto setup = (*store)->Append(GrantSetup());
    ASSERT_THAT(setup, IsOk());
    Settle(**store);
    appends.emplace_back(std::filesystem::file_size(WalFile(original)), 1);
    for (int i = 0; i < 40; ++i) {
      auto appended =
          (*store)->Append({Spend(absl::StrCat("s", i), kGrant, 100 + i, "p7", "HS Kir")});
      ASSERT_THAT(appended, IsOk());
      Settle(**store);
      appends.emplace_back(std::filesystem::file_size(WalFile(original)),
                           appended->sequences.front());
      head = appended->head.sequence;
    }
  }
  // No memtable was flushed: the records are only in the write-ahead log.
  ASSERT_FALSE(HasTableFiles(original));
  const uintmax_t wal_size = std::filesystem::file_size(WalFile(original));
  // Each append wrote its record, then its id and tree entries (a second, smaller write): a
  // byte 40 bytes into an append's part of the log is in its record, so that record is the
  // first lost. Past the last append's part, only the checkpoint written on close is hit.
  for (double fraction : {0.05, 0.3, 0.5, 0.7, 0.9, 1.0}) {
    const size_t k = static_cast<size_t>(static_cast<double>(appends.size() - 1) * fraction);
    uintmax_t offset = appends[k].first + 40;  // after append k, in append k + 1's record
    uint64_t first_lost = k + 1 < appends.size() ? appends[k + 1].second : 0;
    ASSERT_LT(offset, wal_size);
    for (bool read_only : {true, false}) {
      SCOPED_TRACE(absl::StrCat("byte ", offset, " of ", wal_size, read_only ? ", read-only" : ""));
      const std::string copy = dir.Sub(absl::StrCat("copy", offset, read_only));
      std::filesystem::copy(original, copy, std::filesystem::copy_options::recursive);
      FlipByte(WalFile(copy), offset);
      auto store = Open(copy, read_only);
      if (first_lost == 0) {
        // The byte was in the checkpoint written on close, after every acknowledged record:
        // nothing acknowledged is lost, and the ledger opens whole.
        ASSERT_THAT(store, IsOk());
        EXPECT_EQ((*store)->Head().sequence, head);
        EXPECT_TRUE((*store)->Verify(0, 0)->ok);
        continue;
      }
      ASSERT_THAT(store, StatusIs(absl::StatusCode::kDataLoss, HasSubstr("acknowledged")));
      const std::string message(store.status().message());
      EXPECT_THAT(message, NamesRecord(first_lost));
      EXPECT_THAT(message, HasSubstr(absl::StrCat("..", head)));
      if (read_only) {
        // `verify --db` never says intact: it exits 4 with the same message.
        const std::string err = dir.Sub("stderr");
        const int status =
            std::system(absl::StrCat(GRANTLEDGER_BINARY_DIR, "/cli/grantledger verify --db ", copy,
                                     " > /dev/null 2> ", err, " < /dev/null")
                            .c_str());
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 4) << status;
        EXPECT_THAT(ReadFileBytes(err), HasSubstr("were acknowledged"));
      }
    }
  }
}

// A crash while a write was in flight leaves its record torn at the log's end; it was never
// acknowledged (nor noted), so the ledger opens without it.
TEST(HeadNoteTest, AWriteTornByACrashIsTheOnlyLossTolerated) {
  TempDir dir;
  const std::string live = dir.Sub("live");
  const std::string note_path = absl::StrCat(live, "/", kHeadNoteFileName);
  auto store = Open(live, false);
  ASSERT_THAT(store, IsOk());
  ASSERT_THAT((*store)->Append(GrantSetup()), IsOk());
  auto before = (*store)->Append({Spend("s1", kGrant, 100, "p7", "HS Kir")});
  ASSERT_THAT(before, IsOk());
  const std::string note_before = ReadFileBytes(note_path);
  Settle(**store);
  const uintmax_t wal_before = std::filesystem::file_size(WalFile(live));
  ASSERT_THAT((*store)->Append({Spend("s2", kGrant, 100, "p7", "HS Kir")}), IsOk());
  const uintmax_t wal_after = std::filesystem::file_size(WalFile(live));
  // What a crash in the middle of writing record 5 would leave: its WAL record cut in half, and
  // the note still at 4 (it is written after the log's sync, before the answer).
  const std::string crashed = dir.Sub("crashed");
  std::filesystem::copy(live, crashed, std::filesystem::copy_options::recursive);
  std::filesystem::resize_file(WalFile(crashed), wal_before + (wal_after - wal_before) / 2);
  std::ofstream(absl::StrCat(crashed, "/", kHeadNoteFileName), std::ios::binary) << note_before;
  {
    auto reopened = Open(crashed, false);
    ASSERT_THAT(reopened, IsOk());
    EXPECT_EQ((*reopened)->Head().sequence, before->head.sequence);
    EXPECT_EQ((*reopened)->Head().head_hash, before->head.head_hash);
    EXPECT_TRUE((*reopened)->Verify(0, 0)->ok);
  }
  // Had record 5 been acknowledged (the note says 5), the same cut is a loss, and refused.
  const std::string lost = dir.Sub("lost");
  std::filesystem::copy(live, lost, std::filesystem::copy_options::recursive);
  std::filesystem::resize_file(WalFile(lost), wal_before + (wal_after - wal_before) / 2);
  EXPECT_THAT(Open(lost, true), StatusIs(absl::StatusCode::kDataLoss,
                                         HasSubstr("record 5 was acknowledged but not recovered")));
}

TEST(HeadNoteTest, AMissingNoteIsWarnedAboutAndWrittenAgain) {
  TempDir dir;
  {
    auto store = Open(dir.path(), false);
    ASSERT_THAT(store, IsOk());
    ASSERT_THAT((*store)->Append(GrantSetup()), IsOk());
  }
  const std::string note_path = absl::StrCat(dir.path(), "/", kHeadNoteFileName);
  std::filesystem::remove(note_path);
  std::vector<std::string> warnings;
  {
    auto store = Open(dir.path(), true, &warnings);  // a reader only warns
    ASSERT_THAT(store, IsOk());
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_THAT(warnings[0], HasSubstr("no head note"));
    EXPECT_FALSE(std::filesystem::exists(note_path));
  }
  warnings.clear();
  {
    auto store = Open(dir.path(), false, &warnings);
    ASSERT_THAT(store, IsOk());
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_THAT(warnings[0], HasSubstr("taken as acknowledged and noted from now on"));
  }
  auto noted = HeadNote::Read(dir.path());
  ASSERT_THAT(noted, IsOk());
  ASSERT_TRUE(noted->has_value());
  EXPECT_EQ((*noted)->sequence, 3u);
  warnings.clear();
  ASSERT_THAT(Open(dir.path(), false, &warnings), IsOk());
  EXPECT_TRUE(warnings.empty());
}

TEST(HeadNoteTest, ADamagedNoteRefusesTheOpen) {
  TempDir dir;
  {
    auto store = Open(dir.path(), false);
    ASSERT_THAT(store, IsOk());
    ASSERT_THAT((*store)->Append(GrantSetup()), IsOk());
  }
  const std::string note_path = absl::StrCat(dir.path(), "/", kHeadNoteFileName);
  // One damaged slot (a torn update) leaves the other.
  FlipByte(note_path, 20);
  ASSERT_THAT(Open(dir.path(), false), IsOk());
  FlipByte(note_path, 512 + 20);
  EXPECT_THAT(Open(dir.path(), true),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("head note")));
}

}  // namespace
}  // namespace grantledger
