// Tampering with copies of a real data directory, as an adversary or a failing disk would: a
// byte of a stored record (every position of one entry, a sample of another), a byte of the
// write-ahead log, a byte of a table file, a deleted, swapped or renumbered log entry, a cut
// tail. Each must be detected with the right sequence named, at open (a DataLoss refusal that
// names it) or by verify (its first bad sequence), and never reported intact. The rule the
// cases check: the sequence named is the first record that is not as it was acknowledged.
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/store/event_store.h"
#include "ledger/store/head_note.h"
#include "ledger/store/log_format.h"
#include "ledger/store/merkle_store.h"
#include "ledger/store/verify_request.h"
#include "rocksdb/db.h"
#include "tests/test_support.h"

namespace grantledger {
namespace {

using ::grantledger::testing::Allocate;
using ::grantledger::testing::IsOk;
using ::grantledger::testing::Receipt;
using ::grantledger::testing::RegisterGrant;
using ::grantledger::testing::Spend;
using ::grantledger::testing::TempDir;
using ::testing::Contains;
using ::testing::HasSubstr;

constexpr char kGrant[] = "RS/229/2025";
// The ledger every case tampers with: records 1-3 in one entry, 4-9 in one entry (a batch),
// 10-15 in an entry each.
constexpr uint64_t kBatchEntry = 4;
constexpr uint64_t kHead = 15;

void BuildLedger(const std::string& path) {
  EventStoreOptions options;
  options.path = path;
  auto store = EventStore::Open(options);
  ASSERT_THAT(store, IsOk());
  ASSERT_THAT((*store)->Append({RegisterGrant("reg", kGrant, 1'000'000'00),
                                Receipt("rec", kGrant, 1'000'000'00),
                                Allocate("a1", kGrant, 600'000'00, "p7", "HS Kir")}),
              IsOk());
  std::vector<v1::Event> batch;
  for (int i = 0; i < 6; ++i) {
    batch.push_back(Spend(absl::StrCat("b", i), kGrant, 100 + i, "p7", "HS Kir"));
  }
  ASSERT_THAT((*store)->Append(batch), IsOk());
  for (int i = 0; i < 6; ++i) {
    ASSERT_THAT((*store)->Append({Spend(absl::StrCat("s", i), kGrant, 200 + i, "p7", "HS Kir")}),
                IsOk());
  }
  ASSERT_EQ((*store)->Head().sequence, kHead);
}

// RocksDB opened directly on a data directory, to change it below the ledger.
class RawLedger {
 public:
  explicit RawLedger(const std::string& path) {
    rocksdb::Options options;
    std::vector<rocksdb::ColumnFamilyDescriptor> families = {
        {rocksdb::kDefaultColumnFamilyName, {}},
        {kLogColumnFamily, {}},
        {kGrantIndexColumnFamily, {}},
        {kCheckpointColumnFamily, {}},
        {kIdsColumnFamily, {}},
        {kHistoriesColumnFamily, {}},
        {kTreeColumnFamily, {}}};
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(options, path, families, &handles_, &raw);
    EXPECT_TRUE(s.ok()) << s.ToString();
    db_.reset(raw);
  }
  ~RawLedger() {
    if (db_ == nullptr) return;
    for (auto* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
    (void)db_->Close();
  }
  // Every log entry by its first sequence.
  std::map<uint64_t, std::string> Entries() {
    std::map<uint64_t, std::string> out;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, handles_[1]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      out[DecodeSequence(it->key().ToString())] = it->value().ToString();
    }
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
    return out;
  }
  void Put(uint64_t first, const std::string& value) {
    ASSERT_TRUE(db_->Put({}, handles_[1], EncodeSequence(first), value).ok());
  }
  void Delete(uint64_t first) {
    ASSERT_TRUE(db_->Delete({}, handles_[1], EncodeSequence(first)).ok());
  }
  // Without the projection checkpoint, opening replays (and so checks) the whole log.
  void DeleteCheckpoint() { ASSERT_TRUE(db_->Delete({}, handles_[3], kCheckpointKey).ok()); }
  void FlushAll() {
    ASSERT_TRUE(db_->Flush(rocksdb::FlushOptions(), handles_).ok());
    ASSERT_TRUE(db_->CompactRange({}, handles_[1], nullptr, nullptr).ok());
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

// A message names record `sequence` ("record 7", "records 7..9").
MATCHER_P(NamesRecord, sequence, "") {
  return std::regex_search(arg, std::regex(absl::StrCat("records? ", sequence, "([^0-9]|$)")));
}

// Opens the tampered copy read-only, as `verify --db` does, and checks that the damage is found
// and `sequence` named: by the refusal to open, or as verify's first bad sequence.
void ExpectDetectedAt(const std::string& path, uint64_t sequence) {
  EventStoreOptions options;
  options.path = path;
  options.read_only = true;
  options.warn = [](absl::string_view) {};
  auto store = EventStore::Open(options);
  if (!store.ok()) {
    EXPECT_EQ(store.status().code(), absl::StatusCode::kDataLoss) << store.status();
    EXPECT_THAT(std::string(store.status().message()), NamesRecord(sequence));
    return;
  }
  auto verified = (*store)->Verify(0, 0);
  ASSERT_THAT(verified, IsOk());
  EXPECT_FALSE(verified->ok) << "reported intact";
  EXPECT_EQ(verified->first_bad_sequence, sequence) << verified->problem;
}

class TamperTest : public ::testing::Test {
 public:
  void SetUp() override { BuildLedger(original()); }
  std::string original() const { return dir_.Sub("original"); }
  // A fresh copy of the untouched ledger.
  std::string Copy() {
    const std::string path = dir_.Sub(absl::StrCat("copy", copies_++));
    std::filesystem::copy(original(), path, std::filesystem::copy_options::recursive);
    return path;
  }
  void Remove(const std::string& path) { std::filesystem::remove_all(path); }

  TempDir dir_;
  int copies_ = 0;
};

// Which record of the entry keyed `first` holds byte `offset` of the entry's value: its length
// prefix, its bytes and its hash all count as the record's.
uint64_t RecordAtOffset(uint64_t first, const std::string& entry, size_t offset) {
  std::vector<LogValue> records;
  EXPECT_TRUE(SplitLogEntry(entry, records));
  for (size_t k = 0; k < records.size(); ++k) {
    const size_t end = records[k].hash.data() + kHashBytes - entry.data();
    if (offset < end) return first + k;
  }
  ADD_FAILURE() << "offset " << offset << " is past the entry";
  return 0;
}

// Changes the byte at each sampled offset of entry `first` in a copy, and checks the record
// holding it is named. With `keep_checkpoint` false the open replays (checks) the whole log.
void TamperEveryByte(TamperTest& test, uint64_t first, size_t stride, bool keep_checkpoint) {
  std::string entry;
  {
    const std::string probe = test.Copy();
    RawLedger raw(probe);
    entry = raw.Entries().at(first);
  }
  for (size_t offset = 0; offset < entry.size(); offset += stride) {
    for (unsigned char flip : {0x01, 0xff}) {
      SCOPED_TRACE(absl::StrCat("entry ", first, ", byte ", offset, " of ", entry.size(), " xor ",
                                flip, keep_checkpoint ? "" : ", no checkpoint"));
      const std::string path = test.Copy();
      {
        RawLedger raw(path);
        std::string changed = entry;
        changed[offset] = static_cast<char>(changed[offset] ^ flip);
        raw.Put(first, changed);
        if (!keep_checkpoint) raw.DeleteCheckpoint();
      }
      ExpectDetectedAt(path, RecordAtOffset(first, entry, offset));
      test.Remove(path);
    }
  }
}

TEST_F(TamperTest, EveryByteOfASingleRecordEntry) { TamperEveryByte(*this, 12, 1, true); }

TEST_F(TamperTest, EveryByteOfASingleRecordEntryWithoutCheckpoint) {
  TamperEveryByte(*this, 12, 3, false);
}

TEST_F(TamperTest, SampledBytesOfABatchEntry) { TamperEveryByte(*this, kBatchEntry, 7, true); }

TEST_F(TamperTest, SampledBytesOfTheHeadEntry) { TamperEveryByte(*this, kHead, 5, true); }

TEST_F(TamperTest, ADeletedEntry) {
  for (bool keep_checkpoint : {true, false}) {
    for (uint64_t first : {uint64_t{1}, kBatchEntry, uint64_t{12}}) {
      SCOPED_TRACE(absl::StrCat("entry ", first, keep_checkpoint ? "" : ", no checkpoint"));
      const std::string path = Copy();
      {
        RawLedger raw(path);
        raw.Delete(first);
        if (!keep_checkpoint) raw.DeleteCheckpoint();
      }
      ExpectDetectedAt(path, first);
    }
  }
}

TEST_F(TamperTest, TwoSwappedEntries) {
  for (bool keep_checkpoint : {true, false}) {
    SCOPED_TRACE(keep_checkpoint ? "checkpoint kept" : "no checkpoint");
    const std::string path = Copy();
    {
      RawLedger raw(path);
      auto entries = raw.Entries();
      raw.Put(10, entries.at(13));
      raw.Put(13, entries.at(10));
      if (!keep_checkpoint) raw.DeleteCheckpoint();
    }
    ExpectDetectedAt(path, 10);
  }
}

TEST_F(TamperTest, ARenumberedEntry) {
  struct Case {
    uint64_t from, to, named;
  };
  // Moved far past the head (the head's own entry, and one in the middle), and by one.
  for (const Case& c : {Case{kHead, kHead + 1'000'000, kHead}, Case{12, 1'000'012, 12},
                        Case{kBatchEntry, kBatchEntry + 1, kBatchEntry}}) {
    for (bool keep_checkpoint : {true, false}) {
      SCOPED_TRACE(absl::StrCat("entry ", c.from, " keyed ", c.to,
                                keep_checkpoint ? "" : ", no checkpoint"));
      const std::string path = Copy();
      {
        RawLedger raw(path);
        const std::string value = raw.Entries().at(c.from);
        raw.Delete(c.from);
        raw.Put(c.to, value);
        if (!keep_checkpoint) raw.DeleteCheckpoint();
      }
      ExpectDetectedAt(path, c.named);
    }
  }
}

TEST_F(TamperTest, ACutTail) {
  for (bool keep_checkpoint : {true, false}) {
    SCOPED_TRACE(keep_checkpoint ? "checkpoint kept" : "no checkpoint (the head note remains)");
    const std::string path = Copy();
    {
      RawLedger raw(path);
      raw.Delete(kHead);
      raw.Delete(kHead - 1);
      if (!keep_checkpoint) raw.DeleteCheckpoint();
    }
    ExpectDetectedAt(path, kHead - 1);
  }
}

// With the head note and the checkpoint removed along with the tail, the cut cannot be seen from
// inside the ledger (the open only warns that there is no note); a digest written down earlier
// (`verify --expect`) finds it.
TEST_F(TamperTest, ACutTailWithoutNoteOrCheckpointIsFoundByAnExpectedDigest) {
  Digest head;
  {
    EventStoreOptions options;
    options.path = original();
    options.read_only = true;
    auto store = EventStore::Open(options);
    ASSERT_THAT(store, IsOk());
    head = (*store)->Head();
  }
  const std::string path = Copy();
  {
    RawLedger raw(path);
    raw.Delete(kHead);
    raw.Delete(kHead - 1);
    raw.DeleteCheckpoint();
  }
  std::filesystem::remove(absl::StrCat(path, "/", kHeadNoteFileName));
  std::vector<std::string> warnings;
  EventStoreOptions options;
  options.path = path;
  options.read_only = true;
  options.warn = [&warnings](absl::string_view w) { warnings.emplace_back(w); };
  auto store = EventStore::Open(options);
  ASSERT_THAT(store, IsOk());
  EXPECT_THAT(warnings, Contains(HasSubstr("no head note")));
  auto verified = (*store)->Verify(0, 0);
  ASSERT_THAT(verified, IsOk());
  EXPECT_TRUE(verified->ok);  // what is left is intact
  auto mismatch = CheckExpectedDigest(**store, head);
  ASSERT_TRUE(mismatch.has_value());
  EXPECT_EQ(mismatch->first_bad_sequence, kHead - 1);
  EXPECT_THAT(mismatch->problem, HasSubstr("a cut tail"));
}

// The byte offsets of the data directory's files with `suffix`, largest file first.
std::string LargestFile(const std::string& dir, const std::string& suffix) {
  std::string best;
  uintmax_t best_size = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().string();
    if (name.size() < suffix.size() || name.substr(name.size() - suffix.size()) != suffix) continue;
    if (entry.file_size() > best_size) {
      best_size = entry.file_size();
      best = name;
    }
  }
  return best;
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

TEST_F(TamperTest, ATableFileByte) {
  // Flush the log into table files, then change a byte inside its data blocks.
  const std::string flushed = Copy();
  { RawLedger(flushed).FlushAll(); }
  ASSERT_TRUE(LargestFile(flushed, ".log").empty() ||
              std::filesystem::file_size(LargestFile(flushed, ".log")) == 0);
  const std::string table = LargestFile(flushed, ".sst");
  ASSERT_FALSE(table.empty());
  const uintmax_t size = std::filesystem::file_size(table);
  for (uintmax_t offset : {uintmax_t{20}, size / 8, size / 4}) {
    SCOPED_TRACE(absl::StrCat("byte ", offset, " of ", size));
    const std::string path = dir_.Sub(absl::StrCat("sst", offset));
    std::filesystem::copy(flushed, path, std::filesystem::copy_options::recursive);
    FlipByte(path + "/" + std::filesystem::path(table).filename().string(), offset);
    // A table block is checked as a whole: the first record RocksDB cannot return is named.
    ExpectDetectedAt(path, 1);
  }
}

}  // namespace
}  // namespace grantledger
