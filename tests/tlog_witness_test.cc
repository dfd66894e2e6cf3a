// The witness (`grantledger audit witness`) against copies of a real data directory, as an
// adversary who holds the data directory and the signing key would leave them: a rewrite and
// rechain from the middle (with and without a reindex after it), a cut tail (with and without
// the projection checkpoint), and a restore of an edited export. `verify` alone reports the
// rewritten copies intact; a witness that kept a checkpoint of the original detects each one,
// exit 4, naming the sizes. Also: `audit prove` and `audit consistency` on the intact log, and
// an honest extension witnessed as consistent.
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/ledger_state.h"
#include "ledger/store/event_store.h"
#include "ledger/store/head_note.h"
#include "ledger/store/log_format.h"
#include "ledger/store/log_signer.h"
#include "ledger/store/merkle_store.h"
#include "ledger/store/record_chain.h"
#include "rocksdb/db.h"
#include "tests/test_support.h"

namespace grantledger {
namespace {

using ::grantledger::testing::IsOk;
using ::grantledger::testing::ReadFileBytes;
using ::grantledger::testing::RegisterGrant;
using ::grantledger::testing::RunCli;
using ::grantledger::testing::Spend;
using ::grantledger::testing::TempDir;
using ::testing::HasSubstr;

constexpr char kGrant[] = "RS/229/2025";
constexpr uint64_t kHead = 300;
constexpr uint64_t kCutAt = 251;  // the first record of the last log entry

using Result = ::grantledger::testing::CliResult;

// RocksDB opened directly on a closed data directory (every family), to change it below the
// ledger as an adversary would: handles()[1] is the log, [3] the checkpoints.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const char* name :
         {rocksdb::kDefaultColumnFamilyName.c_str(), kLogColumnFamily, kGrantIndexColumnFamily,
          kCheckpointColumnFamily, kIdsColumnFamily, kHistoriesColumnFamily, kTreeColumnFamily}) {
      families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
    rocksdb::DB* db = nullptr;
    EXPECT_TRUE(rocksdb::DB::Open(rocksdb::Options(), path, families, &handles_, &db).ok());
    db_.reset(db);
  }
  ~RawDb() {
    for (auto* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
    (void)db_->Close();
  }
  rocksdb::DB* db() { return db_.get(); }
  rocksdb::ColumnFamilyHandle* log() { return handles_[1]; }
  rocksdb::ColumnFamilyHandle* checkpoints() { return handles_[3]; }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

// The log's entries rewritten below the ledger: record `from` gets another amount, and every
// record from it on is chained again (new hashes), as an adversary with the data directory
// can do.
void RewriteAndRechain(const std::string& path, uint64_t from) {
  RawDb raw(path);
  rocksdb::DB* db = raw.db();
  std::map<uint64_t, std::string> entries;
  {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator({}, raw.log()));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      entries[DecodeSequence(it->key().ToString())] = it->value().ToString();
    }
  }
  std::string prev = GenesisHash();
  for (auto& [first, value] : entries) {
    std::vector<LogValue> records;
    ASSERT_TRUE(SplitLogEntry(value, records));
    std::string rebuilt;
    for (size_t k = 0; k < records.size(); ++k) {
      v1::EventRecord record;
      ASSERT_TRUE(record.ParseFromString(std::string(records[k].record_bytes)));
      if (first + k == from) record.mutable_event()->mutable_expense()->set_amount_ore(999'999);
      char hash[kHashBytes];
      AppendRecord(rebuilt, record.sequence(), record.recorded_time_unix_micros(),
                   SerializeEvent(record.event()), record.author(), prev, hash);
      prev.assign(hash, kHashBytes);
    }
    ASSERT_TRUE(db->Put({}, raw.log(), EncodeSequence(first), rebuilt).ok());
  }
  ASSERT_TRUE(db->Delete({}, raw.checkpoints(), kCheckpointKey).ok());
}

class TlogWitnessTest : public ::testing::Test {
 public:
  void SetUp() override {
    EventStoreOptions options;
    options.path = original();
    auto store = EventStore::Open(options);
    ASSERT_THAT(store, IsOk());
    ASSERT_THAT((*store)->Append({RegisterGrant("reg", kGrant, 1'000'000'000)}), IsOk());
    std::vector<v1::Event> batch;
    for (uint64_t s = 2; s <= kHead; ++s) {
      batch.push_back(Spend(absl::StrCat("s", s), kGrant, static_cast<int64_t>(s)));
      if (s == kCutAt - 1 || s == kHead) {
        ASSERT_THAT((*store)->Append(batch), IsOk());
        batch.clear();
      }
    }
    LogSignerOptions signer_options;
    signer_options.data_dir = original();
    auto signer = LogSigner::Open(**store, signer_options);  // creates the key
    ASSERT_THAT(signer, IsOk());
    ASSERT_THAT((*signer)->Checkpoint(0), IsOk());
  }

  Result Run(const std::string& args) { return RunCli(dir_, args); }
  std::string original() const { return dir_.Sub("original"); }
  std::string Copy(const std::string& name) {
    const std::string path = dir_.Sub(name);
    std::filesystem::copy(original(), path, std::filesystem::copy_options::recursive);
    return path;
  }
  // The verifier key, as the operator hands it to the auditor.
  std::string Key() {
    Result r = Run("audit public-key --db " + original());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return std::string(absl::StripAsciiWhitespace(r.out));
  }
  // A witness that has kept the original's checkpoint: a directory of its own.
  std::string WitnessOfOriginal(const std::string& name) {
    const std::string keep = dir_.Sub(name);
    Result first =
        Run(absl::StrCat("audit witness --keep ", keep, " --db ", original(), " --key ", Key()));
    EXPECT_EQ(first.exit_code, 0) << first.err;
    EXPECT_THAT(first.out, HasSubstr("size 300"));
    return keep;
  }
  Result Witness(const std::string& keep, const std::string& db) {
    return Run(absl::StrCat("audit witness --keep ", keep, " --db ", db, " --key ", Key()));
  }
  // What the adversary removes that would otherwise betray the change on open.
  static void RemoveWitnessesOnDisk(const std::string& path) {
    std::filesystem::remove(path + "/" + kHeadNoteFileName);
    std::filesystem::remove(path + "/" + kLastCheckpointFileName);
  }

  TempDir dir_;
};

TEST_F(TlogWitnessTest, AnIntactLogIsProvedAndWitnessedAsConsistent) {
  const std::string keep = WitnessOfOriginal("keep");
  Result again = Witness(keep, original());
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("consistent with the kept checkpoint of size 300"));
  // An honest extension: consistent, and the witness keeps the new one.
  const std::string grown = Copy("grown");
  {
    EventStoreOptions options;
    options.path = grown;
    auto store = EventStore::Open(options);
    ASSERT_THAT(store, IsOk());
    ASSERT_THAT((*store)->Append({Spend("more", kGrant, 5)}), IsOk());
  }
  Result extended = Witness(keep, grown);
  EXPECT_EQ(extended.exit_code, 0) << extended.err;
  EXPECT_THAT(extended.out, HasSubstr("size 301"));
  EXPECT_TRUE(std::filesystem::exists(keep + "/checkpoint-301"));
  // prove and consistency against the checkpoint kept.
  Result prove = Run(absl::StrCat("audit prove 150 --db ", grown, " --key ", Key(),
                                  " --checkpoint ", keep, "/checkpoint-300"));
  EXPECT_EQ(prove.exit_code, 0) << prove.err;
  EXPECT_THAT(prove.out, HasSubstr("proved: record 150"));
  Result consistent = Run(
      absl::StrCat("audit consistency ", keep, "/checkpoint-300 --db ", grown, " --key ", Key()));
  EXPECT_EQ(consistent.exit_code, 0) << consistent.err;
  // A checkpoint whose size was edited no longer verifies: exit 4.
  std::string note = ReadFileBytes(keep + "/checkpoint-300");
  note.replace(note.find("\n300\n"), 5, "\n299\n");
  std::ofstream(dir_.Sub("edited"), std::ios::binary) << note;
  Result edited = Run(
      absl::StrCat("audit consistency ", dir_.Sub("edited"), " --db ", grown, " --key ", Key()));
  EXPECT_EQ(edited.exit_code, 4) << edited.out;
  // Another key: exit 4.
  Result wrong_key =
      Run(absl::StrCat("audit prove 1 --db ", grown,
                       " --key grantledger+00000000+AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
  EXPECT_NE(wrong_key.exit_code, 0);
}

TEST_F(TlogWitnessTest, ARewriteAndRechainFromTheMiddleIsDetected) {
  const std::string keep = WitnessOfOriginal("keep");
  for (bool reindexed : {true, false}) {
    SCOPED_TRACE(reindexed ? "reindexed after" : "left as rewritten");
    const std::string copy = Copy(reindexed ? "rewritten-reindexed" : "rewritten");
    RewriteAndRechain(copy, 150);
    RemoveWitnessesOnDisk(copy);
    if (reindexed) {
      Result reindex = Run("reindex --db " + copy);
      ASSERT_EQ(reindex.exit_code, 0) << reindex.err;
    }
    if (reindexed) {
      // The chain and everything derived are whole again: verify alone cannot tell.
      Result verify = Run("verify --db " + copy);
      EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
    }
    const std::string kept_copy = dir_.Sub(reindexed ? "keep-a1" : "keep-a2");
    std::filesystem::copy(keep, kept_copy);
    Result witness = Witness(kept_copy, copy);
    EXPECT_EQ(witness.exit_code, 4) << witness.out << witness.err;
    EXPECT_THAT(witness.err, HasSubstr("INCONSISTENT"));
    EXPECT_THAT(witness.err, HasSubstr("sizes 300 and 300"));
  }
}

TEST_F(TlogWitnessTest, ACutTailIsDetectedWithAndWithoutTheCheckpoint) {
  const std::string keep = WitnessOfOriginal("keep");
  for (bool checkpoint_kept : {true, false}) {
    SCOPED_TRACE(checkpoint_kept ? "projection checkpoint kept" : "projection checkpoint dropped");
    const std::string copy = Copy(checkpoint_kept ? "cut" : "cut-no-checkpoint");
    {
      RawDb raw(copy);
      ASSERT_TRUE(raw.db()->Delete({}, raw.log(), EncodeSequence(kCutAt)).ok());
      if (!checkpoint_kept) {
        ASSERT_TRUE(raw.db()->Delete({}, raw.checkpoints(), kCheckpointKey).ok());
      }
    }
    RemoveWitnessesOnDisk(copy);
    if (!checkpoint_kept) {
      Result reindex = Run("reindex --db " + copy);  // the indexes of the cut records go too
      ASSERT_EQ(reindex.exit_code, 0) << reindex.err;
    }
    const std::string kept_copy = dir_.Sub(checkpoint_kept ? "keep-b1" : "keep-b2");
    std::filesystem::copy(keep, kept_copy);
    Result witness = Witness(kept_copy, copy);
    EXPECT_EQ(witness.exit_code, 4) << witness.out << witness.err;
    if (checkpoint_kept) {
      EXPECT_THAT(witness.err, HasSubstr("missing"));  // the ledger refuses to open
    } else {
      Result verify = Run("verify --db " + copy);
      EXPECT_EQ(verify.exit_code, 0) << "verify alone sees a whole, shorter chain";
      EXPECT_THAT(witness.err, HasSubstr("size 300"));
      EXPECT_THAT(witness.err, HasSubstr("250 records, fewer than the 300"));
    }
  }
}

TEST_F(TlogWitnessTest, ARestoreOfAnEditedExportUnderTheSameKeyIsDetected) {
  const std::string keep = WitnessOfOriginal("keep");
  // The export, edited at record 100 and chained again from there, restored into a new data
  // directory, which the adversary gives the log's signing key.
  std::vector<RestoredRecord> records;
  {
    EventStoreOptions options;
    options.path = original();
    options.read_only = true;
    auto store = EventStore::Open(options);
    ASSERT_THAT(store, IsOk());
    std::string prev = GenesisHash();
    for (uint64_t s = 1; s <= kHead; ++s) {
      auto recorded = (*store)->Read(s);
      ASSERT_THAT(recorded, IsOk());
      v1::EventRecord record = recorded->record();
      if (s == 100) record.mutable_event()->mutable_expense()->set_amount_ore(1);
      std::string entry;
      char hash[kHashBytes];
      AppendRecord(entry, s, record.recorded_time_unix_micros(), SerializeEvent(record.event()),
                   record.author(), prev, hash);
      prev.assign(hash, kHashBytes);
      records.push_back(RestoredRecord{s, record.recorded_time_unix_micros(), record.event(), prev,
                                       record.author()});
    }
  }
  const std::string restored = dir_.Sub("restored");
  {
    EventStoreOptions options;
    options.path = restored;
    auto store = EventStore::Open(options);
    ASSERT_THAT(store, IsOk());
    ASSERT_THAT((*store)->Restore(std::move(records)), IsOk());
  }
  std::filesystem::copy_file(original() + "/" + kSigningKeyFileName,
                             restored + "/" + kSigningKeyFileName);
  Result verify = Run("verify --db " + restored);
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  Result witness = Witness(keep, restored);
  EXPECT_EQ(witness.exit_code, 4) << witness.out << witness.err;
  EXPECT_THAT(witness.err, HasSubstr("sizes 300 and 300"));
}

}  // namespace
}  // namespace grantledger
