// Everything the store derives from its log — the checkpoint, the grant index (by_grant), the
// id index, the grant histories and the Merkle tree's tiles on disk — is checked when used and by
// `verify`, and never changes an answer. Each case alters one structure in a copy of a real data
// directory, below the ledger (RocksDB opened directly), and checks that the ledger notices,
// answers as before (or refuses), and that `reindex` (a rebuild from the log) makes it whole again.
#include <algorithm>
#include <atomic>
#include <filesystem>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "grantledger/v1/checkpoint.pb.h"
#include "gtest/gtest.h"
#include "ledger/store/event_store.h"
#include "ledger/store/history_store.h"
#include "ledger/store/log_format.h"
#include "ledger/store/merkle_store.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"
#include "tests/derived_checks.h"
#include "tests/failing_wal_file_system.h"
#include "tests/test_support.h"

namespace grantledger {
namespace {

using ::grantledger::testing::Allocate;
using ::grantledger::testing::FailingWalFileSystem;
using ::grantledger::testing::IsOk;
using ::grantledger::testing::Receipt;
using ::grantledger::testing::RegisterGrant;
using ::grantledger::testing::Spend;
using ::grantledger::testing::StatusIs;
using ::grantledger::testing::TempDir;
using ::testing::HasSubstr;

constexpr char kGrant[] = "RS/229/2025";
constexpr char kOther[] = "RS/300/2025";
constexpr int64_t kDecided = 1'000'000'00;

// RocksDB opened directly on a data directory (every family), to change it below the ledger.
class Raw {
 public:
  enum Family { kDefault, kLog, kByGrant, kCheckpoints, kIds, kHistories, kTree };
  explicit Raw(const std::string& path) {
    std::vector<rocksdb::ColumnFamilyDescriptor> families = {
        {rocksdb::kDefaultColumnFamilyName, {}},
        {kLogColumnFamily, {}},
        {kGrantIndexColumnFamily, {}},
        {kCheckpointColumnFamily, {}},
        {kIdsColumnFamily, {}},
        {kHistoriesColumnFamily, {}},
        {kTreeColumnFamily, {}}};
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(rocksdb::Options(), path, families, &handles_, &raw);
    EXPECT_TRUE(s.ok()) << s.ToString();
    db_.reset(raw);
  }
  ~Raw() {
    for (auto* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
    (void)db_->Close();
  }
  std::map<std::string, std::string> All(Family family) {
    std::map<std::string, std::string> out;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, handles_[family]));
    for (it->SeekToFirst(); it->Valid(); it->Next())
      out[it->key().ToString()] = it->value().ToString();
    return out;
  }
  std::string Get(Family family, const std::string& key) {
    std::string value;
    EXPECT_TRUE(db_->Get({}, handles_[family], key, &value).ok()) << key;
    return value;
  }
  void Put(Family family, const std::string& key, const std::string& value) {
    ASSERT_TRUE(db_->Put({}, handles_[family], key, value).ok());
  }
  void Delete(Family family, const std::string& key) {
    ASSERT_TRUE(db_->Delete({}, handles_[family], key).ok());
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

class DerivedDataTest : public ::testing::Test {
 public:
  void SetUp() override {
    EventStoreOptions options = Options(original());
    options.checkpoint_interval_events = 10;  // several history parts per grant
    auto store = EventStore::Open(options);
    ASSERT_THAT(store, IsOk());
    EventStore& s = **store;
    ASSERT_THAT(
        s.Append({RegisterGrant("reg", kGrant, kDecided), Receipt("rec", kGrant, kDecided),
                  Allocate("a1", kGrant, 600'000'00, "p7", "HS Kir"),
                  RegisterGrant("reg2", kOther, kDecided), Receipt("rec2", kOther, kDecided)}),
        IsOk());
    for (int i = 0; i < 40; ++i) {
      const std::string date = absl::StrCat("2025-0", 1 + i % 9, "-1", i % 10);
      ASSERT_THAT(s.Append({Spend(absl::StrCat("s", i), kGrant, 1000 + i, "p7", "HS Kir", date),
                            Spend(absl::StrCat("o", i), kOther, 500 + i, "", "", date)}),
                  IsOk());
    }
    RecordAnswers(s);
  }
  // The questions ExpectSameAnswers asks again, answered now.
  void RecordAnswers(EventStore& s) {
    head_ = s.Head().sequence;
    for (uint64_t seq : {uint64_t{3}, uint64_t{12}, uint64_t{33}, uint64_t{60}, head_}) {
      for (const char* date : {"2025-03-01", "2025-07-15", "2025-12-31"}) {
        auto p = s.Position(kGrant, AsOf{*ParseDay(date), seq});
        ASSERT_THAT(p, IsOk());
        answers_.push_back(Describe(*p));
      }
    }
  }
  static std::optional<absl::CivilDay> ParseDay(const char* text) {
    absl::CivilDay day;
    if (!absl::ParseCivilTime(text, &day)) return std::nullopt;
    return day;
  }
  static std::string Describe(const GrantPosition& p) {
    return absl::StrCat(p.balance.received_ore.value(), "/", p.balance.spent_ore.value(), "/",
                        p.balance.remaining_ore.value(), "/", p.eligible_spent_ore.value());
  }
  EventStoreOptions Options(const std::string& path) {
    EventStoreOptions options;
    options.path = path;
    options.warn = [this](absl::string_view w) { warnings_.push_back(std::string(w)); };
    return options;
  }
  std::string original() const { return dir_.Sub("original"); }
  std::string Copy() {
    const std::string path = dir_.Sub(absl::StrCat("copy", copies_++));
    std::filesystem::copy(original(), path, std::filesystem::copy_options::recursive);
    return path;
  }
  // The same questions as SetUp asked, asked again.
  void ExpectSameAnswers(EventStore& s) {
    size_t k = 0;
    for (uint64_t seq : {uint64_t{3}, uint64_t{12}, uint64_t{33}, uint64_t{60}, head_}) {
      for (const char* date : {"2025-03-01", "2025-07-15", "2025-12-31"}) {
        auto p = s.Position(kGrant, AsOf{*ParseDay(date), seq});
        ASSERT_THAT(p, IsOk());
        EXPECT_EQ(Describe(*p), answers_[k++]) << "sequence " << seq << " date " << date;
      }
    }
  }
  // verify (the chain and then everything derived) finds a difference.
  void ExpectVerifyFinds(const std::string& path, const std::string& what) {
    EventStoreOptions options = Options(path);
    options.read_only = true;
    auto store = EventStore::Open(options);
    ASSERT_THAT(store, IsOk());
    auto chain = (*store)->Verify(0, 0);
    ASSERT_THAT(chain, IsOk());
    EXPECT_TRUE(chain->ok) << "the log itself was not touched";
    auto derived = (*store)->VerifyDerived();
    ASSERT_THAT(derived, IsOk());
    EXPECT_FALSE(derived->ok) << "reported intact";
    EXPECT_THAT(derived->problem, HasSubstr(what));
  }
  // A read-only open of `path` finds every derived structure equal to a rebuild.
  void ExpectDerivedIntact(const std::string& path) { testing::ExpectDerivedIntact(Options(path)); }
  // reindex rebuilds everything from the log: then all is intact and answers as before.
  void ExpectReindexRepairs(const std::string& path) {
    {
      EventStoreOptions options = Options(path);
      options.rebuild_derived = true;
      auto store = EventStore::Open(options);
      ASSERT_THAT(store, IsOk());
    }
    EventStoreOptions options = Options(path);
    options.read_only = true;
    auto store = EventStore::Open(options);
    ASSERT_THAT(store, IsOk());
    auto derived = (*store)->VerifyDerived();
    ASSERT_THAT(derived, IsOk());
    EXPECT_TRUE(derived->ok) << derived->problem;
    ExpectSameAnswers(**store);
  }

  TempDir dir_;
  int copies_ = 0;
  uint64_t head_ = 0;
  std::vector<std::string> answers_;
  std::vector<std::string> warnings_;
};

TEST_F(DerivedDataTest, AnIntactLedgerVerifies) {
  EventStoreOptions options = Options(original());
  options.read_only = true;
  auto store = EventStore::Open(options);
  ASSERT_THAT(store, IsOk());
  auto derived = (*store)->VerifyDerived();
  ASSERT_THAT(derived, IsOk());
  EXPECT_TRUE(derived->ok) << derived->problem;
  EXPECT_EQ(derived->checked, head_);
  ExpectSameAnswers(**store);
}

// The checkpoint edited (the decided amount raised), without its seal: detected on open, the
// state rebuilt from the log, and the rules hold (an allocation beyond the decided amount is
// refused, as it would have been).
TEST_F(DerivedDataTest, AnEditedCheckpointIsDetectedOnOpenAndRebuiltFromTheLog) {
  const std::string path = Copy();
  {
    Raw raw(path);
    std::string sealed = raw.Get(Raw::kCheckpoints, kCheckpointKey);
    v1::ProjectionCheckpoint checkpoint;
    ASSERT_TRUE(checkpoint.ParseFromString(sealed.substr(kHashBytes)));
    for (auto& g : *checkpoint.mutable_grants()) {
      g.mutable_terms()->set_decided_amount_ore(kDecided * 100);
    }
    raw.Put(Raw::kCheckpoints, kCheckpointKey,
            sealed.substr(0, kHashBytes) + checkpoint.SerializeAsString());
  }
  auto store = EventStore::Open(Options(path));
  ASSERT_THAT(store, IsOk());
  EXPECT_THAT(warnings_, ::testing::Contains(HasSubstr("checkpoint")));
  EXPECT_EQ((*store)->Grant(kGrant)->terms.decided_amount_ore, kDecided);
  EXPECT_THAT((*store)->Append({Allocate("big", kGrant, kDecided, "p8", "HS Kir")}),
              ::testing::Not(IsOk()));
  ExpectSameAnswers(**store);
  auto replayed = (*store)->Replay(0);
  ASSERT_THAT(replayed, IsOk());
  EXPECT_EQ(*replayed, (*store)->State());
}

// A checkpoint that names another head hash than the log's record: rebuilt, not believed.
TEST_F(DerivedDataTest, ACheckpointThatDoesNotMatchTheLogIsRebuilt) {
  const std::string path = Copy();
  {
    Raw raw(path);
    std::string sealed = raw.Get(Raw::kCheckpoints, kCheckpointKey);
    v1::ProjectionCheckpoint checkpoint;
    ASSERT_TRUE(checkpoint.ParseFromString(sealed.substr(kHashBytes)));
    checkpoint.set_head_hash(std::string(32, 'x'));
    const std::string bytes = checkpoint.SerializeAsString();
    raw.Put(Raw::kCheckpoints, kCheckpointKey, ChainHash("", bytes) + bytes);  // resealed
  }
  auto store = EventStore::Open(Options(path));
  ASSERT_THAT(store, IsOk());
  EXPECT_THAT(warnings_, ::testing::Contains(HasSubstr("hash in the log")));
  ExpectSameAnswers(**store);
}

// Deleting the checkpoint leaves a ledger that opens, rebuilt from the log, and works.
TEST_F(DerivedDataTest, ADeletedCheckpointIsRebuilt) {
  const std::string path = Copy();
  { Raw(path).Delete(Raw::kCheckpoints, kCheckpointKey); }
  {
    auto store = EventStore::Open(Options(path));
    ASSERT_THAT(store, IsOk());
    ExpectSameAnswers(**store);
    ASSERT_THAT((*store)->Append({Spend("after", kGrant, 1, "p7", "HS Kir")}), IsOk());
  }
  ExpectDerivedIntact(path);
}

// A by_grant entry deleted: a grant's history read through it is refused (not shortened),
// as-of answers do not change, verify finds it, and reindex repairs it.
TEST_F(DerivedDataTest, ADeletedGrantIndexEntryIsDetected) {
  const std::string path = Copy();
  {
    Raw raw(path);
    raw.Delete(Raw::kByGrant, GrantIndexKey(kGrant, 20));
  }
  {
    EventStoreOptions options = Options(path);
    options.read_only = true;
    auto store = EventStore::Open(options);
    ASSERT_THAT(store, IsOk());
    ExpectSameAnswers(**store);
    absl::Status scanned =
        (*store)->Scan(0, 0, kGrant, [](const v1::RecordedEvent&) { return true; });
    EXPECT_THAT(scanned, StatusIs(absl::StatusCode::kDataLoss, HasSubstr("grant index")));
    EXPECT_THAT((*store)->GrantAtSequence(kGrant, 40),
                StatusIs(absl::StatusCode::kDataLoss, HasSubstr("grant index")));
    // The version at a recorded point reads one entry and its neighbour: where the gap is, it
    // is refused; elsewhere the counts the entries carry still give the right version.
    EXPECT_THAT((*store)->GrantCountAt(kGrant, 20),
                StatusIs(absl::StatusCode::kDataLoss, HasSubstr("grant index")));
    EXPECT_THAT((*store)->GrantCountAt(kGrant, 18),
                StatusIs(absl::StatusCode::kDataLoss, HasSubstr("missing or extra")));
    auto at40 = (*store)->GrantCountAt(kGrant, 40);
    ASSERT_THAT(at40, IsOk());
    EXPECT_EQ(*at40, 3u + 18u);  // registration, receipt, allocation, then spends at 6..40
  }
  ExpectVerifyFinds(path, "grant index");
  ExpectReindexRepairs(path);
}

// A by_grant entry that points at another grant's record (a foreign entry).
TEST_F(DerivedDataTest, AForeignGrantIndexEntryIsDetected) {
  const std::string path = Copy();
  {
    Raw raw(path);
    // Record 21 is the other grant's (events alternate); list it as kGrant's, in place of 20.
    const std::string value = raw.Get(Raw::kByGrant, GrantIndexKey(kGrant, 20));
    raw.Delete(Raw::kByGrant, GrantIndexKey(kGrant, 20));
    raw.Put(Raw::kByGrant, GrantIndexKey(kGrant, 21), value);
  }
  {
    EventStoreOptions options = Options(path);
    options.read_only = true;
    auto store = EventStore::Open(options);
    ASSERT_THAT(store, IsOk());
    ExpectSameAnswers(**store);
    absl::Status scanned =
        (*store)->Scan(0, 0, kGrant, [](const v1::RecordedEvent&) { return true; });
    EXPECT_THAT(scanned, StatusIs(absl::StatusCode::kDataLoss, HasSubstr("another grant's")));
    EXPECT_THAT((*store)->GrantCountAt(kGrant, 21),
                StatusIs(absl::StatusCode::kDataLoss, HasSubstr("another grant's")));
  }
  ExpectVerifyFinds(path, "grant index");
  ExpectReindexRepairs(path);
}

// An id index entry deleted, or pointing at another record.
TEST_F(DerivedDataTest, AnAlteredIdIndexIsDetectedAndNeverAdmitsByItself) {
  const std::string deleted = Copy();
  { Raw(deleted).Delete(Raw::kIds, "s3"); }
  ExpectVerifyFinds(deleted, "id index");
  ExpectReindexRepairs(deleted);

  const std::string pointing = Copy();
  { Raw(pointing).Put(Raw::kIds, "s3", EncodeSequence(7)); }
  ExpectVerifyFinds(pointing, "id index");
  {
    // A retry of s3 is refused, not admitted as new nor answered with record 7.
    auto store = EventStore::Open(Options(pointing));
    ASSERT_THAT(store, IsOk());
    const std::string date = "2025-04-13";
    EXPECT_THAT((*store)->Append({Spend("s3", kGrant, 1003, "p7", "HS Kir", date)}),
                StatusIs(absl::StatusCode::kDataLoss, HasSubstr("id index")));
    EXPECT_EQ((*store)->Head().sequence, head_);
  }
  ExpectReindexRepairs(pointing);
}

// The id index and the Merkle tree's tiles are written one write after the log, once the
// callers have their answer. A crash between the two leaves the index mark at the record before
// the answered write, and that write's ids and tiles absent. A read-only copy then verifies as
// intact (they are pending, not wrong); the next writable open completes them from the log, so a
// retry of the answered batch is recognised instead of posted twice.
TEST_F(DerivedDataTest, AWriteAnsweredBeforeItsIndexesAreWrittenIsCompletedOnOpen) {
  const std::string path = dir_.Sub("crashed");
  std::vector<v1::Event> last;
  uint64_t first = 0;
  uint64_t head = 0;
  {
    auto store = EventStore::Open(Options(path));
    ASSERT_THAT(store, IsOk());
    ASSERT_THAT(
        (*store)->Append({RegisterGrant("reg", kGrant, kDecided), Receipt("rec", kGrant, kDecided),
                          Allocate("a1", kGrant, 600'000'00, "p7", "HS Kir")}),
        IsOk());
    // 260 events: this write completes the tree's first tile (records 1..256).
    for (int i = 0; i < 260; ++i) {
      last.push_back(Spend(absl::StrCat("t", i), kGrant, 100 + i, "p7", "HS Kir", "2025-05-02"));
    }
    auto appended = (*store)->Append(last);
    ASSERT_THAT(appended, IsOk());
    first = appended->sequences.front();
    head = appended->head.sequence;
    ASSERT_EQ(head, 263u);
  }
  {
    Raw raw(path);
    ASSERT_EQ(raw.Get(Raw::kCheckpoints, kIndexedThroughKey), EncodeSequence(head));
    ASSERT_EQ(raw.Get(Raw::kIds, kIdsThroughKey), EncodeSequence(head))
        << "closing writes the ids held in memory as a run";
    // As a crash leaves it: the tiles of the last write not written, and its ids (held in
    // memory until a run) not in the index.
    for (const v1::Event& e : last) raw.Delete(Raw::kIds, e.event_id());
    raw.Delete(Raw::kTree, TileKey(0, 0));
    raw.Put(Raw::kCheckpoints, kIndexedThroughKey, EncodeSequence(first - 1));
    raw.Put(Raw::kIds, kIdsThroughKey, EncodeSequence(first - 1));
  }
  ExpectDerivedIntact(path);
  {
    auto store = EventStore::Open(Options(path));
    ASSERT_THAT(store, IsOk());
    auto retried = (*store)->Append(last);
    ASSERT_THAT(retried, IsOk());
    EXPECT_EQ(retried->head.sequence, head) << "the answered batch was posted a second time";
    EXPECT_EQ(retried->sequences.front(), first);
    EXPECT_TRUE(retried->duplicates.front());
    EXPECT_EQ(retried->sequences.back(), head);
    EXPECT_TRUE(retried->duplicates.back());
  }
  {
    Raw raw(path);
    EXPECT_EQ(raw.Get(Raw::kCheckpoints, kIndexedThroughKey), EncodeSequence(head));
    EXPECT_EQ(raw.Get(Raw::kIds, "t259"), EncodeSequence(head));
    EXPECT_EQ(raw.Get(Raw::kTree, TileKey(0, 0)).size(), kTileBytes);
  }
  ExpectDerivedIntact(path);
}

// The second write of a group (its ids and tiles, after the answer) fails on a disk that then
// takes nothing: the answer stands, the store refuses appends and names the reopen, a proof
// is served at once from the tree it has, and a reopen completes the index from the log, so
// the retry of the answered batch is a duplicate.
TEST_F(DerivedDataTest, AFailedIndexWriteKeepsTheAnswerAndRefusesAppendsUntilReopened) {
  const std::string path = dir_.Sub("failed-index-write");
  auto fs = std::make_shared<FailingWalFileSystem>();
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  std::vector<v1::Event> batch;
  for (int i = 0; i < 20; ++i) {
    batch.push_back(Spend(absl::StrCat("f", i), kGrant, 100 + i, "p7", "HS Kir", "2025-05-02"));
  }
  uint64_t head = 0;
  {
    EventStoreOptions options = Options(path);
    options.env_for_tests = env.get();
    std::vector<std::string> warnings;
    options.warn = [&warnings](absl::string_view w) { warnings.emplace_back(w); };
    auto store = EventStore::Open(options);
    ASSERT_THAT(store, IsOk());
    // Health: taken, and a listener told once when that ends.
    EXPECT_THAT((*store)->AppendHealth().status, IsOk());
    std::vector<absl::Status> told;
    const int listener =
        (*store)->AddAppendHealthListener([&told](const absl::Status& s) { told.push_back(s); });
    EXPECT_TRUE(told.empty());
    ASSERT_THAT(
        (*store)->Append({RegisterGrant("reg", kGrant, kDecided), Receipt("rec", kGrant, kDecided),
                          Allocate("a1", kGrant, 600'000'00, "p7", "HS Kir")}),
        IsOk());
    ASSERT_EQ((*store)->Tree().size(), 3u);  // the first group's index write is done
    // The batch's synced write is the next append to the log; its index write the one after.
    fs->FailAppend(2);
    auto answered = (*store)->Append(batch);
    ASSERT_THAT(answered, IsOk()) << "the synced write succeeded: the batch is stored";
    head = answered->head.sequence;
    ASSERT_EQ(head, 23u);
    auto refused = (*store)->Append({Spend("after", kGrant, 5, "p7", "HS Kir", "2025-05-03")});
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable) << refused.status();
    EXPECT_THAT(refused.status().message(), HasSubstr("could not write its indexes"));
    EXPECT_THAT(refused.status().message(), HasSubstr("reopened"));
    EXPECT_GE(fs->appends_refused(), 1);
    const absl::Time asked = absl::Now();
    EXPECT_EQ((*store)->Tree().size(), 3u) << "the tree without the batch's leaves";
    EXPECT_LT(absl::Now() - asked, absl::Seconds(1)) << "a failed store must not wait for it";
    auto read = (*store)->Read(head);
    ASSERT_THAT(read, IsOk());
    EXPECT_EQ(read->record().event().event_id(), "f19");
    // What the append was told, health says, once, to the listener and in a warning.
    EXPECT_THAT((*store)->AppendHealth().status,
                StatusIs(absl::StatusCode::kUnavailable, HasSubstr("could not write its indexes")));
    EXPECT_TRUE((*store)->AppendHealth().stopped);
    ASSERT_EQ(told.size(), 1u);
    EXPECT_EQ(told[0], (*store)->AppendHealth().status);
    EXPECT_EQ(std::count_if(warnings.begin(), warnings.end(),
                            [](const std::string& w) {
                              return absl::StrContains(w, "appends stopped") &&
                                     absl::StrContains(w, "could not write its indexes");
                            }),
              1)
        << absl::StrJoin(warnings, "\n");
    // A listener added now is told at once; a removed one is not told again.
    std::vector<absl::Status> late;
    const int second =
        (*store)->AddAppendHealthListener([&late](const absl::Status& s) { late.push_back(s); });
    ASSERT_EQ(late.size(), 1u);
    EXPECT_EQ(late[0].code(), absl::StatusCode::kUnavailable);
    (*store)->RemoveAppendHealthListener(second);
    (*store)->RemoveAppendHealthListener(listener);
    EXPECT_EQ(told.size(), 1u);
  }
  // The store reopened on a working disk: the log holds the answered batch, the open puts its
  // ids and tiles, and the retry gets the original sequences back.
  {
    auto store = EventStore::Open(Options(path));
    ASSERT_THAT(store, IsOk());
    EXPECT_THAT((*store)->AppendHealth().status, IsOk());
    EXPECT_EQ((*store)->Head().sequence, head);
    EXPECT_EQ((*store)->Tree().size(), head);
    auto retried = (*store)->Append(batch);
    ASSERT_THAT(retried, IsOk());
    EXPECT_EQ(retried->head.sequence, head) << "the answered batch was posted a second time";
    EXPECT_TRUE(retried->duplicates.front());
    EXPECT_EQ(retried->sequences.back(), head);
    ASSERT_THAT((*store)->Append({Spend("after", kGrant, 5, "p7", "HS Kir", "2025-05-03")}),
                IsOk());
  }
  ExpectDerivedIntact(path);
}

// The index mark is derived too: one further back than the log's last write, or damaged, is
// found by verify; a damaged one stops a writable open (which would trust it) until reindex.
TEST_F(DerivedDataTest, AnAlteredIndexMarkIsDetected) {
  const std::string behind = Copy();
  { Raw(behind).Put(Raw::kCheckpoints, kIndexedThroughKey, EncodeSequence(head_ - 10)); }
  ExpectVerifyFinds(behind, "reaches only record");

  for (const auto& [family, key] :
       {std::pair{Raw::kCheckpoints, kIndexedThroughKey}, std::pair{Raw::kIds, kIdsThroughKey}}) {
    SCOPED_TRACE(key);
    const std::string damaged = Copy();
    { Raw(damaged).Put(family, key, "x"); }
    ExpectVerifyFinds(damaged, "mark");
    EXPECT_THAT(EventStore::Open(Options(damaged)),
                StatusIs(absl::StatusCode::kDataLoss, HasSubstr("grantledger reindex")));
    ExpectReindexRepairs(damaged);

    const std::string ahead = Copy();
    { Raw(ahead).Put(family, key, EncodeSequence(head_ + 1)); }
    ExpectVerifyFinds(ahead, "mark");
    EXPECT_THAT(EventStore::Open(Options(ahead)),
                StatusIs(absl::StatusCode::kDataLoss, HasSubstr("ahead of the log's head")));
  }
}

// The id index's mark is only ever behind it (a run whose mark a crash lost): verify then
// checks every entry past the mark against the record it names, and a writable open holds
// those ids in memory again. A mark moved forward over missing entries is found too.
TEST_F(DerivedDataTest, TheIdIndexPastItsMarkIsCheckedEntryByEntry) {
  const std::string behind = Copy();
  { Raw(behind).Put(Raw::kIds, kIdsThroughKey, EncodeSequence(20)); }
  ExpectDerivedIntact(behind);

  const std::string foreign = Copy();
  {
    Raw raw(foreign);
    raw.Put(Raw::kIds, kIdsThroughKey, EncodeSequence(20));
    raw.Put(Raw::kIds, "s30", EncodeSequence(head_ - 1));  // past the mark, another record's
  }
  ExpectVerifyFinds(foreign, "does not hold");
  ExpectReindexRepairs(foreign);

  const std::string missing = Copy();
  { Raw(missing).Delete(Raw::kIds, "s30"); }  // before the mark (the head): missing
  ExpectVerifyFinds(missing, "id index");

  // Opened to write with its mark behind: retries of ids both before and past the mark are
  // recognised, and the ledger closes with the index complete.
  {
    auto store = EventStore::Open(Options(behind));
    ASSERT_THAT(store, IsOk());
    for (int i : {2, 30, 39}) {
      const std::string date = absl::StrCat("2025-0", 1 + i % 9, "-1", i % 10);
      auto retried =
          (*store)->Append({Spend(absl::StrCat("s", i), kGrant, 1000 + i, "p7", "HS Kir", date)});
      ASSERT_THAT(retried, IsOk());
      EXPECT_TRUE(retried->duplicates.front()) << i;
    }
    EXPECT_EQ((*store)->Head().sequence, head_);
  }
  ExpectDerivedIntact(behind);
  { EXPECT_EQ(Raw(behind).Get(Raw::kIds, kIdsThroughKey), EncodeSequence(head_)); }
}

// The derived format names the id index's own mark: an older grantledger, which took the
// tree's mark for the ids' reach too, sees a format it does not know and rebuilds the indexes
// instead of trusting them. This version reads the format before the mark as current and
// rewrites it on its first writable open.
TEST_F(DerivedDataTest, TheDerivedFormatNamesTheIdIndexsOwnMark) {
  { EXPECT_EQ(Raw(original()).Get(Raw::kCheckpoints, kDerivedFormatKey), kDerivedFormat); }
  EXPECT_STRNE(kDerivedFormat, kDerivedFormatBeforeIdRuns);
  const std::string earlier = Copy();
  {
    Raw raw(earlier);
    raw.Put(Raw::kCheckpoints, kDerivedFormatKey, kDerivedFormatBeforeIdRuns);
    raw.Delete(Raw::kIds, kIdsThroughKey);  // as written before the mark: the tree's mark says
  }
  ExpectDerivedIntact(earlier);
  { ASSERT_THAT(EventStore::Open(Options(earlier)), IsOk()); }
  {
    Raw raw(earlier);
    EXPECT_EQ(raw.Get(Raw::kCheckpoints, kDerivedFormatKey), kDerivedFormat);
    EXPECT_EQ(raw.Get(Raw::kIds, kIdsThroughKey), EncodeSequence(head_));
  }
  ExpectDerivedIntact(earlier);
}

// Ids are written to the index in runs, on a thread of their own, while appends go on: with a
// run every few ids, retries of every batch so far are recognised whether their ids are in
// the active table, in the run being written, or in the index; the index then verifies.
TEST_F(DerivedDataTest, RetriesAreRecognisedAcrossIdRuns) {
  const std::string path = Copy();
  EventStoreOptions options = Options(path);
  options.id_run_size = 7;
  auto store = EventStore::Open(options);
  ASSERT_THAT(store, IsOk());
  std::vector<std::vector<v1::Event>> sent;
  for (int b = 0; b < 60; ++b) {
    std::vector<v1::Event> batch;
    for (int k = 0; k < 1 + b % 4; ++k) {
      batch.push_back(Spend(absl::StrCat("run", b, "-", k), kGrant, 10, "p7", "HS Kir"));
    }
    ASSERT_THAT((*store)->Append(batch), IsOk());
    sent.push_back(batch);
    // Every batch so far, again: each id is a duplicate.
    const uint64_t head = (*store)->Head().sequence;
    for (int r = b; r >= 0 && r > b - 6; --r) {
      auto retried = (*store)->Append(sent[r]);
      ASSERT_THAT(retried, IsOk());
      for (bool duplicate : retried->duplicates) EXPECT_TRUE(duplicate) << "batch " << r;
    }
    ASSERT_EQ((*store)->Head().sequence, head) << "a retry was posted again";
  }
  for (const std::vector<v1::Event>& batch : sent) {
    auto retried = (*store)->Append(batch);
    ASSERT_THAT(retried, IsOk());
    for (bool duplicate : retried->duplicates) EXPECT_TRUE(duplicate);
  }
  auto derived = (*store)->VerifyDerived();
  ASSERT_THAT(derived, IsOk());
  EXPECT_TRUE(derived->ok) << derived->problem;
  store->reset();
  ExpectDerivedIntact(path);
}

// A stored history part altered, or deleted: an as-of question falls back to the log and
// answers as before; verify finds it; reindex repairs it.
TEST_F(DerivedDataTest, AnAlteredOrDeletedHistoryPartChangesNoAnswer) {
  for (bool remove : {false, true}) {
    SCOPED_TRACE(remove ? "deleted" : "altered");
    const std::string path = Copy();
    {
      Raw raw(path);
      std::map<std::string, std::string> parts = raw.All(Raw::kHistories);
      ASSERT_GT(parts.size(), 4u);
      // kGrant's first chunk ('C' at the first checkpoint).
      auto it = parts.lower_bound(HistoryStore::Key(kGrant, 'C', 0));
      ASSERT_NE(it, parts.end());
      if (remove) {
        raw.Delete(Raw::kHistories, it->first);
      } else {
        std::string value = it->second;
        value.back() ^= 0x01;
        raw.Put(Raw::kHistories, it->first, value);
      }
    }
    {
      EventStoreOptions options = Options(path);
      options.read_only = true;
      auto store = EventStore::Open(options);
      ASSERT_THAT(store, IsOk());
      ExpectSameAnswers(**store);
    }
    ExpectVerifyFinds(path, "history");
    ExpectReindexRepairs(path);
  }
}

// The compacted moves a checkpoint names, altered: refused at open, and rebuilt.
TEST_F(DerivedDataTest, TheCheckpointsFoldedMovesAreCheckedOnOpen) {
  const std::string path = Copy();
  {
    Raw raw(path);
    std::map<std::string, std::string> parts = raw.All(Raw::kHistories);
    // kGrant's last folded part: the one the checkpoint names.
    auto it = parts.lower_bound(HistoryStore::Key(kGrant, 'S', ~uint64_t{0}));
    ASSERT_NE(it, parts.begin());
    --it;
    std::string value = it->second;
    value[kHashBytes + 2] ^= 0x01;
    raw.Put(Raw::kHistories, it->first,
            ChainHash(it->first, value.substr(kHashBytes)) +
                value.substr(kHashBytes));  // resealed itself
  }
  auto store = EventStore::Open(Options(path));
  ASSERT_THAT(store, IsOk());
  EXPECT_THAT(warnings_, ::testing::Contains(HasSubstr("not what the checkpoint wrote")));
  ExpectSameAnswers(**store);
}

// Derived data from an earlier version (no "derived" mark): rebuilt on a writable open; a
// read-only open says how to carry it over.
TEST_F(DerivedDataTest, EarlierDerivedDataIsRebuiltOnAWritableOpen) {
  const std::string path = Copy();
  { Raw(path).Delete(Raw::kCheckpoints, kDerivedFormatKey); }
  {
    EventStoreOptions options = Options(path);
    options.read_only = true;
    EXPECT_THAT(EventStore::Open(options),
                StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("reindex")));
  }
  {
    auto store = EventStore::Open(Options(path));
    ASSERT_THAT(store, IsOk());
    ExpectSameAnswers(**store);
  }
  ExpectDerivedIntact(path);
}

// Questions as known at every sequence equal a rebuild from the log alone (which reads no
// stored history): the parts on disk answer exactly as the log does.
TEST_F(DerivedDataTest, StoredPartsAnswerAsTheLogDoes) {
  EventStoreOptions options = Options(original());
  options.read_only = true;
  auto store = EventStore::Open(options);
  ASSERT_THAT(store, IsOk());
  const std::vector<absl::CivilDay> days = {absl::CivilDay(2025, 3, 1), absl::CivilDay(2025, 6, 12),
                                            absl::CivilDay(2026, 1, 1)};
  for (uint64_t seq = 1; seq <= head_; ++seq) {
    auto at = (*store)->GrantAtSequence(kGrant, seq);
    auto p = (*store)->Position(kGrant, AsOf{absl::CivilDay(2026, 1, 1), seq});
    auto count = (*store)->GrantCountAt(kGrant, seq);
    auto series = (*store)->PositionsOn(kGrant, days, seq);
    if (!at.ok()) {
      EXPECT_FALSE(p.ok());
      EXPECT_THAT(count, StatusIs(absl::StatusCode::kNotFound, HasSubstr("not registered by")));
      EXPECT_FALSE(series.ok());
      continue;
    }
    ASSERT_THAT(p, IsOk());
    // The version read from the grant index equals the replay's count.
    ASSERT_THAT(count, IsOk());
    EXPECT_EQ(*count, at->event_count) << seq;
    // Positions on several dates at once equal one Position per date.
    ASSERT_THAT(series, IsOk());
    ASSERT_EQ(series->size(), days.size());
    for (size_t i = 0; i < days.size(); ++i) {
      auto one = (*store)->Position(kGrant, AsOf{days[i], seq});
      ASSERT_THAT(one, IsOk());
      EXPECT_EQ(Describe((*series)[i]), Describe(*one)) << seq << " " << days[i];
    }
    EXPECT_EQ(p->balance.spent_ore.value(), at->SpentOre()) << seq;
    EXPECT_EQ(p->balance.received_ore.value(), at->received_ore()) << seq;
  }
}

// The Merkle tree (merkle_store.h) over a ledger of 600 records: two full level-0 tiles and a
// partial third. Roots and proofs before and after tampering with a tile are compared.
class DerivedTreeTest : public DerivedDataTest {
 public:
  void SetUp() override {
    EventStoreOptions options = Options(original());
    auto store = EventStore::Open(options);
    ASSERT_THAT(store, IsOk());
    ASSERT_THAT((*store)->Append({RegisterGrant("reg", kGrant, kDecided)}), IsOk());
    std::vector<v1::Event> batch;
    for (int i = 0; i < 599; ++i) batch.push_back(Spend(absl::StrCat("t", i), kGrant, 1 + i));
    ASSERT_THAT((*store)->Append(batch), IsOk());
    RecordAnswers(**store);
    roots_ = Roots(**store);
  }
  // The root at a few sizes and a proof of each kind, as one comparable text.
  static std::string Roots(const EventStore& store) {
    const MerkleStore& tree = store.Tree();
    std::string out;
    for (uint64_t size : {1, 255, 256, 300, 512, 600}) {
      auto root = tree.Root(size);
      if (!root.ok()) return std::string(root.status().message());
      absl::StrAppend(&out, size, ":", HexOf(*root), ";");
    }
    auto inclusion = tree.InclusionProof(3, 600);
    auto consistency = tree.ConsistencyProof(257, 600);
    if (!inclusion.ok() || !consistency.ok()) return "a proof failed";
    for (const auto& h : *inclusion) absl::StrAppend(&out, HexOf(h));
    for (const auto& h : *consistency) absl::StrAppend(&out, HexOf(h));
    return out;
  }
  std::string roots_;
};

TEST_F(DerivedTreeTest, TheTreeIsStoredInTilesAndReopensWithTheSameRoots) {
  EventStoreOptions options = Options(original());
  options.read_only = true;
  auto store = EventStore::Open(options);
  ASSERT_THAT(store, IsOk());
  EXPECT_EQ((*store)->Tree().size(), 600u);
  EXPECT_EQ(Roots(**store), roots_);
  auto tiles = Raw(original()).All(Raw::kTree);
  EXPECT_EQ(tiles.size(), 2u);  // (0, 0) and (0, 1); the rest is the edge, rebuilt on open
  EXPECT_EQ(tiles.begin()->second.size(), kTileBytes);
  ExpectDerivedIntact(original());
  EXPECT_THAT((*store)->Tree().Root(601),
              StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("600")));
  EXPECT_THAT((*store)->Tree().ConsistencyProof(0, 600),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("0")));
}

// One byte of a full tile changed: verify names the tile; a read-only open refuses the tree's
// queries (its root at the checkpoint no longer matches); a writable open rebuilds it; reindex
// makes it whole.
TEST_F(DerivedTreeTest, ADamagedTileIsFoundByVerifyAndRepairedByReindex) {
  const std::string path = Copy();
  {
    Raw raw(path);
    std::string tile = raw.Get(Raw::kTree, TileKey(0, 1));
    tile[100] ^= 1;
    raw.Put(Raw::kTree, TileKey(0, 1), tile);
  }
  ExpectVerifyFinds(path, "tile (0, 1)");
  {
    EventStoreOptions options = Options(path);
    options.read_only = true;
    auto store = EventStore::Open(options);
    ASSERT_THAT(store, IsOk());
    EXPECT_THAT((*store)->Tree().Root(600),
                StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("reindex")));
  }
  const std::string reopened = Copy();
  {
    Raw raw(reopened);
    std::string tile = raw.Get(Raw::kTree, TileKey(0, 0));
    tile[5] ^= 1;
    raw.Put(Raw::kTree, TileKey(0, 0), tile);
  }
  {
    auto store = EventStore::Open(Options(reopened));
    ASSERT_THAT(store, IsOk());
    EXPECT_THAT(warnings_, ::testing::Contains(HasSubstr("Merkle tree")));
    EXPECT_EQ(Roots(**store), roots_);
  }
  ExpectDerivedIntact(reopened);
  ExpectReindexRepairs(path);
  EventStoreOptions options = Options(path);
  options.read_only = true;
  auto store = EventStore::Open(options);
  ASSERT_THAT(store, IsOk());
  EXPECT_EQ(Roots(**store), roots_);
}

TEST_F(DerivedTreeTest, AMissingOrExtraTileIsFoundByVerify) {
  const std::string missing = Copy();
  { Raw(missing).Delete(Raw::kTree, TileKey(0, 0)); }
  ExpectVerifyFinds(missing, "tile (0, 0)");
  const std::string extra = Copy();
  { Raw(extra).Put(Raw::kTree, TileKey(0, 7), std::string(kTileBytes, 'x')); }
  ExpectVerifyFinds(extra, "beyond the log's head");
  ExpectReindexRepairs(extra);
  ExpectReindexRepairs(missing);
  EventStoreOptions options = Options(missing);
  options.read_only = true;
  auto store = EventStore::Open(options);
  ASSERT_THAT(store, IsOk());
  EXPECT_EQ(Roots(**store), roots_);
}

// Appends after a reopen continue the tree from the rebuilt edge: the tiles they complete are
// the ones a ledger written in one go has.
TEST_F(DerivedTreeTest, AppendsAfterAReopenCompleteTheSameTiles) {
  const std::string path = Copy();
  {
    auto store = EventStore::Open(Options(path));
    ASSERT_THAT(store, IsOk());
    std::vector<v1::Event> batch;
    for (int i = 0; i < 200; ++i) batch.push_back(Spend(absl::StrCat("u", i), kGrant, 1));
    ASSERT_THAT((*store)->Append(batch), IsOk());
    EXPECT_EQ((*store)->Tree().size(), 800u);
  }
  EXPECT_EQ(Raw(path).All(Raw::kTree).size(), 3u);
  ExpectDerivedIntact(path);
}

// `verify` walks every tile once, past the block cache, as `restore` does right after writing
// them. A walk that filled the cache kept a decade's tiles in memory beside the log it reads
// (session 13: `restore` of 1M events peaked at 273-279 MiB, and 255 MiB with the walk past
// the cache).
TEST_F(DerivedTreeTest, VerifyReadsTheTilesPastTheBlockCache) {
  const std::string path = Copy();
  auto store = EventStore::Open(Options(path));
  ASSERT_THAT(store, IsOk());
  for (int b = 0; b < 40; ++b) {
    std::vector<v1::Event> batch;
    for (int i = 0; i < 500; ++i) batch.push_back(Spend(absl::StrCat("m", b, "-", i), kGrant, 1));
    ASSERT_THAT((*store)->Append(batch), IsOk());
  }
  ASSERT_THAT((*store)->FlushToTables(), IsOk());  // the tiles in table files, none of them cached
  const uint64_t tiles = (*store)->Tree().size() >> kTileHeight;
  ASSERT_EQ(tiles, 80u);  // 20 600 records
  const uint64_t before = (*store)->BlockCacheBytes();
  auto chain = (*store)->Verify(0, 0);
  ASSERT_THAT(chain, IsOk());
  auto derived = (*store)->VerifyDerived();
  ASSERT_THAT(derived, IsOk());
  EXPECT_TRUE(derived->ok) << derived->problem;
  const uint64_t grown = (*store)->BlockCacheBytes() - before;
  EXPECT_LT(grown, tiles * kTileBytes / 4)
      << "verify kept the tiles it read in the block cache: " << grown << " bytes more";
}

}  // namespace
}  // namespace grantledger
