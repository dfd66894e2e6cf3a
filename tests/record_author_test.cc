// The author in the record: set by the store from AppendOptions (the local user by default),
// inside the hashed bytes on both chaining paths, kept verbatim by restore; a changed author
// is found by verify; records written before authors were recorded still verify.
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/ledger_state.h"
#include "ledger/local_author.h"
#include "ledger/store/event_store.h"
#include "ledger/store/log_format.h"
#include "ledger/store/merkle_store.h"
#include "rocksdb/db.h"
#include "tests/test_support.h"

namespace grantledger {
namespace {

using ::grantledger::testing::IsOk;
using ::grantledger::testing::Receipt;
using ::grantledger::testing::RegisterGrant;
using ::grantledger::testing::Spend;
using ::grantledger::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kGrant[] = "RS/1/2025";

std::unique_ptr<EventStore> Open(const std::string& path, bool wait_to_chain_ahead = false) {
  EventStoreOptions options;
  options.path = path;
  options.sync = false;
  options.wait_to_chain_ahead = wait_to_chain_ahead;
  auto store = EventStore::Open(options);
  EXPECT_THAT(store, IsOk());
  return store.ok() ? *std::move(store) : nullptr;
}

AppendOptions By(const std::string& author) {
  AppendOptions options;
  options.author = author;
  return options;
}

TEST(RecordAuthorTest, TheStoreRecordsTheGivenAuthorOrTheLocalUserOnBothChainingPaths) {
  for (bool chain_ahead : {false, true}) {
    SCOPED_TRACE(chain_ahead ? "callers chain ahead" : "the writer thread chains");
    TempDir dir;
    auto store = Open(dir.path(), chain_ahead);
    ASSERT_THAT(store->Append({RegisterGrant("r", kGrant, 1'000'000)}, By("spiffe://x/coord")),
                IsOk());
    ASSERT_THAT(store->Append({Receipt("p", kGrant, 500)}), IsOk());
    // Asynchronous appends (the server's path) as well.
    absl::Notification done;
    store->AppendAsync(std::vector<v1::Event>{Spend("s", kGrant, 100)}, By("insecure:peer"),
                       [&](absl::StatusOr<AppendResult> r) {
                         EXPECT_THAT(r, IsOk());
                         done.Notify();
                       });
    done.WaitForNotification();
    EXPECT_EQ(store->Read(1)->record().author(), "spiffe://x/coord");
    EXPECT_EQ(store->Read(2)->record().author(), LocalAuthor());
    EXPECT_THAT(LocalAuthor(), StartsWith("local:"));
    EXPECT_EQ(store->Read(3)->record().author(), "insecure:peer");
    auto verified = store->Verify(0, 0);
    ASSERT_THAT(verified, IsOk());
    EXPECT_TRUE(verified->ok) << verified->problem;
    if (chain_ahead) {
      EXPECT_GT(store->batches_chained_ahead(), 0u);
    }
  }
}

// Replaces `from` by `to` (same length) in the stored log entries of a closed data directory.
void ReplaceInStoredLog(const std::string& path, const std::string& from, const std::string& to) {
  ASSERT_EQ(from.size(), to.size());
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {{rocksdb::kDefaultColumnFamilyName, {}},
                                                           {kLogColumnFamily, {}},
                                                           {kGrantIndexColumnFamily, {}},
                                                           {kCheckpointColumnFamily, {}},
                                                           {kIdsColumnFamily, {}},
                                                           {kHistoriesColumnFamily, {}},
                                                           {kTreeColumnFamily, {}}};
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), path, families, &handles, &raw).ok());
  int replaced = 0;
  {
    std::unique_ptr<rocksdb::Iterator> it(raw->NewIterator({}, handles[1]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::string value = it->value().ToString();
      const size_t at = value.find(from);
      if (at == std::string::npos) continue;
      value.replace(at, from.size(), to);
      ASSERT_TRUE(raw->Put({}, handles[1], it->key(), value).ok());
      ++replaced;
    }
  }
  EXPECT_EQ(replaced, 1);
  for (auto* h : handles) raw->DestroyColumnFamilyHandle(h);
  delete raw;
}

TEST(RecordAuthorTest, VerifyFindsAnAuthorChangedInACopyOfTheDataDirectory) {
  TempDir dir;
  {
    auto store = Open(dir.path());
    ASSERT_THAT(store->Append({RegisterGrant("r", kGrant, 1'000'000)}, By("author-a")), IsOk());
    ASSERT_THAT(store->Append({Receipt("p", kGrant, 500)}, By("spiffe://x/poster-1")), IsOk());
    ASSERT_THAT(store->Append({Spend("s", kGrant, 100)}, By("author-c")), IsOk());
  }
  const std::string copy = absl::StrCat(dir.path(), "/copy");
  std::filesystem::create_directory(copy);
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    if (entry.path() != copy) std::filesystem::copy(entry.path(), copy / entry.path().filename());
  }
  ReplaceInStoredLog(copy, "spiffe://x/poster-1", "spiffe://x/poster-2");
  auto altered = Open(copy);
  auto verified = altered->Verify(0, 0);
  ASSERT_THAT(verified, IsOk());
  EXPECT_FALSE(verified->ok);
  EXPECT_EQ(verified->first_bad_sequence, 2u);
  EXPECT_THAT(verified->problem, HasSubstr("altered"));
  // The original is untouched and still verifies.
  auto original = Open(dir.path());
  auto clean = original->Verify(0, 0);
  ASSERT_THAT(clean, IsOk());
  EXPECT_TRUE(clean->ok);
}

// Exports `store`'s records as restore reads them.
std::vector<RestoredRecord> ExportOf(const EventStore& store) {
  std::vector<RestoredRecord> out;
  EXPECT_THAT(store.Scan(1, 0, "",
                         [&](const v1::RecordedEvent& r) {
                           out.push_back(RestoredRecord{
                               r.record().sequence(), r.record().recorded_time_unix_micros(),
                               r.record().event(), r.hash(), r.record().author()});
                           return true;
                         }),
              IsOk());
  return out;
}

TEST(RecordAuthorTest, RestoreKeepsTheAuthorVerbatimAndRefusesAChangedOne) {
  TempDir dir;
  auto source = Open(absl::StrCat(dir.path(), "/source"));
  ASSERT_THAT(source->Append({RegisterGrant("r", kGrant, 1'000'000)}, By("spiffe://x/coord")),
              IsOk());
  ASSERT_THAT(source->Append({Receipt("p", kGrant, 500)}, By("spiffe://x/poster")), IsOk());
  std::vector<RestoredRecord> records = ExportOf(*source);
  {
    auto copy = Open(absl::StrCat(dir.path(), "/copy"));
    auto head = copy->Restore(records);
    ASSERT_THAT(head, IsOk());
    EXPECT_EQ(head->head_hash, source->Head().head_hash);
    EXPECT_EQ(copy->Read(2)->record().author(), "spiffe://x/poster");
  }
  records[1].author = "spiffe://x/other";
  auto altered = Open(absl::StrCat(dir.path(), "/altered"));
  EXPECT_THAT(altered->Restore(records),
              testing::StatusIs(absl::StatusCode::kDataLoss, HasSubstr("record 2")));
  EXPECT_EQ(altered->Head().sequence, 0u);
}

TEST(RecordAuthorTest, RecordsWrittenBeforeAuthorsWereRecordedStillVerify) {
  // An export made by the previous version: records without an author, hashed as they were
  // stored then (the EventRecord's sequence, recorded time and event).
  std::vector<v1::Event> events = {RegisterGrant("r", kGrant, 1'000'000), Receipt("p", kGrant, 5)};
  std::vector<RestoredRecord> old;
  std::string prev_hash = GenesisHash();
  for (size_t i = 0; i < events.size(); ++i) {
    v1::EventRecord record;
    record.set_sequence(i + 1);
    record.set_recorded_time_unix_micros(1'700'000'000'000'000 + static_cast<int64_t>(i));
    *record.mutable_event() = events[i];
    std::string bytes;
    ASSERT_TRUE(record.SerializeToString(&bytes));
    prev_hash = ChainHash(prev_hash, bytes);
    old.push_back(
        RestoredRecord{i + 1, record.recorded_time_unix_micros(), events[i], prev_hash, ""});
  }
  TempDir dir;
  auto store = Open(dir.path());
  auto head = store->Restore(old);
  ASSERT_THAT(head, IsOk());
  EXPECT_EQ(head->head_hash, prev_hash);
  EXPECT_EQ(store->Read(2)->record().author(), "");
  // New records after them carry an author; the whole chain verifies.
  ASSERT_THAT(store->Append({Spend("s", kGrant, 1)}, By("spiffe://x/poster")), IsOk());
  auto verified = store->Verify(0, 0);
  ASSERT_THAT(verified, IsOk());
  EXPECT_TRUE(verified->ok) << verified->problem;
}

}  // namespace
}  // namespace grantledger
