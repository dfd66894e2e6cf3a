// Opening a ledger: the data directory's checks, RocksDB's options and column families, the
// format mark, and what to say when RocksDB refuses a damaged log. Then recovery (recovery.cc)
// restores the projections, and the writer threads start (writer_queue.cc).
#include <algorithm>
#include <cstring>
#include <thread>

#include "absl/strings/str_cat.h"
#include "ledger/status_macros.h"
#include "ledger/store/background_errors.h"
#include "ledger/store/data_dir.h"
#include "ledger/store/event_store.h"
#include "ledger/store/head_note.h"
#include "ledger/store/history_store.h"
#include "ledger/store/log_format.h"
#include "ledger/store/merkle_store.h"
#include "ledger/store/rocks_status.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/table.h"

namespace grantledger {
namespace {

using absl::StrCat;

// The grant index key up to and including the '\0' after the grant id: keys of one grant are
// appended in sequence order, so the memtable can insert them at a remembered position.
class GrantPrefix : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "grantledger.GrantPrefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    const void* zero = std::memchr(key.data(), '\0', key.size());
    return rocksdb::Slice(key.data(), static_cast<const char*>(zero) - key.data() + 1);
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return std::memchr(key.data(), '\0', key.size()) != nullptr;
  }
};

// Explains a ledger RocksDB refused to open as damaged: what can still be recovered against
// what the head note says was acknowledged.
absl::Status DiagnoseDamagedLog(const rocksdb::DBOptions& db_options,
                                const std::vector<rocksdb::ColumnFamilyDescriptor>& families,
                                const std::string& path, const std::optional<Digest>& noted,
                                const rocksdb::Status& refusal,
                                std::optional<uint64_t>* recovered_head) {
  // What RocksDB can still recover, as a point in time before the damage (read-only: nothing
  // is changed).
  rocksdb::DBOptions options = db_options;
  options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  options.create_if_missing = false;
  options.create_missing_column_families = false;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  std::optional<uint64_t> recovered;
  if (rocksdb::DB::OpenForReadOnly(options, path, families, &handles, &raw).ok()) {
    std::unique_ptr<rocksdb::DB> db(raw);
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handles[1]));
    it->SeekToLast();
    recovered = 0;
    if (it->Valid() && it->key().size() == 8) {
      std::vector<LogValue> records;
      SplitLogEntry(absl::string_view(it->value().data(), it->value().size()), records);
      recovered = DecodeSequence(absl::string_view(it->key().data(), 8)) + records.size() - 1;
    }
    it.reset();
    for (rocksdb::ColumnFamilyHandle* handle : handles) db->DestroyColumnFamilyHandle(handle);
  }
  if (recovered_head != nullptr) *recovered_head = recovered;
  std::string lost;
  if (recovered.has_value() && noted.has_value() && *recovered < noted->sequence) {
    lost = StrCat("records ", *recovered + 1, "..", noted->sequence,
                  " were acknowledged (the head note says ", noted->sequence,
                  ") but cannot be recovered; ");
  } else if (recovered.has_value()) {
    lost = StrCat("the log can be recovered only up to sequence ", *recovered,
                  noted.has_value() ? StrCat(" (the head note says ", noted->sequence, ")")
                                    : std::string(" (there is no head note to say how far it "
                                                  "reached)"),
                  "; ");
  }
  return absl::DataLossError(StrCat(
      "the ledger's files at ", path, " are damaged (RocksDB: ", refusal.ToString(), "): ", lost,
      "the ledger was not opened and nothing was changed; restore the data directory from a "
      "backup, or restore the ledger from an export"));
}

bool HasColumnFamily(const rocksdb::DBOptions& options, const std::string& path,
                     const std::string& name) {
  std::vector<std::string> names;
  return rocksdb::DB::ListColumnFamilies(options, path, &names).ok() &&
         std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

EventStore::EventStore(EventStoreOptions options) : options_(std::move(options)) {}

absl::StatusOr<std::unique_ptr<EventStore>> EventStore::Open(EventStoreOptions options) {
  if (options.path.empty()) {
    return absl::InvalidArgumentError("data directory: the path is empty; give a directory");
  }
  std::unique_ptr<EventStore> store(new EventStore(std::move(options)));
  const EventStoreOptions& o = store->options_;
  // Before RocksDB touches the directory: free space, permissions, and the head note, which a
  // reader must read before it recovers the log a live writer extends (so the note is never ahead).
  if (!o.read_only) {
    GL_RETURN_IF_ERROR(CheckFreeSpace(o.path, FreeBytesNeededToOpen(o.path)));
  }
  GL_RETURN_IF_ERROR(PrepareDataDirectory(o.path, !o.read_only,
                                          [&store](absl::string_view m) { store->Warn(m); }));
  GL_ASSIGN_OR_RETURN(std::optional<Digest> noted, HeadNote::Read(o.path));

  rocksdb::Options db_options;
  db_options.env = o.env_for_tests != nullptr ? o.env_for_tests : PrivateFilesEnv();  // 0600
  db_options.create_if_missing = !o.read_only;
  db_options.create_missing_column_families = !o.read_only;
  db_options.IncreaseParallelism(2);
  db_options.max_background_jobs = 2;
  db_options.keep_log_file_num = 4;
  // Bounds what an open after a crash replays from the write-ahead log: past this, the
  // families holding the oldest log are flushed.
  db_options.max_total_wal_size = 96 << 20;
  // One leader writes at a time (group commit happens above RocksDB), so memtable inserts
  // need not be concurrent, and then they can use insert hints for sequential keys.
  db_options.allow_concurrent_memtable_write = false;
  // A damaged record in the write-ahead log refuses the open (RocksDB's default replays up to
  // it and silently drops the rest); only an incomplete last record, torn by a crash, passes.
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  if (!o.read_only) {
    store->background_errors_ = std::make_shared<BackgroundErrors>();
    db_options.listeners.push_back(store->background_errors_);
  }

  // One bounded cache for every family's blocks, their indexes and filters included, so that
  // memory does not grow with the number of table files (that is, with the history).
  std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(96 << 20);
  auto table_options = [&cache](size_t block_size, bool bloom) {
    rocksdb::BlockBasedTableOptions table;
    table.block_size = block_size;
    table.block_cache = cache;
    table.cache_index_and_filter_blocks = true;
    table.cache_index_and_filter_blocks_with_high_priority = true;
    table.pin_l0_filter_and_index_blocks_in_cache = true;
    if (bloom) {
      // Most look-ups of an id are for a new one: a filter answers them without a read.
      table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
      table.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
      table.partition_filters = true;
    }
    return rocksdb::NewBlockBasedTableFactory(table);
  };
  rocksdb::ColumnFamilyOptions log_options;
  log_options.write_buffer_size = 64 << 20;
  // A log entry holds a whole write (up to a batch of records): larger blocks.
  log_options.table_factory.reset(table_options(64 << 10, false));
  rocksdb::ColumnFamilyOptions index_options;
  index_options.write_buffer_size = 32 << 20;
  index_options.memtable_insert_with_hint_prefix_extractor = std::make_shared<GrantPrefix>();
  index_options.table_factory.reset(table_options(16 << 10, false));
  rocksdb::ColumnFamilyOptions ids_options;
  ids_options.write_buffer_size = 32 << 20;
  ids_options.table_factory.reset(table_options(16 << 10, true));
  ids_options.optimize_filters_for_hits = false;
  // A filter on the memtable too: the batch's look-ups of new ids (nearly all of them) are
  // answered without a search of the memtable's skip list.
  ids_options.memtable_prefix_bloom_size_ratio = 0.05;
  ids_options.memtable_whole_key_filtering = true;
  rocksdb::ColumnFamilyOptions histories_options;
  histories_options.table_factory.reset(table_options(64 << 10, false));
  // Stored uncompressed: the parts are varints already (Snappy saved little), and at 10M
  // events they no longer fit the block cache, so every as-of query as known at an earlier
  // sequence decompressed a few hundred KiB (a quarter of its time, docs/performance.md).
  histories_options.compression = rocksdb::kNoCompression;
  rocksdb::ColumnFamilyOptions small_options;
  small_options.table_factory.reset(table_options(16 << 10, false));
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, small_options},
      {kLogColumnFamily, log_options},
      {kGrantIndexColumnFamily, index_options},
      {kCheckpointColumnFamily, small_options},
      {kIdsColumnFamily, ids_options},
      {kHistoriesColumnFamily, histories_options},
      {kTreeColumnFamily, small_options},
  };
  if (o.read_only && !HasColumnFamily(db_options, o.path, kTreeColumnFamily)) {
    families.pop_back();  // a ledger from before the Merkle tree: its queries say so
  }
  if (o.read_only) {
    // A ledger from before the id index and the histories had their families.
    std::vector<std::string> names;
    if (rocksdb::DB::ListColumnFamilies(db_options, o.path, &names).ok() &&
        std::find(names.begin(), names.end(), kLogColumnFamily) != names.end() &&
        std::find(names.begin(), names.end(), kIdsColumnFamily) == names.end()) {
      return absl::FailedPreconditionError(
          StrCat("the ledger at ", o.path,
                 " keeps its indexes in an earlier format; open it once writable (`grantledger "
                 "reindex --db ",
                 o.path,
                 "`, or start grantledgerd on it) to rebuild them from the log, which is not "
                 "changed"));
    }
  }
  rocksdb::DB* db = nullptr;
  auto open_db = [&] {
    return o.read_only
               ? rocksdb::DB::OpenForReadOnly(db_options, o.path, families, &store->handles_, &db)
               : rocksdb::DB::Open(db_options, o.path, families, &store->handles_, &db);
  };
  rocksdb::Status s = open_db();
  if (s.IsCorruption()) {
    std::optional<uint64_t> recovered;
    absl::Status damaged = DiagnoseDamagedLog(db_options, families, o.path, noted, s, &recovered);
    if (!noted.has_value() || !recovered.has_value() || *recovered < noted->sequence) {
      return damaged;
    }
    // The damage is past every acknowledged record (the note's head): recover up to it.
    store->Warn(StrCat("the write-ahead log at ", o.path, " has a damaged record after the last ",
                       "acknowledged head ", noted->sequence, " (RocksDB: ", s.ToString(),
                       "); recovering up to the damage, with every acknowledged record"));
    store->handles_.clear();
    db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
    s = open_db();
  }
  if (!s.ok() && SaysDiskFull(s.ToString())) {
    return absl::UnavailableError(StrCat("the disk holding the data directory ", o.path,
                                         " is full (", s.ToString(),
                                         "); free space there and retry"));
  }
  if (o.read_only) {
    if (!s.ok()) {
      return absl::NotFoundError(StrCat("no ledger can be read at ", o.path, " (", s.ToString(),
                                        "); give the data directory of a grantledger ledger"));
    }
  } else {
    GL_RETURN_IF_ERROR(FromRocks(s, StrCat("opening the ledger at ", o.path)));
  }
  store->db_.reset(db);
  store->log_cf_ = store->handles_[1];
  store->grant_cf_ = store->handles_[2];
  store->checkpoint_cf_ = store->handles_[3];
  store->ids_cf_ = store->handles_[4];
  store->histories_cf_ = store->handles_[5];
  store->tree_cf_ = store->handles_.size() > 6 ? store->handles_[6] : nullptr;
  store->history_store_ = std::make_unique<HistoryStore>(db, store->histories_cf_);
  GL_RETURN_IF_ERROR(store->CheckFormat());
  const absl::Time recover_start = absl::Now();
  GL_RETURN_IF_ERROR(store->Recover());
  if (store->options_.observer != nullptr) {
    store->options_.observer->Recovered(absl::Now() - recover_start);
  }
  GL_RETURN_IF_ERROR(store->AdoptHeadNote(noted));
  GL_RETURN_IF_ERROR(store->OpenTree());
  if (!store->options_.read_only) {
    GL_RETURN_IF_ERROR(store->CompleteIdIndex());
    EventStore* raw = store.get();
    store->writer_thread_ = std::thread([raw] { raw->WriterLoop(); });
    store->completion_thread_ = std::thread([raw] { raw->CompletionLoop(); });
  }
  return store;
}

EventStore::~EventStore() {
  const bool opened_to_write = writer_thread_.joinable();
  if (opened_to_write) {
    {
      absl::MutexLock lock(&queue_mu_);
      stopping_ = true;
      work_cv_.Signal();
    }
    writer_thread_.join();  // it finishes everything queued first
    {
      absl::MutexLock lock(&completions_mu_);
      completions_closed_ = true;
    }
    completion_thread_.join();  // and every callback has run
  }
  if (db_ == nullptr) return;
  if (!options_.read_only) {
    bool failed = false;
    {
      absl::MutexLock lock(&queue_mu_);
      failed = !failed_.empty();
    }
    // The ids held in memory into the index, so that the next open need not read them from
    // the log (a failure only means it does); kept in the log alone like the memtables when
    // they are not flushed.
    const absl::Status run = FinishIdRun(/*wait=*/true);
    if (run.ok() && !failed && opened_to_write && options_.flush_on_close) (void)WriteHeldIds();
    {
      absl::MutexLock lock(&state_mu_);
      if (state_.sequence != checkpoint_sequence_) (void)WriteCheckpointLocked();
    }
    NoteDurableHead(Head());
    // Memtables to table files, so the next open has no write-ahead log to replay.
    if (options_.flush_on_close) (void)db_->Flush(rocksdb::FlushOptions(), handles_);
  }
  for (rocksdb::ColumnFamilyHandle* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
  (void)db_->Close();
}

absl::Status EventStore::CheckFormat() {
  std::string format;
  std::string derived;
  rocksdb::Status d = db_->Get(rocksdb::ReadOptions(), checkpoint_cf_, kDerivedFormatKey, &derived);
  if (!d.ok() && !d.IsNotFound()) return FromRocks(d, "reading the ledger's format");
  derived_stale_ = derived != kDerivedFormat && derived != kDerivedFormatBeforeIdRuns;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), checkpoint_cf_, kFormatKey, &format);
  if (s.ok()) {
    if (format == kLogFormat) return absl::OkStatus();
    return absl::FailedPreconditionError(
        StrCat("the ledger at ", options_.path, " is in format \"", format, "\", not \"",
               kLogFormat, "\"; open it with the grantledger that wrote it and export it"));
  }
  if (!s.IsNotFound()) return FromRocks(s, "reading the ledger's format");
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), log_cf_));
  it->SeekToFirst();
  if (it->Valid()) {
    return absl::FailedPreconditionError(
        StrCat("the ledger at ", options_.path,
               " was written by an earlier grantledger (no format mark); open it with that "
               "version, export it, and restore the export into a new data directory"));
  }
  if (options_.read_only) {
    derived_stale_ = false;  // an empty ledger: nothing derived to be stale
    return absl::OkStatus();
  }
  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync;
  rocksdb::WriteBatch batch;
  batch.Put(checkpoint_cf_, kFormatKey, kLogFormat);
  batch.Put(checkpoint_cf_, kDerivedFormatKey, kDerivedFormat);
  derived_stale_ = false;
  return FromRocks(db_->Write(write_options, &batch), "marking the ledger's format");
}

}  // namespace grantledger
