// The event store against a real RocksDB in a temporary directory: append and read back,
// idempotency, atomic batches, the hash chain and tampering, reopen and replay, concurrency.
#include "ledger/store/event_store.h"

#include <atomic>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/balances.h"
#include "ledger/store/log_format.h"
#include "ledger/store/merkle_store.h"
#include "rocksdb/db.h"
#include "tests/test_support.h"

namespace grantledger {
namespace {

using ::grantledger::testing::Allocate;
using ::grantledger::testing::IsOk;
using ::grantledger::testing::Receipt;
using ::grantledger::testing::RegisterGrant;
using ::grantledger::testing::Reverse;
using ::grantledger::testing::Spend;
using ::grantledger::testing::StatusIs;
using ::grantledger::testing::TempDir;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kGrant[] = "RS/229/2025";

std::unique_ptr<EventStore> OpenStore(const std::string& path,
                                      uint64_t checkpoint_interval = 50'000) {
  EventStoreOptions options;
  options.path = path;
  options.check_invariants = true;
  options.checkpoint_interval_events = checkpoint_interval;
  auto store = EventStore::Open(options);
  EXPECT_THAT(store, IsOk());
  return std::move(*store);
}

std::vector<v1::Event> GrantSetup() {
  return {RegisterGrant("reg", kGrant, 1'000'000'00), Receipt("rec", kGrant, 1'000'000'00),
          Allocate("a1", kGrant, 600'000'00, "p7", "HS Kir")};
}

TEST(EventStoreTest, AppendAssignsGapFreeSequencesAndReadsBack) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  auto result = store->Append(GrantSetup());
  ASSERT_THAT(result, IsOk());
  EXPECT_THAT(result->sequences, ElementsAre(1, 2, 3));
  EXPECT_EQ(result->head.sequence, 3u);
  auto more = store->Append({Spend("s1", kGrant, 1'000'00, "p7", "HS Kir")});
  ASSERT_THAT(more, IsOk());
  EXPECT_THAT(more->sequences, ElementsAre(4));
  auto read = store->Read(4);
  ASSERT_THAT(read, IsOk());
  EXPECT_EQ(read->record().sequence(), 4u);
  EXPECT_EQ(read->record().event().event_id(), "s1");
  EXPECT_EQ(read->record().prev_hash(), store->Read(3)->hash());
  EXPECT_EQ(read->hash(), more->head.head_hash);
  EXPECT_GT(read->record().recorded_time_unix_micros(), 0);
  EXPECT_THAT(store->Read(5), StatusIs(absl::StatusCode::kNotFound, HasSubstr("sequence 5")));
}

TEST(EventStoreTest, RetryWithSameContentReturnsOriginalSequenceAndWritesNothing) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_THAT(store->Append(GrantSetup()), IsOk());
  auto retry = store->Append(GrantSetup());
  ASSERT_THAT(retry, IsOk());
  EXPECT_THAT(retry->sequences, ElementsAre(1, 2, 3));
  EXPECT_THAT(retry->duplicates, ElementsAre(true, true, true));
  EXPECT_EQ(store->Head().sequence, 3u);
  EXPECT_EQ(BalanceOfGrant(*store->Grant(kGrant)).received_ore.value(), 1'000'000'00);
}

TEST(EventStoreTest, SameIdWithOtherContentIsAlreadyExists) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_THAT(store->Append(GrantSetup()), IsOk());
  auto changed = store->Append({Receipt("rec", kGrant, 5'00)});
  EXPECT_THAT(changed, StatusIs(absl::StatusCode::kAlreadyExists,
                                AllOf(HasSubstr("event 0"), HasSubstr("\"rec\""),
                                      HasSubstr("sequence 2"), HasSubstr("new event_id"))));
  EXPECT_EQ(store->Head().sequence, 3u);
}

TEST(EventStoreTest, RejectedBatchNamesTheEventAndWritesNothing) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_THAT(store->Append(GrantSetup()), IsOk());
  const Digest before = store->Head();
  const LedgerState state_before = store->State();
  // The third event allocates beyond the decided amount: the first two must not land either.
  auto result = store->Append({Spend("s1", kGrant, 100'00, "p7", "HS Kir"),
                               Allocate("a2", kGrant, 300'000'00, "p13", "Med"),
                               Allocate("a3", kGrant, 100'000'01, "p1", "Regionen")});
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kFailedPrecondition,
                               AllOf(HasSubstr("event 2"), HasSubstr("\"a3\""),
                                     HasSubstr("allocation.amount_ore"))));
  EXPECT_EQ(store->Head().sequence, before.sequence);
  EXPECT_EQ(store->Head().head_hash, before.head_hash);
  EXPECT_EQ(store->State(), state_before);
  EXPECT_THAT(store->Read(4), StatusIs(absl::StatusCode::kNotFound, ::testing::_));
  // The same ids are free to use: nothing of the batch was recorded.
  auto ok = store->Append({Spend("s1", kGrant, 100'00, "p7", "HS Kir")});
  ASSERT_THAT(ok, IsOk());
  EXPECT_THAT(ok->sequences, ElementsAre(4));
}

// Events are encoded and shape-checked while the writer thread validates the ones before
// them: a malformed event late in a large batch still rejects the whole batch, by its index,
// and a rule broken earlier in the batch is the error reported (the batch is judged in order).
TEST(EventStoreTest, AMalformedEventLateInALargeBatchRejectsItAll) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_THAT(store->Append(GrantSetup()), IsOk());
  const Digest before = store->Head();
  std::vector<v1::Event> batch;
  for (int i = 0; i < 500; ++i)
    batch.push_back(Spend(absl::StrCat("s", i), kGrant, 1, "p7", "HS Kir"));
  batch[437].set_effective_date("2025-02-30");
  EXPECT_THAT(store->Append(batch),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("event 437"), HasSubstr("effective_date"))));
  batch[12] = Allocate("too-much", kGrant, 500'000'00, "p1", "Regionen");
  EXPECT_THAT(store->Append(batch), StatusIs(absl::StatusCode::kFailedPrecondition,
                                             AllOf(HasSubstr("event 12"), HasSubstr("too-much"))));
  EXPECT_EQ(store->Head().sequence, before.sequence);
  EXPECT_EQ(store->Head().head_hash, before.head_hash);

  // The same through AppendAsync over events the caller keeps (as the server passes a request).
  google::protobuf::RepeatedPtrField<v1::Event> request(batch.begin(), batch.end());
  request[12] = Spend("s12", kGrant, 1, "p7", "HS Kir");
  absl::Notification done;
  absl::Status status;
  store->AppendAsync(request, {}, [&](absl::StatusOr<AppendResult> result) {
    status = result.status();
    done.Notify();
  });
  done.WaitForNotification();
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("event 437")));
  request[437].set_effective_date("2025-02-28");
  absl::Notification written;
  std::vector<uint64_t> sequences;
  store->AppendAsync(request, {}, [&](absl::StatusOr<AppendResult> result) {
    ASSERT_THAT(result, IsOk());
    sequences = result->sequences;
    written.Notify();
  });
  written.WaitForNotification();
  ASSERT_EQ(sequences.size(), 500u);
  EXPECT_EQ(sequences.front(), 4u);
  EXPECT_EQ(sequences.back(), 503u);
  EXPECT_EQ(store->Read(440)->record().event().event_id(), "s436");
}

// Records are stored one entry per write: reads, scans (whole log, from the middle of an
// entry, one grant's) and Verify cross entries of every size.
TEST(EventStoreTest, RecordsAreReadAcrossEntriesOfEverySize) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_THAT(store->Append(GrantSetup()), IsOk());  // one entry: 1-3
  ASSERT_THAT(store->Append({RegisterGrant("reg2", "RS/2/2025", 1'000'00),
                             Receipt("rec2", "RS/2/2025", 1'000'00)}),
              IsOk());  // 4-5
  for (int round = 0; round < 3; ++round) {
    std::vector<v1::Event> batch;
    for (int i = 0; i < 7; ++i) {
      const bool second = i % 3 == 0;
      batch.push_back(Spend(absl::StrCat("r", round, "-", i), second ? "RS/2/2025" : kGrant, 1));
    }
    ASSERT_THAT(store->Append(batch), IsOk());
    ASSERT_THAT(store->Append({Spend(absl::StrCat("single", round), kGrant, 1)}), IsOk());
  }
  const uint64_t head = store->Head().sequence;
  ASSERT_EQ(head, 5u + 3 * 8);
  std::string prev = std::string(32, '\0');
  for (uint64_t sequence = 1; sequence <= head; ++sequence) {
    auto read = store->Read(sequence);
    ASSERT_THAT(read, IsOk());
    EXPECT_EQ(read->record().sequence(), sequence);
    EXPECT_EQ(read->record().prev_hash(), prev);
    prev = read->hash();
  }
  EXPECT_THAT(store->Read(head + 1), StatusIs(absl::StatusCode::kNotFound, ::testing::_));
  std::vector<uint64_t> scanned;
  ASSERT_THAT(store->Scan(9, 17, "",
                          [&](const v1::RecordedEvent& r) {
                            scanned.push_back(r.record().sequence());
                            return true;
                          }),
              IsOk());
  EXPECT_THAT(scanned, ElementsAre(9, 10, 11, 12, 13, 14, 15, 16, 17));
  std::vector<uint64_t> second;
  ASSERT_THAT(store->Scan(0, 0, "RS/2/2025",
                          [&](const v1::RecordedEvent& r) {
                            EXPECT_EQ(r.record().event().grant_id(), "RS/2/2025");
                            second.push_back(r.record().sequence());
                            return true;
                          }),
              IsOk());
  EXPECT_THAT(second, ElementsAre(4, 5, 6, 9, 12, 14, 17, 20, 22, 25, 28));
  auto verified = store->Verify(7, 20);
  ASSERT_THAT(verified, IsOk());
  EXPECT_TRUE(verified->ok);
  EXPECT_EQ(verified->checked, 14u);
}

TEST(EventStoreTest, LaterEventsInABatchSeeEarlierOnes) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  auto result = store->Append({RegisterGrant("reg", kGrant, 100'00), Receipt("rec", kGrant, 100'00),
                               Spend("s", kGrant, 40'00), Reverse("v", kGrant, 3)});
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(BalanceOfGrant(*store->Grant(kGrant)).spent_ore.value(), 0);
}

TEST(EventStoreTest, BatchDuplicateIdsWithinOneBatch) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_THAT(store->Append(GrantSetup()), IsOk());
  auto same = store->Append({Spend("s", kGrant, 1), Spend("s", kGrant, 1)});
  ASSERT_THAT(same, IsOk());
  EXPECT_THAT(same->sequences, ElementsAre(4, 4));
  EXPECT_THAT(store->Append({Spend("t", kGrant, 1), Spend("t", kGrant, 2)}),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("event 1")));
}

TEST(EventStoreTest, ExpectedVersionIsOptimisticConcurrency) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_THAT(store->Append(GrantSetup()), IsOk());
  AppendOptions stale;
  stale.expected_versions[kGrant] = 2;
  EXPECT_THAT(store->Append({Spend("s", kGrant, 1)}, stale),
              StatusIs(absl::StatusCode::kAborted, HasSubstr("version 3, not 2")));
  AppendOptions current;
  current.expected_versions[kGrant] = 3;
  EXPECT_THAT(store->Append({Spend("s", kGrant, 1)}, current), IsOk());
}

// Changes one byte of record `sequence` directly in RocksDB, keeping its length: inside the
// event's bytes (`in_hash` false) or inside its stored hash.
void AlterStoredRecord(const std::string& path, uint64_t sequence, bool in_hash) {
  rocksdb::Options options;
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {{rocksdb::kDefaultColumnFamilyName, {}},
                                                           {kLogColumnFamily, {}},
                                                           {kGrantIndexColumnFamily, {}},
                                                           {kCheckpointColumnFamily, {}},
                                                           {kIdsColumnFamily, {}},
                                                           {kHistoriesColumnFamily, {}},
                                                           {kTreeColumnFamily, {}}};
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(options, path, families, &handles, &raw).ok());
  std::unique_ptr<rocksdb::Iterator> it(raw->NewIterator({}, handles[1]));
  it->SeekForPrev(EncodeSequence(sequence));  // the entry (one write) holding the record
  ASSERT_TRUE(it->Valid());
  const std::string key = it->key().ToString();
  std::string value = it->value().ToString();
  it.reset();
  std::vector<LogValue> records;
  ASSERT_TRUE(SplitLogEntry(value, records));
  const uint64_t first = DecodeSequence(key);
  ASSERT_LT(sequence - first, records.size());
  const LogValue& record = records[sequence - first];
  const char* target = in_hash ? record.hash.data() + 5
                               : record.record_bytes.data() + record.record_bytes.size() - 3;
  value[target - value.data()] ^= 0x01;
  ASSERT_TRUE(raw->Put({}, handles[1], key, value).ok());
  for (auto* h : handles) raw->DestroyColumnFamilyHandle(h);
  delete raw;
}

TEST(EventStoreTest, VerifyNamesTheSequenceWhoseStoredByteWasChanged) {
  for (bool in_hash : {false, true}) {
    SCOPED_TRACE(in_hash ? "a byte of the stored hash" : "a byte of the event");
    TempDir dir;
    {
      auto store = OpenStore(dir.path());
      ASSERT_THAT(store->Append(GrantSetup()), IsOk());  // records 1-3
      std::vector<v1::Event> batch;                      // records 4-13, stored together
      for (int i = 0; i < 10; ++i) {
        batch.push_back(Spend(absl::StrCat("s", i), kGrant, 100 + i, "p7", "HS Kir"));
      }
      ASSERT_THAT(store->Append(batch), IsOk());
      auto clean = store->Verify(0, 0);
      ASSERT_THAT(clean, IsOk());
      EXPECT_TRUE(clean->ok);
      EXPECT_EQ(clean->checked, 13u);
    }
    AlterStoredRecord(dir.path(), 7, in_hash);
    // Opening replays only the tail after the checkpoint, so the store still opens; Verify
    // recomputes the whole chain from the stored bytes.
    auto store = OpenStore(dir.path());
    auto verified = store->Verify(0, 0);
    ASSERT_THAT(verified, IsOk());
    EXPECT_FALSE(verified->ok);
    EXPECT_EQ(verified->first_bad_sequence, 7u);
    EXPECT_THAT(verified->problem, HasSubstr("altered"));
    EXPECT_EQ(verified->last_good.sequence, 6u);
    auto before = store->Verify(1, 6);
    ASSERT_THAT(before, IsOk());
    EXPECT_TRUE(before->ok);
    auto from_middle = store->Verify(5, 6);
    ASSERT_THAT(from_middle, IsOk());
    EXPECT_TRUE(from_middle->ok);
    EXPECT_EQ(from_middle->checked, 2u);
    auto after = store->Verify(8, 13);  // the chain from 7's stored hash on is intact
    ASSERT_THAT(after, IsOk());
    EXPECT_EQ(after->ok, !in_hash);
  }
}

// Retries, new ids and reopening (the id index is on disk, keyed by the exact id).
TEST(EventStoreTest, IdsAreToldApartAcrossRetriesAndReopening) {
  TempDir dir;
  EventStoreOptions options;
  options.path = dir.path();
  std::vector<v1::Event> batch;
  for (int i = 0; i < 5; ++i) batch.push_back(Spend(absl::StrCat("s", i), kGrant, 10 + i));
  {
    auto store = EventStore::Open(options);
    ASSERT_THAT(store, IsOk());
    ASSERT_THAT((*store)->Append(GrantSetup()), IsOk());  // records 1-3
    ASSERT_THAT((*store)->Append(batch), IsOk());         // records 4-8
    auto retry = (*store)->Append({batch[1], Spend("new", kGrant, 7)});
    ASSERT_THAT(retry, IsOk());
    EXPECT_THAT(retry->sequences, ElementsAre(5u, 9u));
    EXPECT_THAT(retry->duplicates, ElementsAre(true, false));
  }
  auto store = EventStore::Open(options);
  ASSERT_THAT(store, IsOk());
  auto retry = (*store)->Append({batch[4], Spend("new", kGrant, 7)});
  ASSERT_THAT(retry, IsOk());
  EXPECT_THAT(retry->sequences, ElementsAre(8u, 9u));
  EXPECT_THAT(retry->duplicates, ElementsAre(true, true));
  v1::Event changed = batch[2];
  changed.mutable_expense()->set_amount_ore(99);
  EXPECT_THAT((*store)->Append({changed}),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("sequence 6")));
  ASSERT_THAT((*store)->Append({Spend("another", kGrant, 1)}), IsOk());
  EXPECT_EQ((*store)->Head().sequence, 10u);
}

TEST(EventStoreTest, ADirectoryWithoutTheFormatMarkIsRefused) {
  TempDir dir;
  {
    auto store = OpenStore(dir.path());
    ASSERT_THAT(store->Append(GrantSetup()), IsOk());
  }
  {
    rocksdb::Options options;
    std::vector<rocksdb::ColumnFamilyDescriptor> families = {
        {rocksdb::kDefaultColumnFamilyName, {}},
        {kLogColumnFamily, {}},
        {kGrantIndexColumnFamily, {}},
        {kCheckpointColumnFamily, {}},
        {kIdsColumnFamily, {}},
        {kHistoriesColumnFamily, {}},
        {kTreeColumnFamily, {}}};
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, dir.path(), families, &handles, &raw).ok());
    ASSERT_TRUE(raw->Delete({}, handles[3], kFormatKey).ok());
    for (auto* h : handles) raw->DestroyColumnFamilyHandle(h);
    delete raw;
  }
  EventStoreOptions options;
  options.path = dir.path();
  EXPECT_THAT(EventStore::Open(options),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("earlier grantledger")));
}

TEST(EventStoreTest, ReopenRestoresStateFromCheckpointAndTail) {
  TempDir dir;
  LedgerState expected;
  {
    auto store = OpenStore(dir.path(), /*checkpoint_interval=*/5);
    ASSERT_THAT(store->Append(GrantSetup()), IsOk());
    for (int i = 0; i < 12; ++i) {
      ASSERT_THAT(store->Append({Spend(absl::StrCat("s", i), kGrant, 1000 + i, "p7", "HS Kir")}),
                  IsOk());
    }
    expected = store->State();
  }
  auto store = OpenStore(dir.path(), 5);
  EXPECT_EQ(store->State(), expected);
  auto replayed = store->Replay(0);
  ASSERT_THAT(replayed, IsOk());
  EXPECT_EQ(*replayed, expected);
  ASSERT_THAT(store->Append({Spend("after", kGrant, 1, "p7", "HS Kir")}), IsOk());
  EXPECT_EQ(store->Head().sequence, 16u);
}

TEST(EventStoreTest, BalancesAsOfAnySequence) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_THAT(store->Append(GrantSetup()), IsOk());
  ASSERT_THAT(store->Append({RegisterGrant("other", "RS/1/2025", 10)}), IsOk());      // 4
  ASSERT_THAT(store->Append({Spend("s1", kGrant, 100'00, "p7", "HS Kir")}), IsOk());  // 5
  ASSERT_THAT(store->Append({Spend("s2", kGrant, 200'00, "p7", "HS Kir")}), IsOk());  // 6
  auto at2 = store->GrantAtSequence(kGrant, 2);
  ASSERT_THAT(at2, IsOk());
  EXPECT_EQ(BalanceOfGrant(*at2).received_ore.value(), 1'000'000'00);
  EXPECT_EQ(BalanceOfGrant(*at2).allocated_ore.value(), 0);
  auto at5 = store->GrantAtSequence(kGrant, 5);
  ASSERT_THAT(at5, IsOk());
  EXPECT_EQ(BalanceOfGrant(*at5).spent_ore.value(), 100'00);
  EXPECT_EQ(*store->GrantAtSequence(kGrant, 6), *store->Grant(kGrant));
  EXPECT_THAT(store->GrantAtSequence("RS/1/2025", 3),
              StatusIs(absl::StatusCode::kNotFound, ::testing::_));
}

TEST(EventStoreTest, ConcurrentAppendersProduceAGapFreeVerifiableLog) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_THAT(store->Append(GrantSetup()), IsOk());
  constexpr int kThreads = 16;
  constexpr int kPerThread = 50;
  std::vector<std::thread> threads;
  std::vector<std::vector<uint64_t>> sequences(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto r = store->Append({Spend(absl::StrCat("t", t, "-", i), kGrant, 1, "p7", "HS Kir")});
        ASSERT_THAT(r, IsOk());
        sequences[t].push_back(r->sequences[0]);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::set<uint64_t> all;
  for (const auto& s : sequences) all.insert(s.begin(), s.end());
  EXPECT_EQ(all.size(), size_t{kThreads * kPerThread});
  EXPECT_EQ(*all.begin(), 4u);
  EXPECT_EQ(*all.rbegin(), 3u + kThreads * kPerThread);
  auto verified = store->Verify(0, 0);
  ASSERT_THAT(verified, IsOk());
  EXPECT_TRUE(verified->ok);
  EXPECT_EQ(BalanceOfGrant(*store->Grant(kGrant)).spent_ore.value(), kThreads * kPerThread);
  EXPECT_EQ(*store->Replay(0), store->State());
}

// Callers read the id index before their batch queues (the prefetch), so two callers sending
// the same ids at once both read "new"; the writer thread checks the ids committed since, and
// each id is admitted once whichever group commits first: the same content gets the original
// sequence, other content is AlreadyExists. With a tiny recent-id window the writer thread
// reads the index again instead; the outcome is the same.
TEST(EventStoreTest, ConcurrentDuplicateBatchesAdmitEachIdOnce) {
  for (size_t run_size : {size_t{1} << 16, size_t{4}}) {
    SCOPED_TRACE(absl::StrCat("id_run_size ", run_size));
    TempDir dir;
    EventStoreOptions options;
    options.path = dir.path();
    options.check_invariants = true;
    options.id_run_size = run_size;
    auto opened = EventStore::Open(options);
    ASSERT_THAT(opened, IsOk());
    EventStore& store = **opened;
    ASSERT_THAT(store.Append(GrantSetup()), IsOk());
    constexpr int kThreads = 8;
    constexpr int kRounds = 30;
    constexpr int kBatchSize = 10;
    // Per id, the sequence each caller was told (same content) and how many were refused.
    std::vector<std::vector<std::vector<uint64_t>>> told(
        kThreads, std::vector<std::vector<uint64_t>>(kRounds));
    std::atomic<int> refused{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int r = 0; r < kRounds; ++r) {
          std::vector<v1::Event> batch;
          for (int i = 0; i < kBatchSize; ++i) {
            batch.push_back(Spend(absl::StrCat("r", r, "-", i), kGrant, 1, "p7", "HS Kir"));
          }
          auto same = store.Append(batch);  // every caller sends the same batch
          ASSERT_THAT(same, IsOk());
          told[t][r] = same->sequences;
          // The same id with other content (the amount differs per caller): one wins.
          auto other = store.Append({Spend(absl::StrCat("c", r), kGrant, t + 1, "p7", "HS Kir")});
          if (!other.ok()) {
            EXPECT_THAT(other, StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("event 0")));
            refused.fetch_add(1);
          }
        }
      });
    }
    for (auto& t : threads) t.join();
    // Every caller was told the same sequences, and the log holds each id once.
    for (int t = 1; t < kThreads; ++t) EXPECT_EQ(told[t], told[0]);
    EXPECT_EQ(refused.load(), kRounds * (kThreads - 1));
    EXPECT_EQ(store.Head().sequence, 3u + kRounds * (kBatchSize + 1));
    std::set<std::string> ids;
    ASSERT_THAT(store.Scan(1, 0, "",
                           [&](const v1::RecordedEvent& recorded) {
                             EXPECT_TRUE(ids.insert(recorded.record().event().event_id()).second)
                                 << recorded.record().event().event_id();
                             return true;
                           }),
                IsOk());
    EXPECT_EQ(ids.size(), store.Head().sequence);
    auto derived = store.VerifyDerived();
    ASSERT_THAT(derived, IsOk());
    EXPECT_TRUE(derived->ok);
    EXPECT_EQ(*store.Replay(0), store.State());
  }
}

// Callers chain their batches ahead (build and hash the records) while the writer thread
// validates; the writer thread chains batches itself when an event was a retry, and a
// rejected batch's chain is dropped. Whoever chained, the chain verifies from the stored bytes.
TEST(EventStoreTest, BatchesChainedAheadByTheirCallersFormTheSameVerifiableChain) {
  TempDir dir;
  EventStoreOptions options;
  options.path = dir.path();
  options.check_invariants = true;
  options.wait_to_chain_ahead = true;
  auto opened = EventStore::Open(options);
  ASSERT_THAT(opened, IsOk());
  EventStore& store = **opened;
  ASSERT_THAT(store.Append(GrantSetup()), IsOk());  // chained ahead: 1
  constexpr int kThreads = 4;
  constexpr int kBatches = 6;
  constexpr int kBatchSize = 300;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int b = 0; b < kBatches; ++b) {
        std::vector<v1::Event> batch;
        for (int i = 0; i < kBatchSize; ++i) {
          batch.push_back(Spend(absl::StrCat("t", t, "-", b, "-", i), kGrant, 1, "p7", "HS Kir"));
        }
        ASSERT_THAT(store.Append(batch), IsOk());  // chained ahead
        // A retry of the batch's last event in a new batch: chained by the writer thread.
        std::vector<v1::Event> with_retry = {
            batch.back(), Spend(absl::StrCat("t", t, "-", b, "-new"), kGrant, 1, "p7", "HS Kir")};
        ASSERT_THAT(store.Append(with_retry), IsOk());
        // Rejected late in the batch (an unknown grant): its chain is dropped.
        std::vector<v1::Event> rejected = batch;
        for (int i = 0; i < kBatchSize; ++i) {
          rejected[i].set_event_id(absl::StrCat("x", t, "-", b, "-", i));
        }
        rejected.back().set_grant_id("RS/999/2025");
        EXPECT_THAT(store.Append(rejected),
                    StatusIs(absl::StatusCode::kNotFound, HasSubstr("RS/999/2025")));
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(store.batches_chained_ahead(), 1u + kThreads * kBatches);
  EXPECT_EQ(store.Head().sequence, 3u + kThreads * kBatches * (kBatchSize + 1));
  auto verified = store.Verify(0, 0);
  ASSERT_THAT(verified, IsOk());
  EXPECT_TRUE(verified->ok);
  std::string prev(32, '\0');
  for (uint64_t sequence = 1; sequence <= store.Head().sequence; ++sequence) {
    auto read = store.Read(sequence);
    ASSERT_THAT(read, IsOk());
    ASSERT_EQ(read->record().prev_hash(), prev) << "at sequence " << sequence;
    prev = read->hash();
  }
  EXPECT_EQ(prev, store.Head().head_hash);
  EXPECT_EQ(*store.Replay(0), store.State());
}

TEST(EventStoreTest, ReadOnlyOpenSeesTheLedgerAndRefusesAppends) {
  TempDir dir;
  {
    auto store = OpenStore(dir.path());
    ASSERT_THAT(store->Append(GrantSetup()), IsOk());
  }
  EventStoreOptions options;
  options.path = dir.path();
  options.read_only = true;
  auto store = EventStore::Open(options);
  ASSERT_THAT(store, IsOk());
  EXPECT_EQ((*store)->Head().sequence, 3u);
  EXPECT_THAT((*store)->Append({Spend("s", kGrant, 1)}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("read-only")));
}

TEST(EventStoreTest, SecondWriterOnTheSameDirectoryIsUnavailable) {
  TempDir dir;
  auto first = OpenStore(dir.path());
  EventStoreOptions options;
  options.path = dir.path();
  EXPECT_THAT(EventStore::Open(options),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("in use by another process")));
}

TEST(EventStoreTest, EmptyBatchIsInvalidArgument) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  EXPECT_THAT(store->Append({}), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
}

}  // namespace
}  // namespace grantledger

namespace grantledger {
namespace {

std::vector<RestoredRecord> ExportAll(EventStore& store) {
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

TEST(EventStoreRestoreTest, RestoreGivesTheSameHeadAndState) {
  TempDir dir;
  auto source = OpenStore(dir.Sub("source"));
  ASSERT_THAT(source->Append(GrantSetup()), IsOk());
  ASSERT_THAT(source->Append({Spend("s1", kGrant, 100, "p7", "HS Kir")}), IsOk());
  ASSERT_THAT(source->Append({Reverse("v1", kGrant, 4)}), IsOk());
  auto target = OpenStore(dir.Sub("copy"));
  auto head = target->Restore(ExportAll(*source));
  ASSERT_THAT(head, IsOk());
  EXPECT_EQ(head->sequence, source->Head().sequence);
  EXPECT_EQ(head->head_hash, source->Head().head_hash);
  EXPECT_EQ(target->State(), source->State());
  EXPECT_TRUE(target->Verify(0, 0)->ok);
}

TEST(EventStoreRestoreTest, RestoreRefusesTheFirstAlteredRecord) {
  TempDir dir;
  auto source = OpenStore(dir.Sub("source"));
  ASSERT_THAT(source->Append(GrantSetup()), IsOk());
  ASSERT_THAT(source->Append({Spend("s1", kGrant, 100, "p7", "HS Kir")}), IsOk());
  std::vector<RestoredRecord> records = ExportAll(*source);
  records[3].event.mutable_expense()->set_amount_ore(99);  // record 4, changed
  auto target = OpenStore(dir.Sub("copy"));
  EXPECT_THAT(
      target->Restore(records),
      StatusIs(absl::StatusCode::kDataLoss, AllOf(HasSubstr("record 4"), HasSubstr("altered"))));
  EXPECT_EQ(target->Head().sequence, 0u);
  // Restoring onto a ledger that is not empty is refused too.
  auto again = target->Restore(ExportAll(*source));
  ASSERT_THAT(again, IsOk());
  EXPECT_THAT(target->Restore(ExportAll(*source)),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("empty data directory")));
}

}  // namespace
}  // namespace grantledger
