// The RocksDB event store with group commit; see event_store.h.
#include "ledger/event_store.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "absl/container/node_hash_map.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "ledger/data_dir.h"
#include "ledger/disk_space.h"
#include "ledger/head_note.h"
#include "ledger/history_checkpoint.h"
#include "ledger/history_store.h"
#include "ledger/limits.h"
#include "ledger/local_author.h"
#include "ledger/log_format.h"
#include "ledger/move_codec.h"
#include "ledger/rules.h"
#include "ledger/status_macros.h"
#include "ledger/text_rules.h"
#include "ledger/verify_request.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"

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

absl::string_view View(const rocksdb::Slice& slice) {
  return absl::string_view(slice.data(), slice.size());
}

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  std::string message = StrCat(what, ": ", s.ToString());
  if (s.IsIOError() && absl::StrContains(s.ToString(), "lock")) {
    return absl::UnavailableError(
        StrCat(what,
               ": the data directory is in use by another process (a running grantledgerd?); "
               "stop it, or talk to it over gRPC (",
               s.ToString(), ")"));
  }
  if (s.IsNotFound()) return absl::NotFoundError(message);
  if (s.IsCorruption()) return absl::DataLossError(message);
  if (s.IsInvalidArgument()) return absl::FailedPreconditionError(message);
  return absl::UnavailableError(message);
}

// Prefixes a rule's error with the event's place in the batch, keeping its code.
absl::Status AtEvent(const absl::Status& status, size_t index, const v1::Event& event) {
  // The id is quoted short and escaped: it may be the very field that is wrong (8 KB of it).
  absl::Status out(status.code(),
                   StrCat("event ", index, " (event_id ", QuoteForMessage(event.event_id()),
                          "): ", status.message()));
  out.SetPayload(kEventIndexPayload, absl::Cord(absl::StrCat(index)));
  return out;
}

// Appends one record to a log entry being built: its length, the EventRecord bytes
// (sequence, recorded time, the event and its author, written directly in field order so the
// event's bytes are serialized only once; the previous hash is chained in by the hash, not
// repeated), and its hash, which is also left in `hash` (kHashBytes). An empty author is
// left out (records written before authors were recorded, restored verbatim).
void AppendRecord(std::string& entry, uint64_t sequence, int64_t recorded_time_unix_micros,
                  absl::string_view event_bytes, absl::string_view author,
                  absl::string_view prev_hash, char* hash) {
  using google::protobuf::io::CodedOutputStream;
  const auto time = static_cast<uint64_t>(recorded_time_unix_micros);
  const size_t author_size =
      author.empty() ? 0 : 1 + CodedOutputStream::VarintSize32(author.size()) + author.size();
  const size_t record_size =
      3 + CodedOutputStream::VarintSize64(sequence) + CodedOutputStream::VarintSize64(time) +
      CodedOutputStream::VarintSize32(event_bytes.size()) + event_bytes.size() + author_size;
  AppendVarint32(entry, static_cast<uint32_t>(record_size));
  const size_t offset = entry.size();
  entry.resize(offset + record_size + kHashBytes);
  auto* out = reinterpret_cast<uint8_t*>(entry.data() + offset);
  *out++ = 1 << 3 | 0;
  out = CodedOutputStream::WriteVarint64ToArray(sequence, out);
  *out++ = 2 << 3 | 0;
  out = CodedOutputStream::WriteVarint64ToArray(time, out);
  *out++ = 4 << 3 | 2;
  out = CodedOutputStream::WriteVarint32ToArray(static_cast<uint32_t>(event_bytes.size()), out);
  std::memcpy(out, event_bytes.data(), event_bytes.size());
  out += event_bytes.size();
  if (!author.empty()) {
    *out++ = 5 << 3 | 2;
    out = CodedOutputStream::WriteVarint32ToArray(static_cast<uint32_t>(author.size()), out);
    std::memcpy(out, author.data(), author.size());
  }
  ChainHashInto(prev_hash, absl::string_view(entry.data() + offset, record_size), hash);
  std::memcpy(entry.data() + offset + record_size, hash, kHashBytes);
}

std::string SerializeEvent(const v1::Event& event) {
  // Events have no map fields, so the plain encoding is deterministic.
  std::string out;
  event.SerializeToString(&out);
  return out;
}

// Parses a stored record; prev_hash is left for the caller to fill.
absl::StatusOr<v1::RecordedEvent> ParseRecord(uint64_t sequence, const LogValue& value) {
  v1::RecordedEvent out;
  if (!out.mutable_record()->ParseFromArray(value.record_bytes.data(),
                                            static_cast<int>(value.record_bytes.size()))) {
    return absl::DataLossError(
        StrCat("log record ", sequence, " does not parse; run `grantledger verify`"));
  }
  out.set_hash(std::string(value.hash));
  return out;
}

// Reads records from the log's entries, keeping the current entry: most reads go forwards.
// The views it returns stay valid until the next call.
class LogCursor {
 public:
  LogCursor(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log)
      : it_(db->NewIterator(rocksdb::ReadOptions(), log)) {}

  // Record `sequence`; NotFound when no entry holds it, DataLoss when its entry is damaged.
  absl::StatusOr<LogValue> Find(uint64_t sequence) {
    if (!Holds(sequence)) {
      if (first_ != 0 && sequence >= first_ && it_->Valid()) {
        it_->Next();  // usually the next entry
        Load();
      }
      if (!Holds(sequence)) {
        it_->SeekForPrev(EncodeSequence(sequence));
        Load();
      }
    }
    if (!it_->status().ok()) {
      return absl::UnavailableError(StrCat("reading the log: ", it_->status().ToString()));
    }
    if (!Holds(sequence)) {
      if (damaged_ && sequence >= first_) {
        return absl::DataLossError(StrCat("the log entry holding record ", sequence,
                                          " is damaged; run `grantledger verify`"));
      }
      return absl::NotFoundError(StrCat("sequence ", sequence, " is not in the log"));
    }
    return records_[sequence - first_];
  }

 private:
  bool Holds(uint64_t sequence) const {
    return first_ != 0 && sequence >= first_ && sequence - first_ < records_.size();
  }
  void Load() {
    records_.clear();
    first_ = 0;
    damaged_ = false;
    if (!it_->Valid()) return;
    if (it_->key().size() != 8) {
      damaged_ = true;
      return;
    }
    first_ = DecodeSequence(View(it_->key()));
    damaged_ = !SplitLogEntry(View(it_->value()), records_);
  }

  std::unique_ptr<rocksdb::Iterator> it_;
  uint64_t first_ = 0;  // the current entry's first sequence; 0: none
  std::vector<LogValue> records_;
  bool damaged_ = false;
};

}  // namespace

// What Restore keeps of an exported record besides its event.
struct EventStore::RestoredMeta {
  uint64_t sequence = 0;
  int64_t recorded_time_unix_micros = 0;
  std::string hash;
  std::string author;
};

struct EventStore::Writer {
  // The batch's events: owned (Append, Restore) or viewed (AppendAsync over a request that
  // outlives the call).
  struct Events {
    std::vector<v1::Event> owned;
    std::vector<const v1::Event*> pointers;
    size_t size() const { return pointers.size(); }
    const v1::Event& operator[](size_t i) const { return *pointers[i]; }
    void Own(std::vector<v1::Event> events) {
      owned = std::move(events);
      pointers.reserve(owned.size());
      for (const v1::Event& e : owned) pointers.push_back(&e);
    }
  };
  Events events;
  std::string bytes;                   // every event's deterministic encoding, back to back
  std::vector<size_t> ends;            // where event i's encoding ends in `bytes`
  std::vector<RestoredMeta> restored;  // Restore only: per event, the record as exported
  // Recorded in each new record: options->author, or LocalAuthor() when that is empty (set by
  // Prepare; both outlive the writer).
  absl::string_view author;
  absl::string_view bytes_of(size_t i) const {
    const size_t begin = i == 0 ? 0 : ends[i - 1];
    return absl::string_view(bytes.data() + begin, ends[i] - begin);
  }
  // `wait`: EventStoreOptions::wait_to_chain_ahead.
  Writer(BufferPool& pool, bool wait) : buffers(pool), wait_to_chain_ahead(wait) {}
  ~Writer() {
    buffers.Give(std::move(bytes));
    buffers.Give(std::move(chained));
  }
  BufferPool& buffers;
  // Encoding happens in the caller's thread, streamed: Size() allocates `bytes`, then the
  // writer is queued and EncodeAll() checks and encodes the events while the writer thread
  // validates those already encoded (AwaitEncoded), then chains them ahead (ChainAhead).
  absl::Status Size();
  void EncodeAll();
  // Chaining ahead, for the common case of a batch whose events are all new and valid. The
  // writer thread publishes where the batch would start in the log (`chain_start`); once the
  // caller has encoded the batch, it builds and hashes the batch's records from there while
  // validation runs, and the writer thread uses them if every event of the batch was new.
  void ChainAhead();
  struct ChainStart {
    uint64_t sequence = 0;
    int64_t recorded_time_unix_micros = 0;
    std::string prev_hash;
  };
  ChainStart chain_start;                    // written before chain_published
  std::atomic<bool> chain_published{false};  // by the writer thread
  std::atomic<bool> chain_cancelled{false};  // by the writer thread: it will not use them
  std::string chained;                       // the records, as in a log entry
  std::string chained_head;                  // the last record's hash
  bool chained_all = false;                  // every record is in `chained`
  const bool wait_to_chain_ahead;
  absl::Status Encode() {  // both, for callers that encode before queueing
    GL_RETURN_IF_ERROR(Size());
    EncodeAll();
    return encode_failed_at.load() == kNone ? absl::OkStatus() : encode_error;
  }
  // OK once event i is encoded; its shape error when the encoding stopped there.
  absl::Status AwaitEncoded(size_t i) const;
  // Waits until EncodeAll is done with the writer (it may be freed after).
  void AwaitEncodingFinished() const;
  static constexpr size_t kNone = ~size_t{0};
  std::atomic<size_t> encoded{0};  // events checked and encoded, published in order
  std::atomic<size_t> encode_failed_at{kNone};
  absl::Status encode_error;                 // written before encode_failed_at
  std::atomic<bool> caller_finished{false};  // EncodeAll's last touch of the writer
  const AppendOptions* options = nullptr;
  AppendOptions owned_options;  // AppendAsync's copy
  AppendCallback callback;      // AppendAsync: called on the completion thread instead of `cv`
  absl::StatusOr<AppendResult> result = absl::UnknownError("not processed");
  bool released = false;  // validated: the writer thread no longer reads `events`
  bool done = false;
  bool accepted = false;  // validated and in the group's WriteBatch
  absl::CondVar cv;
};

// What a group of writers changes before it is committed: the grants they touched, the ids
// and events they add, the chain head, the history additions, and the batches to write.
class EventStore::Group {
 public:
  // `buffer`: memory for the log entry.
  explicit Group(std::string buffer) : entry(std::move(buffer)) {}
  absl::flat_hash_map<std::string, std::optional<GrantState>> grants;
  // Keys view event ids inside the writers' events, which live until validation is done.
  absl::flat_hash_map<absl::string_view, std::pair<uint64_t, absl::string_view>> ids;
  std::vector<const v1::Event*> events;  // the group's new events, from first_sequence on
  // Per grant touched: its new sequences (one by_grant entry) and what they add to its
  // history, in sequence order. Nodes stay put, so a writer may keep pointers to them.
  struct GrantChanges {
    uint64_t prior_count = 0;  // the grant's records before the group
    std::vector<uint64_t> sequences;
    std::vector<HistoryAddition> additions;
    const GrantHistory* history = nullptr;  // as it stood when validation began
  };
  absl::node_hash_map<std::string, GrantChanges> changes;
  std::vector<std::unique_ptr<v1::Event>> read_targets;  // reversal targets read from the log
  uint64_t first_sequence = 1;
  uint64_t next_sequence = 1;
  std::string head_hash;
  int64_t recorded_time_unix_micros = 0;                  // for new appends
  int64_t last_recorded_time_unix_micros = 0;             // of the last record chained so far
  std::string entry;                                      // the log entry: every new record
  std::vector<std::pair<std::string, uint64_t>> new_ids;  // for the id index, in the write
};

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
  db_options.env = PrivateFilesEnv();  // files 0600
  db_options.create_if_missing = !o.read_only;
  db_options.create_missing_column_families = !o.read_only;
  db_options.IncreaseParallelism(2);
  db_options.max_background_jobs = 2;
  db_options.keep_log_file_num = 4;
  // One leader writes at a time (group commit happens above RocksDB), so memtable inserts
  // need not be concurrent, and then they can use insert hints for sequential keys.
  db_options.allow_concurrent_memtable_write = false;
  // A damaged record in the write-ahead log refuses the open (RocksDB's default replays up to
  // it and silently drops the rest); only an incomplete last record, torn by a crash, passes.
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;

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
  rocksdb::ColumnFamilyOptions histories_options;
  histories_options.table_factory.reset(table_options(64 << 10, false));
  rocksdb::ColumnFamilyOptions small_options;
  small_options.table_factory.reset(table_options(16 << 10, false));
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, small_options},
      {kLogColumnFamily, log_options},
      {kGrantIndexColumnFamily, index_options},
      {kCheckpointColumnFamily, small_options},
      {kIdsColumnFamily, ids_options},
      {kHistoriesColumnFamily, histories_options},
  };
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
  store->history_store_ = std::make_unique<HistoryStore>(db, store->histories_cf_);
  GL_RETURN_IF_ERROR(store->CheckFormat());
  GL_RETURN_IF_ERROR(store->Recover());
  GL_RETURN_IF_ERROR(store->AdoptHeadNote(noted));
  if (!store->options_.read_only) {
    EventStore* raw = store.get();
    store->writer_thread_ = std::thread([raw] { raw->WriterLoop(); });
    store->completion_thread_ = std::thread([raw] { raw->CompletionLoop(); });
  }
  return store;
}

EventStore::~EventStore() {
  if (writer_thread_.joinable()) {
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
    {
      absl::MutexLock lock(&state_mu_);
      if (state_.sequence != checkpoint_sequence_) (void)WriteCheckpointLocked();
    }
    NoteDurableHead(Head());
  }
  for (rocksdb::ColumnFamilyHandle* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
  (void)db_->Close();
}

absl::Status EventStore::CheckFormat() {
  std::string format;
  std::string derived;
  rocksdb::Status d = db_->Get(rocksdb::ReadOptions(), checkpoint_cf_, kDerivedFormatKey, &derived);
  if (!d.ok() && !d.IsNotFound()) return FromRocks(d, "reading the ledger's format");
  derived_stale_ = derived != kDerivedFormat;
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

// What to do about a log found damaged on open (`verify` could not open it either).
constexpr char kDamagedAdvice[] =
    "the ledger was not opened and nothing was changed; restore the data directory from a "
    "backup, or restore an export into a new data directory (`grantledger restore`)";

absl::Status EventStore::Recover() {
  absl::MutexLock lock(&state_mu_);
  auto reset = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_mu_) {
    state_ = LedgerState();
    state_.head_hash = GenesisHash();
    histories_.clear();
    compacted_hashes_.clear();
    checkpoint_sequence_ = 0;
  };
  reset();
  bool rebuild = derived_stale_ || (options_.rebuild_derived && !options_.read_only);
  if (rebuild && options_.read_only) {
    return absl::FailedPreconditionError(StrCat(
        "the ledger at ", options_.path,
        " keeps its indexes in an earlier format; open it once writable (`grantledger reindex "
        "--db ",
        options_.path,
        "`, or start grantledgerd on it) to rebuild them from the log, which is not changed"));
  }
  if (!rebuild) {
    absl::Status loaded = LoadCheckpoint();
    if (absl::IsOutOfRange(loaded)) return absl::DataLossError(loaded.message());  // a cut log
    if (absl::IsNotFound(loaded)) {
      // No checkpoint: a new ledger, or one whose checkpoint was removed.
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), log_cf_));
      it->SeekToFirst();
      rebuild = it->Valid() || !it->status().ok();
      if (rebuild) {
        Warn(StrCat("the ledger at ", options_.path,
                    " has no projection checkpoint; rebuilding what is derived from the log"));
      } else if (!options_.read_only) {
        // A new ledger: its first checkpoint now, so that a reader opening it while the server
        // writes replays only from there.
        GL_RETURN_IF_ERROR(WriteCheckpointLocked());
      }
    } else if (!loaded.ok()) {
      Warn(StrCat("the projection checkpoint at ", options_.path, " cannot be used (",
                  loaded.message(), "); rebuilding what is derived from the log"));
      reset();
      rebuild = true;
    }
  }
  if (rebuild && options_.read_only) {
    // Nothing may be written: the histories are rebuilt in memory, from the whole log.
    histories_in_memory_ = true;
    return ReplayTail(/*rebuild=*/false);
  }
  if (rebuild) GL_RETURN_IF_ERROR(ClearDerived());
  if (absl::Status replayed = ReplayTail(rebuild); !replayed.ok()) {
    if (!absl::IsDataLoss(replayed) || checkpoint_sequence_ == 0) return replayed;
    // The log's tail is damaged. Where the damage starts may lie before the checkpoint (an
    // entry moved past the head, say): replay the whole log, in memory, to name the first
    // record that is not as it was acknowledged.
    reset();
    histories_in_memory_ = true;
    absl::Status located = ReplayTail(/*rebuild=*/false);
    return located.ok() ? replayed : located;
  }
  if (rebuild) {
    GL_RETURN_IF_ERROR(WriteCheckpointLocked());
    rocksdb::WriteOptions write_options;
    write_options.sync = options_.sync;
    GL_RETURN_IF_ERROR(
        FromRocks(db_->Put(write_options, checkpoint_cf_, kDerivedFormatKey, kDerivedFormat),
                  "marking the rebuilt indexes"));
    derived_stale_ = false;
  }
  return absl::OkStatus();
}

absl::Status EventStore::LoadCheckpoint() {
  std::string sealed;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), checkpoint_cf_, kCheckpointKey, &sealed);
  if (s.IsNotFound()) return absl::NotFoundError("no checkpoint");
  GL_RETURN_IF_ERROR(FromRocks(s, "reading the projection checkpoint"));
  const absl::string_view value(sealed);
  if (value.size() < kHashBytes ||
      ChainHash(absl::string_view(), value.substr(kHashBytes)) != value.substr(0, kHashBytes)) {
    return absl::DataLossError("it does not match its seal (damaged or edited)");
  }
  v1::ProjectionCheckpoint checkpoint;
  if (!checkpoint.ParseFromArray(value.data() + kHashBytes,
                                 static_cast<int>(value.size() - kHashBytes))) {
    return absl::DataLossError("it does not parse");
  }
  if (checkpoint.format_version() != 2) {
    return absl::DataLossError(StrCat("its format ", checkpoint.format_version(), " is not 2"));
  }
  // It must stand for a record the log holds, with that record's hash.
  if (checkpoint.sequence() > 0) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), log_cf_));
    it->SeekToLast();
    uint64_t last = 0;
    if (it->Valid() && it->key().size() == 8) {
      std::vector<LogValue> records;
      SplitLogEntry(View(it->value()), records);
      last = DecodeSequence(View(it->key())) + records.size() - 1;
    }
    if (!it->status().ok()) return FromRocks(it->status(), "reading the log");
    if (last < checkpoint.sequence()) {
      const uint64_t next = last + 1;
      return absl::OutOfRangeError(
          StrCat(next == checkpoint.sequence()
                     ? StrCat("record ", next, " is")
                     : StrCat("records ", next, "..", checkpoint.sequence(), " are"),
                 " missing: the log ends at ", last, " but the projection checkpoint includes ",
                 checkpoint.sequence(), " (a cut tail); ", kDamagedAdvice));
    }
    LogCursor cursor(db_.get(), log_cf_);
    absl::StatusOr<LogValue> record = cursor.Find(checkpoint.sequence());
    if (!record.ok() || record->hash != checkpoint.head_hash()) {
      return absl::DataLossError(StrCat("it stands for record ", checkpoint.sequence(),
                                        ", whose hash in the log is not the one it names"));
    }
  }
  GL_ASSIGN_OR_RETURN(LedgerState state, FromCheckpoint(checkpoint));
  std::map<std::string, GrantHistory> histories;
  std::map<std::string, std::string> hashes;
  for (const v1::GrantHistoryCheckpoint& c : checkpoint.histories()) {
    GrantHistory& history = histories[c.grant_id()];
    GL_RETURN_IF_ERROR(HistoryFromCheckpoint(c, history));
    if (c.compacted_through() != 0) {
      GL_ASSIGN_OR_RETURN(std::vector<Move> compacted,
                          history_store_->Compacted(c.grant_id(), c.compacted_through(),
                                                    c.compacted_sha256(), NameCountsOf(history)));
      history.Restore(c.compacted_through(), std::move(compacted));
    }
    hashes[c.grant_id()] = c.compacted_sha256();
  }
  state_ = std::move(state);
  histories_ = std::move(histories);
  compacted_hashes_ = std::move(hashes);
  checkpoint_sequence_ = state_.sequence;
  return absl::OkStatus();
}

absl::Status EventStore::ClearDerived() {
  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync;
  rocksdb::WriteBatch batch;
  batch.Put(checkpoint_cf_, kDerivedFormatKey, "rebuilding");
  batch.Delete(checkpoint_cf_, kCheckpointKey);
  // Keys are UTF-8 text (ids, grant ids) first: no key starts with 0xff.
  for (rocksdb::ColumnFamilyHandle* family : {grant_cf_, ids_cf_, histories_cf_}) {
    batch.DeleteRange(family, rocksdb::Slice(), rocksdb::Slice("\xff\xff\xff\xff", 4));
  }
  return FromRocks(db_->Write(write_options, &batch), "clearing the indexes to rebuild them");
}

absl::Status EventStore::ReplayTail(bool rebuild) {
  const uint64_t start = state_.sequence + 1;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), log_cf_));
  std::vector<LogValue> records;
  rocksdb::WriteBatch derived;
  // Per grant, the sequences of the current entry (one by_grant entry each) and the count before.
  std::map<std::string, std::pair<uint64_t, std::vector<uint64_t>>> entry_grants;
  auto note_grant = [&](const std::string& grant_id, uint64_t sequence)
                        ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_mu_) {
                          auto [at, added] = entry_grants.try_emplace(grant_id);
                          if (added) {
                            auto g = state_.grants.find(grant_id);
                            at->second.first = g == state_.grants.end() ? 0 : g->second.event_count;
                          }
                          at->second.second.push_back(sequence);
                        };
  // Every entry must start where the one before it ended (the first after a damaged entry,
  // whose records cannot be counted, is left for `verify` to judge).
  it->SeekForPrev(EncodeSequence(start));
  if (!it->Valid() && it->status().ok()) it->SeekToFirst();
  uint64_t next = 0;  // unknown before the first entry read
  bool resync = false;
  for (; it->Valid(); it->Next()) {
    if (it->key().size() != 8) {
      return absl::DataLossError(StrCat("record ", next, " is missing: the log entry after record ",
                                        next - 1, " has a damaged key; ", kDamagedAdvice));
    }
    const uint64_t first = DecodeSequence(View(it->key()));
    if (next == 0 && first > start) next = start;
    if (next != 0 && first != next && !resync) {
      return absl::DataLossError(StrCat("record ", next, " is missing: the log entry after record ",
                                        next - 1, " starts at sequence ", first,
                                        " (deleted, renumbered or moved); ", kDamagedAdvice));
    }
    records.clear();
    const bool intact = SplitLogEntry(View(it->value()), records);
    entry_grants.clear();
    for (size_t k = 0; k < records.size(); ++k) {
      const uint64_t sequence = first + k;
      if (sequence < start) continue;
      const LogValue& value = records[k];
      if (sequence != state_.sequence + 1) {
        return absl::DataLossError(StrCat("record ", state_.sequence + 1,
                                          " is missing: the log has sequence ", sequence,
                                          " after it; ", kDamagedAdvice));
      }
      if (ChainHash(state_.head_hash, value.record_bytes) != value.hash) {
        return absl::DataLossError(StrCat("log record ", sequence,
                                          " was altered: its stored bytes do not chain to the "
                                          "record before it; ",
                                          kDamagedAdvice));
      }
      v1::EventRecord record;
      if (!record.ParseFromArray(value.record_bytes.data(),
                                 static_cast<int>(value.record_bytes.size()))) {
        return absl::DataLossError(
            StrCat("log record ", sequence, " does not parse; ", kDamagedAdvice));
      }
      const v1::Event& event = record.event();
      if (rebuild) {
        note_grant(event.grant_id(), sequence);
        if (event.has_carry_over()) note_grant(event.carry_over().to_grant_id(), sequence);
        derived.Put(ids_cf_, event.event_id(), EncodeSequence(sequence));
      }
      absl::Status applied = ApplyLogged(event, sequence, state_.grants);
      if (!applied.ok()) {
        return absl::DataLossError(
            StrCat("log record ", sequence, " no longer applies: ", applied.message()));
      }
      IndexRecorded(event, sequence);
      state_.sequence = sequence;
      state_.head_hash = std::string(value.hash);
      state_.last_recorded_time_unix_micros = record.recorded_time_unix_micros();
    }
    if (!intact) {
      return absl::DataLossError(StrCat("the log entry holding record ", first + records.size(),
                                        " is damaged; ", kDamagedAdvice));
    }
    next = first + records.size();
    resync = !intact;
    if (rebuild) {
      for (const auto& [grant_id, entry] : entry_grants) {
        derived.Put(grant_cf_, GrantIndexKey(grant_id, entry.second.front()),
                    EncodeGrantIndexEntry(entry.first, entry.second));
      }
      if (state_.sequence - checkpoint_sequence_ >= options_.checkpoint_interval_events) {
        GL_RETURN_IF_ERROR(
            FromRocks(db_->Write(rocksdb::WriteOptions(), &derived), "rebuilding the indexes"));
        derived.Clear();
        GL_RETURN_IF_ERROR(WriteCheckpointLocked());
      }
    }
  }
  if (next == 0) next = start;
  if (it->status().IsCorruption()) {
    return absl::DataLossError(StrCat("log record ", next, " and those after it cannot be read (",
                                      it->status().ToString(), "); ", kDamagedAdvice));
  }
  GL_RETURN_IF_ERROR(FromRocks(it->status(), "reading the log"));
  if (rebuild && derived.Count() > 0) {
    GL_RETURN_IF_ERROR(
        FromRocks(db_->Write(rocksdb::WriteOptions(), &derived), "rebuilding the indexes"));
  }
  return absl::OkStatus();
}

absl::Status EventStore::ApplyLogged(const v1::Event& event, uint64_t sequence,
                                     std::map<std::string, GrantState>& grants,
                                     const std::string& only_grant) const {
  EventContext context;
  context.sequence = sequence;
  std::unique_ptr<v1::Event> target;
  if (event.has_reversal()) {
    auto read = ReadEvent(event.reversal().reversed_sequence());
    if (read.ok() && event.reversal().reversed_sequence() < sequence) target = std::move(*read);
    context.reversal_target = target.get();
  }
  auto apply = [&](const std::string& grant_id, bool carry_in) {
    std::optional<GrantState> slot;
    auto it = grants.find(grant_id);
    if (it != grants.end()) slot = std::move(it->second);
    absl::Status status =
        carry_in ? ApplyCarryIn(event, context, slot) : ApplyEvent(event, context, slot);
    if (slot.has_value()) grants[grant_id] = std::move(*slot);
    return status;
  };
  if (only_grant.empty() || only_grant == event.grant_id()) {
    GL_RETURN_IF_ERROR(apply(event.grant_id(), false));
  }
  if (event.has_carry_over() &&
      (only_grant.empty() || only_grant == event.carry_over().to_grant_id())) {
    GL_RETURN_IF_ERROR(apply(event.carry_over().to_grant_id(), true));
  }
  return absl::OkStatus();
}

absl::Status EventStore::Prepare(Writer& writer) const {
  if (options_.read_only) {
    return absl::FailedPreconditionError("the ledger is open read-only; post through the server");
  }
  if (writer.events.size() == 0) {
    return absl::InvalidArgumentError("events: the batch is empty; send at least one event");
  }
  if (writer.events.size() > kMaxEventsPerBatch) {
    return absl::InvalidArgumentError(StrCat("events: the batch has ", writer.events.size(),
                                             " events; split it into batches of at most ",
                                             kMaxEventsPerBatch));
  }
  writer.author = writer.options->author.empty() ? absl::string_view(LocalAuthor())
                                                 : absl::string_view(writer.options->author);
  return writer.Size();
}

absl::Status EventStore::Writer::Size() {
  size_t total = 0;
  ends.resize(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    const size_t size = events[i].ByteSizeLong();  // cached for EncodeAll
    if (size > kMaxEncodedEventBytes) {
      return AtEvent(absl::InvalidArgumentError(StrCat(
                         "the event is ", size, " bytes encoded; at most ", kMaxEncodedEventBytes)),
                     i, events[i]);
    }
    total += size;
    ends[i] = total;
  }
  bytes = buffers.Take(total);
  bytes.resize(total);  // one buffer for the batch
  return absl::OkStatus();
}

void EventStore::Writer::EncodeAll() {
  // Stateless checks and serialization, in the caller's thread, in parallel with validation.
  // Events have no map fields, so the plain encoding is deterministic (as SerializeEvent).
  auto* out = reinterpret_cast<uint8_t*>(bytes.data());
  constexpr size_t kPublishEvery = 16;
  for (size_t i = 0; i < events.size(); ++i) {
    if (absl::Status s = CheckEventShape(events[i]); !s.ok()) {
      encoded.store(i, std::memory_order_release);
      encode_error =
          restored.empty()
              ? AtEvent(s, i, events[i])
              : absl::Status(s.code(), StrCat("record ", restored[i].sequence, ": ", s.message()));
      encode_failed_at.store(i, std::memory_order_release);
      caller_finished.store(true, std::memory_order_release);  // the last touch of the writer
      return;
    }
    out = events[i].SerializeWithCachedSizesToArray(out);
    if ((i + 1) % kPublishEvery == 0 && i + 1 < events.size()) {
      encoded.store(i + 1, std::memory_order_release);
    }
  }
  encoded.store(events.size(), std::memory_order_release);
  ChainAhead();
  caller_finished.store(true, std::memory_order_release);  // the last touch of the writer
}

void EventStore::Writer::ChainAhead() {
  if (wait_to_chain_ahead) {
    while (!chain_published.load(std::memory_order_acquire) &&
           !chain_cancelled.load(std::memory_order_acquire)) {
      std::this_thread::yield();
    }
  }
  if (!chain_published.load(std::memory_order_acquire)) return;  // the writer does it
  const size_t n = events.size();
  chained = buffers.Take(bytes.size() + n * (kHashBytes + 24));
  std::string prev_hash = chain_start.prev_hash;
  char hash[kHashBytes];
  for (size_t i = 0; i < n; ++i) {
    if (i % 64 == 0 && chain_cancelled.load(std::memory_order_relaxed)) return;
    AppendRecord(chained, chain_start.sequence + i, chain_start.recorded_time_unix_micros,
                 bytes_of(i), author, prev_hash, hash);
    prev_hash.assign(hash, kHashBytes);
  }
  chained_head = std::move(prev_hash);
  chained_all = true;
}

absl::Status EventStore::Writer::AwaitEncoded(size_t i) const {
  for (int spins = 0;; ++spins) {
    if (encoded.load(std::memory_order_acquire) > i) return absl::OkStatus();
    if (encode_failed_at.load(std::memory_order_acquire) <= i) return encode_error;
    if (spins > 100) std::this_thread::yield();
  }
}

void EventStore::Writer::AwaitEncodingFinished() const {
  for (int spins = 0; !caller_finished.load(std::memory_order_acquire); ++spins) {
    if (spins > 100) std::this_thread::yield();
  }
}

absl::StatusOr<AppendResult> EventStore::Append(std::vector<v1::Event> events,
                                                const AppendOptions& options) {
  Writer writer(buffers_, options_.wait_to_chain_ahead);
  writer.options = &options;
  writer.events.Own(std::move(events));
  GL_RETURN_IF_ERROR(Prepare(writer));
  return Submit(writer);
}

void EventStore::AppendAsync(std::vector<v1::Event> events, AppendOptions options,
                             AppendCallback done) {
  auto writer = std::make_unique<Writer>(buffers_, options_.wait_to_chain_ahead);
  writer->events.Own(std::move(events));
  Enqueue(std::move(writer), std::move(options), std::move(done));
}

void EventStore::AppendAsync(const google::protobuf::RepeatedPtrField<v1::Event>& events,
                             AppendOptions options, AppendCallback done) {
  auto writer = std::make_unique<Writer>(buffers_, options_.wait_to_chain_ahead);
  writer->events.pointers.assign(events.pointer_begin(), events.pointer_end());
  Enqueue(std::move(writer), std::move(options), std::move(done));
}

void EventStore::Enqueue(std::unique_ptr<Writer> writer, AppendOptions options,
                         AppendCallback done) {
  writer->owned_options = std::move(options);
  writer->options = &writer->owned_options;
  if (absl::Status s = Prepare(*writer); !s.ok()) {
    done(s);
    return;
  }
  writer->callback = std::move(done);
  Writer* queued = nullptr;
  {
    absl::MutexLock lock(&queue_mu_);
    if (!stopping_) {
      queued = writer.release();  // the writer thread deletes it when done
      writers_.push_back(queued);
      work_cv_.Signal();
    }
  }
  if (queued == nullptr) {
    writer->callback(absl::UnavailableError("the ledger is closing; nothing was written; retry"));
    return;
  }
  queued->EncodeAll();  // while the writer thread validates; nothing touches `queued` after
}

absl::StatusOr<AppendResult> EventStore::Submit(Writer& writer) {
  absl::MutexLock lock(&queue_mu_);
  if (stopping_) return absl::UnavailableError("the ledger is closing; nothing was written; retry");
  writers_.push_back(&writer);
  work_cv_.Signal();
  if (writer.encoded.load() < writer.events.size() &&
      writer.encode_failed_at.load() == Writer::kNone) {
    queue_mu_.Unlock();
    writer.EncodeAll();  // while the writer thread validates
    queue_mu_.Lock();
  }
  while (!writer.released && !writer.done) writer.cv.Wait(&queue_mu_);
  if (!writer.done) {
    // Validated and being written: free the events now, while the write syncs.
    std::vector<v1::Event> events = std::move(writer.events.owned);
    queue_mu_.Unlock();
    events.clear();
    queue_mu_.Lock();
  }
  while (!writer.done) writer.cv.Wait(&queue_mu_);
  return std::move(writer.result);
}

void EventStore::WriterLoop() {
  while (true) {
    std::vector<Writer*> group;
    {
      absl::MutexLock lock(&queue_mu_);
      while (writers_.empty() && !stopping_) work_cv_.Wait(&queue_mu_);
      if (writers_.empty()) return;  // stopping, and everything queued is done
      // Everything queued while the previous group was syncing, bounded in size.
      size_t group_events = 0;
      while (!writers_.empty()) {
        Writer* w = writers_.front();
        if (!group.empty() && group_events + w->events.size() > kMaxEventsPerBatch) break;
        group.push_back(w);
        group_events += w->events.size();
        writers_.pop_front();
      }
    }
    ProcessGroup(group);  // completes every writer of the group
  }
}

absl::StatusOr<Digest> EventStore::Restore(std::vector<RestoredRecord> records) {
  if (options_.read_only) return absl::FailedPreconditionError("the ledger is open read-only");
  if (records.empty()) return Head();
  if (records.size() > kMaxEventsPerBatch) {
    return absl::InvalidArgumentError(
        StrCat("restore: at most ", kMaxEventsPerBatch, " records per call"));
  }
  static const AppendOptions kVerbatim = [] {
    AppendOptions o;
    o.verbatim = true;
    return o;
  }();
  Writer writer(buffers_, /*wait=*/false);  // restored records are chained by the writer thread
  writer.options = &kVerbatim;
  std::vector<v1::Event> events;
  events.reserve(records.size());
  writer.restored.reserve(records.size());
  for (RestoredRecord& record : records) {
    events.push_back(std::move(record.event));
    writer.restored.push_back({record.sequence, record.recorded_time_unix_micros,
                               std::move(record.hash), std::move(record.author)});
  }
  writer.events.Own(std::move(events));
  GL_RETURN_IF_ERROR(writer.Encode());
  GL_ASSIGN_OR_RETURN(AppendResult result, Submit(writer));
  return result.head;
}

// See ProcessGroup.
constexpr size_t kFreeDuringSyncEvents = 64;

void EventStore::ProcessGroup(std::vector<Writer*>& writers) {
  std::string failed;
  {
    absl::MutexLock lock(&queue_mu_);
    failed = failed_;
  }
  if (!failed.empty()) {
    for (Writer* w : writers) {
      w->result = absl::UnavailableError(failed);
      w->chain_cancelled.store(true, std::memory_order_release);
      w->AwaitEncodingFinished();  // an AppendAsync caller may still be encoding
    }
    Complete(writers);
    return;
  }
  size_t bytes = 0;
  for (const Writer* w : writers) {
    bytes += w->bytes.size() + 64 * w->events.size();
  }
  Group group(buffers_.Take(bytes));
  {
    absl::ReaderMutexLock lock(&state_mu_);
    group.first_sequence = group.next_sequence = state_.sequence + 1;
    group.head_hash = state_.head_hash;
    group.recorded_time_unix_micros =
        std::max(absl::ToUnixMicros(options_.clock()), state_.last_recorded_time_unix_micros);
    group.last_recorded_time_unix_micros = state_.last_recorded_time_unix_micros;
    for (Writer* w : writers) {
      absl::Status s = ProcessWriter(*w, group);
      if (!s.ok()) w->result = s;
      // A writer rejected early may still be encoding; whatever it chained ahead is unused.
      if (!w->accepted) w->chain_cancelled.store(true, std::memory_order_release);
      w->AwaitEncodingFinished();
    }
  }
  // Nothing reads the writers' events from here on: their owners may free them while the
  // write syncs.
  group.ids.clear();
  group.events.clear();
  group.read_targets.clear();
  {
    // Synchronous callers of large batches are woken to free their events while the write
    // syncs; waking a caller of a few events would cost more than it frees.
    absl::MutexLock lock(&queue_mu_);
    for (Writer* w : writers) {
      if (!w->callback && w->events.size() >= kFreeDuringSyncEvents) {
        w->released = true;
        w->cv.Signal();
      }
    }
  }
  const bool wrote = !group.entry.empty();
  if (wrote) {
    // Before RocksDB runs out of space mid-write, which it does not survive (disk_space.h).
    absl::Status reserve = CheckDiskReserve(options_.path, options_.disk_reserve_bytes);
    if (!reserve.ok()) {
      for (Writer* w : writers) {
        if (w->accepted) w->result = reserve;
      }
      Complete(writers);
      return;
    }
    if (write_batch_ == nullptr) write_batch_ = std::make_unique<rocksdb::WriteBatch>();
    rocksdb::WriteBatch& batch = *write_batch_;
    batch.Clear();  // keeps its memory
    batch.Put(log_cf_, EncodeSequence(group.first_sequence), group.entry);
    for (const auto& [grant_id, changes] : group.changes) {
      batch.Put(grant_cf_, GrantIndexKey(grant_id, changes.sequences.front()),
                EncodeGrantIndexEntry(changes.prior_count, changes.sequences));
    }
    for (const auto& [id, sequence] : group.new_ids) {
      batch.Put(ids_cf_, id, EncodeSequence(sequence));
    }
    rocksdb::WriteOptions write_options;
    write_options.sync = options_.sync;
    rocksdb::Status s = db_->Write(write_options, &batch);
    if (batch.GetDataSize() > BufferPool::kMaxPooledBytes) write_batch_.reset();
    if (!s.ok()) {
      absl::Status failed = absl::UnavailableError(
          StrCat("the ledger could not write to disk (", s.ToString(),
                 "); nothing of this batch was written; retry with the same event_ids"));
      for (Writer* w : writers) {
        if (w->accepted) w->result = failed;
      }
      Complete(writers);
      return;
    }
    // Durable now: noted before any caller hears of it.
    if (options_.sync && options_.note_every_write) {
      NoteHead(Digest{group.next_sequence - 1, group.head_hash});
    }
  }
  {
    absl::MutexLock lock(&state_mu_);
    // The state is locked until it includes the write: callers woken now see it when they read.
    if (wrote) {
      state_.sequence = group.next_sequence - 1;
      state_.head_hash = group.head_hash;
      state_.last_recorded_time_unix_micros = group.last_recorded_time_unix_micros;
    }
    const Digest head{state_.sequence, state_.head_hash};
    for (Writer* w : writers) {
      if (w->accepted || (w->result.ok() && w->options->dry_run)) w->result->head = head;
    }
    Complete(writers, /*synchronous_only=*/true);
    for (auto& [id, grant] : group.grants) {
      if (!grant.has_value()) continue;
      if (options_.check_invariants) CheckInvariants(*grant);
      state_.grants[id] = std::move(*grant);
    }
    for (auto& [grant_id, changes] : group.changes) {
      GrantHistory& history = histories_[grant_id];
      for (HistoryAddition& addition : changes.additions) history.Apply(std::move(addition));
    }
    if (options_.check_invariants && state_.TrialBalance() != 0) {
      std::fprintf(stderr, "grantledger: trial balance is not zero after sequence %llu\n",
                   static_cast<unsigned long long>(state_.sequence));
      std::abort();
    }
    if (state_.sequence - checkpoint_sequence_ >= options_.checkpoint_interval_events) {
      (void)WriteCheckpointLocked();  // a cache: a failure only means a longer replay on open
    }
  }
  buffers_.Give(std::move(group.entry));
  Complete(writers);
}

void EventStore::Complete(std::vector<Writer*>& writers, bool synchronous_only) {
  std::vector<Writer*> finished_async;
  {
    absl::MutexLock lock(&queue_mu_);
    for (Writer*& w : writers) {
      if (w == nullptr) continue;
      if (w->callback) {
        if (!synchronous_only)
          finished_async.push_back(w);
        else
          continue;
      } else {
        w->done = true;
        w->cv.Signal();  // the caller may return (and destroy *w) from here on
      }
      w = nullptr;
    }
  }
  if (finished_async.empty()) return;
  // The completion thread runs the callbacks (gRPC sends the responses from them), so this
  // thread can start the next group meanwhile.
  absl::MutexLock lock(&completions_mu_);
  completions_.insert(completions_.end(), finished_async.begin(), finished_async.end());
}

void EventStore::CompletionLoop() {
  while (true) {
    std::deque<Writer*> ready;
    {
      absl::MutexLock lock(&completions_mu_);
      completions_mu_.Await(absl::Condition(
          +[](EventStore* store) ABSL_EXCLUSIVE_LOCKS_REQUIRED(store->completions_mu_) {
            return !store->completions_.empty() || store->completions_closed_;
          },
          this));
      if (completions_.empty()) return;  // closed, and everything is completed
      ready.swap(completions_);
    }
    for (Writer* w : ready) {
      w->callback(std::move(w->result));
      delete w;
    }
  }
}

absl::Status EventStore::ProcessWriter(Writer& writer, Group& group) {
  // Grants as this writer changes them; merged into the group only if the whole batch passes.
  absl::flat_hash_map<std::string, std::optional<GrantState>> scratch;
  auto grant_slot = [&](const std::string& id) -> std::optional<GrantState>& {
    auto it = scratch.find(id);
    if (it != scratch.end()) return it->second;
    auto in_group = group.grants.find(id);
    if (in_group != group.grants.end()) return scratch.emplace(id, in_group->second).first->second;
    state_mu_.AssertReaderHeld();
    auto in_state = state_.grants.find(id);
    if (in_state != state_.grants.end()) return scratch.emplace(id, in_state->second).first->second;
    return scratch.emplace(id, std::nullopt).first->second;
  };
  auto history_of = [&](const std::string& id) -> const GrantHistory& {
    static const GrantHistory* const kEmpty = new GrantHistory();
    state_mu_.AssertReaderHeld();
    auto it = histories_.find(id);
    return it == histories_.end() ? *kEmpty : it->second;
  };

  // Where this batch starts in the log if every event is new: the caller chains ahead from it.
  const bool chain_ahead = !writer.options->verbatim && !writer.options->dry_run;
  if (chain_ahead) {
    writer.chain_start = {group.next_sequence, group.recorded_time_unix_micros, group.head_hash};
    writer.chain_published.store(true, std::memory_order_release);
  } else {
    writer.chain_cancelled.store(true, std::memory_order_release);
  }

  AppendResult result;
  result.sequences.resize(writer.events.size());
  result.duplicates.resize(writer.events.size());
  struct NewEvent {
    size_t index;
    const v1::Event* reversal_target;
  };
  std::vector<NewEvent> new_events;
  new_events.reserve(writer.events.size());
  std::vector<absl::string_view> added_ids;
  uint64_t next_sequence = group.next_sequence;
  // Undoes this writer's additions to the group's id and event maps when it is rejected.
  auto rejected = [&](absl::Status status) {
    writer.chain_cancelled.store(true, std::memory_order_relaxed);
    for (absl::string_view id : added_ids) group.ids.erase(id);
    group.events.resize(group.next_sequence - group.first_sequence);
    return status;
  };

  // Every id's candidate in the index, in one tight loop: the look-ups miss the cache, and
  // independent misses overlap.
  std::vector<std::optional<uint64_t>> candidates(writer.events.size());
  {
    const size_t n = writer.events.size();
    std::vector<rocksdb::Slice> keys(n);
    for (size_t i = 0; i < n; ++i) keys[i] = rocksdb::Slice(writer.events[i].event_id());
    std::vector<rocksdb::PinnableSlice> values(n);
    std::vector<rocksdb::Status> statuses(n);
    db_->MultiGet(rocksdb::ReadOptions(), ids_cf_, n, keys.data(), values.data(), statuses.data());
    for (size_t i = 0; i < n; ++i) {
      if (statuses[i].ok() && values[i].size() == 8) {
        candidates[i] = DecodeSequence(View(values[i]));
      } else if (!statuses[i].ok() && !statuses[i].IsNotFound()) {
        return rejected(FromRocks(statuses[i], "reading the id index"));
      }
    }
  }
  // Idempotency: where event i's id is already stored (in this batch and the group, then the
  // log), and whether with the same content.
  struct Stored {
    uint64_t sequence = 0;
    bool same_content = false;
  };
  auto find_stored = [&](size_t i) -> absl::StatusOr<std::optional<Stored>> {
    const v1::Event& event = writer.events[i];
    const absl::string_view bytes = writer.bytes_of(i);
    if (auto seen = group.ids.find(event.event_id()); seen != group.ids.end()) {
      return Stored{seen->second.first, seen->second.second == bytes};
    }
    if (const std::optional<uint64_t>& candidate = candidates[i]) {
      // The index is derived: the stored event is read to compare ids (the index must not be
      // what refuses an event) and content.
      GL_ASSIGN_OR_RETURN(std::unique_ptr<v1::Event> stored, ReadEvent(*candidate));
      if (stored->event_id() != event.event_id()) {
        return absl::DataLossError(StrCat(
            "the id index names record ", *candidate, " for event_id ",
            QuoteForMessage(event.event_id()),
            ", which has another id; nothing was written; run `grantledger verify --db`, then "
            "`grantledger reindex --db` to rebuild the index from the log"));
      }
      return Stored{*candidate, SerializeEvent(*stored) == bytes};
    }
    return std::nullopt;
  };

  // Expected versions guard the batch's new events. A batch whose events are all stored
  // already, unchanged, is a retry of one that was applied (its answer was lost): it gets its
  // original sequences whatever its expected versions say, since the batch itself moved them
  // on. A batch with any new event is checked as usual (docs/decisions.md).
  for (const auto& [grant_id, expected] : writer.options->expected_versions) {
    const std::optional<GrantState>& grant = grant_slot(grant_id);
    const uint64_t version = grant.has_value() ? grant->event_count : 0;
    if (version == expected) continue;
    bool retry = true;
    for (size_t i = 0; i < writer.events.size() && retry; ++i) {
      if (absl::Status s = writer.AwaitEncoded(i); !s.ok()) return rejected(s);
      absl::StatusOr<std::optional<Stored>> stored = find_stored(i);
      if (!stored.ok()) return rejected(stored.status());
      retry = stored->has_value() && (*stored)->same_content;
    }
    if (retry) break;
    return rejected(absl::AbortedError(StrCat("expected_version: grant ", QuoteForMessage(grant_id),
                                              " is at version ", version, ", not ", expected,
                                              "; read it again, then retry with the new version")));
  }

  for (size_t i = 0; i < writer.events.size(); ++i) {
    if (absl::Status s = writer.AwaitEncoded(i); !s.ok()) return rejected(s);
    const v1::Event& event = writer.events[i];
    const RestoredMeta* restored = writer.options->verbatim ? &writer.restored[i] : nullptr;
    if (restored != nullptr && restored->sequence != next_sequence) {
      return rejected(absl::FailedPreconditionError(
          StrCat("record ", restored->sequence, ": the ledger's next sequence is ", next_sequence,
                 "; restore an export from its first record into a new, empty data directory")));
    }
    std::optional<uint64_t> stored_sequence;
    bool same_content = false;
    {
      absl::StatusOr<std::optional<Stored>> stored = find_stored(i);
      if (!stored.ok()) return rejected(stored.status());
      if (stored->has_value()) {
        stored_sequence = (*stored)->sequence;
        same_content = (*stored)->same_content;
      }
    }
    if (stored_sequence.has_value() && writer.options->verbatim) {
      return rejected(absl::DataLossError(StrCat("record ", restored->sequence, ": event_id \"",
                                                 event.event_id(), "\" is already at sequence ",
                                                 *stored_sequence, "; the export was altered")));
    }
    if (stored_sequence.has_value()) {
      if (!same_content) {
        return rejected(AtEvent(absl::AlreadyExistsError(StrCat(
                                    "event_id was already used at sequence ", *stored_sequence,
                                    " for an event with other content; give this event a new "
                                    "event_id, or resend the original unchanged")),
                                i, event));
      }
      result.sequences[i] = *stored_sequence;
      result.duplicates[i] = true;
      continue;
    }

    EventContext context;
    context.sequence = next_sequence;
    context.appending = !writer.options->verbatim;
    if (event.has_reversal()) {
      const uint64_t target = event.reversal().reversed_sequence();
      if (target >= group.first_sequence && target - group.first_sequence < group.events.size()) {
        context.reversal_target = group.events[target - group.first_sequence];
      } else if (target < group.first_sequence) {
        auto read = ReadEvent(target);
        if (read.ok()) {
          group.read_targets.push_back(std::move(*read));
          context.reversal_target = group.read_targets.back().get();
        } else if (!absl::IsNotFound(read.status())) {
          return rejected(read.status());
        }
      }
    }
    if (absl::Status s = ApplyEvent(event, context, grant_slot(event.grant_id())); !s.ok()) {
      return rejected(AtEvent(s, i, event));
    }
    if (event.has_carry_over()) {
      absl::Status s = ApplyCarryIn(event, context, grant_slot(event.carry_over().to_grant_id()));
      if (!s.ok()) return rejected(AtEvent(s, i, event));
    }
    group.ids.emplace(event.event_id(), std::make_pair(next_sequence, writer.bytes_of(i)));
    added_ids.push_back(event.event_id());
    group.events.push_back(&event);
    new_events.push_back({i, context.reversal_target});
    result.sequences[i] = next_sequence;
    ++next_sequence;
  }

  if (writer.options->dry_run) {
    (void)rejected(absl::OkStatus());  // valid; nothing joins the group's write
    writer.result = std::move(result);
    return absl::OkStatus();
  }
  // The whole batch is valid: chain its records onto the group's log entry (checking restored
  // hashes before anything joins the write), then its index entries and history additions.
  // When every event is new, the caller has been chaining them ahead meanwhile: the records are
  // taken from it after the history additions are planned.
  const bool take_chained = chain_ahead && new_events.size() == writer.events.size();
  if (chain_ahead && !take_chained) {
    writer.chain_cancelled.store(true, std::memory_order_relaxed);  // some were duplicates
  }
  std::string head_hash = group.head_hash;
  int64_t last_recorded_time = group.last_recorded_time_unix_micros;
  auto chain_here = [&]() -> absl::Status {
    const size_t entry_size = group.entry.size();
    char hash[kHashBytes];
    for (const NewEvent& added : new_events) {
      const RestoredMeta* restored =
          writer.options->verbatim ? &writer.restored[added.index] : nullptr;
      const uint64_t sequence = result.sequences[added.index];
      const int64_t recorded_time = restored != nullptr ? restored->recorded_time_unix_micros
                                                        : group.recorded_time_unix_micros;
      AppendRecord(group.entry, sequence, recorded_time, writer.bytes_of(added.index),
                   restored != nullptr ? absl::string_view(restored->author) : writer.author,
                   head_hash, hash);
      if (restored != nullptr) {
        absl::Status bad;
        if (recorded_time < last_recorded_time) {
          bad = absl::DataLossError(StrCat("record ", sequence,
                                           ": its recorded time is earlier than the record "
                                           "before it; the export was altered"));
        } else if (absl::string_view(hash, kHashBytes) != restored->hash) {
          bad = absl::DataLossError(
              StrCat("record ", sequence, ": its content does not match its hash ",
                     HexOf(restored->hash).substr(0, 16),
                     "...: the export was altered at this record (or the one before it); "
                     "nothing of this batch was restored"));
        }
        if (!bad.ok()) {
          group.entry.resize(entry_size);
          return bad;
        }
      }
      last_recorded_time = recorded_time;
      head_hash.assign(hash, kHashBytes);
    }
    return absl::OkStatus();
  };
  if (!take_chained) {
    if (absl::Status s = chain_here(); !s.ok()) return rejected(s);
  }
  // The grant of the previous event, looked up again only when it changes (a batch is mostly
  // one grant's).
  const std::string* last_grant = nullptr;
  Group::GrantChanges* last_changes = nullptr;
  auto changes_of = [&](const std::string& id) -> Group::GrantChanges& {
    if (last_grant != nullptr && *last_grant == id) return *last_changes;
    Group::GrantChanges& changes = group.changes[id];
    if (changes.history == nullptr) {
      changes.history = &history_of(id);
      state_mu_.AssertReaderHeld();
      auto in_state = state_.grants.find(id);
      changes.prior_count = in_state == state_.grants.end() ? 0 : in_state->second.event_count;
    }
    last_grant = &id;
    last_changes = &changes;
    return changes;
  };
  for (size_t k = 0; k < new_events.size(); ++k) {
    const v1::Event& event = writer.events[new_events[k].index];
    const uint64_t sequence = result.sequences[new_events[k].index];
    Group::GrantChanges& changes = changes_of(event.grant_id());
    changes.sequences.push_back(sequence);
    changes.additions.push_back(changes.history->Plan(event, sequence,
                                                      new_events[k].reversal_target,
                                                      /*carry_in=*/false));
    if (event.has_carry_over()) {
      Group::GrantChanges& to = changes_of(event.carry_over().to_grant_id());
      to.sequences.push_back(sequence);
      to.additions.push_back(to.history->Plan(event, sequence, nullptr, /*carry_in=*/true));
    }
    group.new_ids.emplace_back(event.event_id(), sequence);
  }
  if (take_chained) {
    writer.AwaitEncodingFinished();  // and chaining ahead
    if (writer.chained_all) {        // the records from group.next_sequence on, as chain_here's
      if (group.entry.empty()) {
        group.entry.swap(writer.chained);
      } else {
        group.entry.append(writer.chained);
      }
      head_hash = writer.chained_head;
      last_recorded_time = group.recorded_time_unix_micros;
      batches_chained_ahead_.fetch_add(1, std::memory_order_relaxed);
    } else {
      (void)chain_here();  // the caller did not chain ahead; no restored record can fail
    }
  }
  group.head_hash = std::move(head_hash);
  group.last_recorded_time_unix_micros = last_recorded_time;
  group.next_sequence = next_sequence;
  for (auto& [id, grant] : scratch) {
    if (grant.has_value()) group.grants[id] = std::move(grant);
  }
  writer.accepted = true;
  writer.result = std::move(result);
  return absl::OkStatus();
}

absl::StatusOr<v1::RecordedEvent> EventStore::ReadStored(uint64_t sequence) const {
  LogCursor cursor(db_.get(), log_cf_);
  GL_ASSIGN_OR_RETURN(LogValue value, cursor.Find(sequence));
  return ParseRecord(sequence, value);
}

absl::StatusOr<v1::RecordedEvent> EventStore::Read(uint64_t sequence) const {
  GL_ASSIGN_OR_RETURN(v1::RecordedEvent out, ReadStored(sequence));
  if (sequence == 1) {
    out.mutable_record()->set_prev_hash(GenesisHash());
  } else {
    GL_ASSIGN_OR_RETURN(v1::RecordedEvent previous, ReadStored(sequence - 1));
    out.mutable_record()->set_prev_hash(previous.hash());
  }
  return out;
}

absl::StatusOr<std::unique_ptr<v1::Event>> EventStore::ReadEvent(uint64_t sequence) const {
  GL_ASSIGN_OR_RETURN(v1::RecordedEvent recorded, ReadStored(sequence));
  auto event = std::make_unique<v1::Event>();
  event->Swap(recorded.mutable_record()->mutable_event());
  return event;
}

void EventStore::IndexRecorded(const v1::Event& event, uint64_t sequence,
                               const v1::Event* reversal_target) {
  std::unique_ptr<v1::Event> read;
  if (event.has_reversal() && reversal_target == nullptr) {
    auto target = ReadEvent(event.reversal().reversed_sequence());
    if (target.ok()) read = std::move(*target);
    reversal_target = read.get();
  }
  histories_[event.grant_id()].Add(event, sequence, reversal_target, /*carry_in=*/false);
  if (event.has_carry_over()) {
    histories_[event.carry_over().to_grant_id()].Add(event, sequence, nullptr, /*carry_in=*/true);
  }
}

absl::StatusOr<int64_t> EventStore::RecordedTimeOf(uint64_t sequence) const {
  GL_ASSIGN_OR_RETURN(v1::RecordedEvent record, ReadStored(sequence));
  return record.record().recorded_time_unix_micros();
}

uint64_t EventStore::SequenceAtRecordedTime(absl::Time time) const {
  const int64_t micros = absl::ToUnixMicros(time);
  // Recorded times never go backwards along the log: a binary search over it, a few dozen
  // reads whatever its length (no index to trust).
  uint64_t low = 0;                     // recorded at or before `time` (0: none)
  uint64_t high = Head().sequence + 1;  // recorded after it
  while (high - low > 1) {
    const uint64_t middle = low + (high - low) / 2;
    absl::StatusOr<int64_t> recorded = RecordedTimeOf(middle);
    if (!recorded.ok()) return low;  // damage: `verify` reports it
    if (*recorded <= micros) {
      low = middle;
    } else {
      high = middle;
    }
  }
  return low;
}

absl::StatusOr<GrantPosition> EventStore::Position(const std::string& grant_id,
                                                   const AsOf& as_of) const {
  {
    absl::ReaderMutexLock lock(&state_mu_);
    auto it = histories_.find(grant_id);
    if (it == histories_.end()) {
      return absl::NotFoundError(
          StrCat("grant ", grant_id, " is not registered; check the diary number"));
    }
    const GrantHistory& history = it->second;
    if (histories_in_memory_ || as_of.sequence == 0 ||
        as_of.sequence >= history.compacted_through()) {
      return PositionAsOf(grant_id, history, as_of);
    }
    if (history.registered_sequence() > as_of.sequence) {
      return PositionAsOf(grant_id, history, {}, {}, as_of);  // NotFound, worded as usual
    }
    // As known before the last fold: the parts stored at the checkpoints around it.
    absl::StatusOr<HistoryStore::Parts> parts =
        history_store_->PartsAt(grant_id, as_of.sequence, NameCountsOf(history));
    if (parts.ok()) return PositionAsOf(grant_id, history, parts->compacted, parts->later, as_of);
    Warn(StrCat(parts.status().message(), "; answering from the log instead"));
  }
  return PositionFromLog(grant_id, as_of);
}

absl::StatusOr<GrantPosition> EventStore::PositionFromLog(const std::string& grant_id,
                                                          const AsOf& as_of) const {
  GrantHistory history;
  absl::Status read = absl::OkStatus();
  GL_RETURN_IF_ERROR(
      ScanImpl(1, as_of.sequence, grant_id, false, [&](const v1::RecordedEvent& recorded) {
        const v1::Event& event = recorded.record().event();
        const uint64_t sequence = recorded.record().sequence();
        std::unique_ptr<v1::Event> target;
        if (event.has_reversal()) {
          auto t = ReadEvent(event.reversal().reversed_sequence());
          if (t.ok()) target = std::move(*t);
        }
        history.Add(event, sequence, target.get(),
                    /*carry_in=*/event.grant_id() != grant_id);
        return true;
      }));
  return PositionAsOf(grant_id, history, as_of);
}

std::vector<GrantPosition> EventStore::Positions(const AsOf& as_of) const {
  std::vector<std::string> ids = GrantIds();
  std::vector<GrantPosition> out;
  out.reserve(ids.size());
  for (const std::string& id : ids) {
    absl::StatusOr<GrantPosition> position = Position(id, as_of);
    if (position.ok()) out.push_back(std::move(*position));
  }
  return out;
}

Digest EventStore::WaitForHeadAfter(uint64_t sequence, absl::Duration timeout) const {
  absl::ReaderMutexLock lock(&state_mu_);
  auto passed = [this, sequence]()
                    ABSL_SHARED_LOCKS_REQUIRED(state_mu_) { return state_.sequence > sequence; };
  state_mu_.AwaitWithTimeout(absl::Condition(&passed), timeout);
  return Digest{state_.sequence, state_.head_hash};
}

Digest EventStore::Head() const {
  absl::ReaderMutexLock lock(&state_mu_);
  return Digest{state_.sequence, state_.head_hash};
}

absl::Status EventStore::Scan(uint64_t from, uint64_t to, const std::string& grant_id,
                              const std::function<bool(const v1::RecordedEvent&)>& visit) const {
  return ScanImpl(from, to, grant_id, /*fill_prev_hash=*/true, visit);
}

absl::Status EventStore::ScanImpl(
    uint64_t from, uint64_t to, const std::string& grant_id, bool fill_prev_hash,
    const std::function<bool(const v1::RecordedEvent&)>& visit) const {
  if (from == 0) from = 1;
  // The head, and the grant's count and last record as of it, read together.
  uint64_t head = 0;
  uint64_t grant_count = 0;
  uint64_t grant_last = 0;
  {
    absl::ReaderMutexLock lock(&state_mu_);
    head = state_.sequence;
    if (auto grant = state_.grants.find(grant_id); grant != state_.grants.end()) {
      grant_count = grant->second.event_count;
      grant_last = grant->second.last_sequence;
    }
  }
  if (to == 0 || to > head) to = head;
  LogCursor cursor(db_.get(), log_cf_);
  // Reads record `sequence`, with its prev_hash from the record before when asked.
  auto read = [&](uint64_t sequence) -> absl::StatusOr<v1::RecordedEvent> {
    std::string prev_hash;
    if (fill_prev_hash) {
      if (sequence == 1) {
        prev_hash = GenesisHash();
      } else {
        GL_ASSIGN_OR_RETURN(LogValue previous, cursor.Find(sequence - 1));
        prev_hash = std::string(previous.hash);
      }
    }
    GL_ASSIGN_OR_RETURN(LogValue value, cursor.Find(sequence));
    GL_ASSIGN_OR_RETURN(v1::RecordedEvent out, ParseRecord(sequence, value));
    if (fill_prev_hash) out.mutable_record()->set_prev_hash(std::move(prev_hash));
    return out;
  };
  if (grant_id.empty()) {
    for (uint64_t sequence = from; sequence <= to; ++sequence) {
      absl::StatusOr<v1::RecordedEvent> out = read(sequence);
      if (absl::IsNotFound(out.status())) {  // below the head: the log lost it
        return absl::DataLossError(
            StrCat("record ", sequence, " is missing from the log; run `grantledger verify`"));
      }
      if (!out.ok()) return out.status();
      if (!visit(*out)) return absl::OkStatus();
    }
    return absl::OkStatus();
  }
  const std::string prefix = GrantIndexPrefix(grant_id);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), grant_cf_));
  // The index is derived: each entry says how many of the grant's records come before it, so
  // a missing entry shows as a gap; each record read must be the grant's; and a scan that runs
  // to the grant's last entry must have met as many records as the grant has.
  auto damaged = [&grant_id](absl::string_view what) {
    return absl::DataLossError(StrCat(
        "the grant index of ", grant_id, " is damaged (", what,
        "); the log is not affected: run `grantledger verify --db`, then `grantledger reindex "
        "--db` to rebuild the index from the log"));
  };
  // An entry lists the grant's events of one write, keyed by the first: start at the entry
  // that may hold `from`.
  it->SeekForPrev(GrantIndexKey(grant_id, from));
  if (!it->Valid() || !absl::StartsWith(View(it->key()), prefix))
    it->Seek(GrantIndexKey(grant_id, from));
  std::optional<uint64_t> seen;  // the grant's records before the next entry, once known
  uint64_t last_sequence = 0;
  for (; it->Valid(); it->Next()) {
    absl::string_view key = View(it->key());
    if (!absl::StartsWith(key, prefix)) break;
    if (key.size() != prefix.size() + 8) return damaged("an entry has a damaged key");
    std::vector<uint64_t> sequences;
    uint64_t prior = 0;
    const uint64_t first = DecodeSequence(key.substr(prefix.size()));
    if (!DecodeGrantIndexEntry(first, View(it->value()), prior, sequences)) {
      return damaged(StrCat("the entry at sequence ", first, " does not decode"));
    }
    if (seen.has_value() && prior != *seen) {
      return damaged(StrCat("the entry at sequence ", first, " follows ", prior,
                            " of its records, not ", *seen, ": an entry is missing or extra"));
    }
    if (first <= last_sequence) return damaged("entries overlap");
    seen = prior + sequences.size();
    last_sequence = sequences.back();
    for (uint64_t sequence : sequences) {
      if (sequence < from) continue;
      if (sequence > to) return absl::OkStatus();
      GL_ASSIGN_OR_RETURN(v1::RecordedEvent out, read(sequence));
      const v1::Event& event = out.record().event();
      if (event.grant_id() != grant_id &&
          !(event.has_carry_over() && event.carry_over().to_grant_id() == grant_id)) {
        return damaged(StrCat("it names record ", sequence, ", which is another grant's"));
      }
      if (!visit(out)) return absl::OkStatus();
    }
  }
  GL_RETURN_IF_ERROR(FromRocks(it->status(), "reading the grant index"));
  if (seen.value_or(0) != grant_count || last_sequence != grant_last) {
    return damaged(StrCat("it lists ", seen.value_or(0), " records up to sequence ", last_sequence,
                          "; the grant has ", grant_count, " up to ", grant_last));
  }
  return absl::OkStatus();
}

absl::StatusOr<VerifyResult> EventStore::Verify(
    uint64_t from, uint64_t to, const std::function<void(uint64_t)>& progress) const {
  const Digest head = Head();
  GL_ASSIGN_OR_RETURN(const VerifyRange range, ResolveVerifyRange(from, to, head.sequence));
  from = range.from;
  to = range.to;
  VerifyResult result;
  auto bad = [&](uint64_t sequence, std::string problem) {
    result.ok = false;
    result.first_bad_sequence = sequence;
    result.problem = std::move(problem);
    return result;
  };
  std::string expected_prev = GenesisHash();
  if (from > 1) {
    LogCursor cursor(db_.get(), log_cf_);
    absl::StatusOr<LogValue> previous = cursor.Find(from - 1);
    if (!previous.ok()) return bad(from - 1, "the record before the range cannot be read");
    expected_prev = std::string(previous->hash);
  }
  result.last_good = Digest{from - 1, expected_prev};
  if (from > to) return result;
  // Walks the entries in key order: a missing or extra record shows as a sequence mismatch.
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), log_cf_));
  std::vector<LogValue> records;
  uint64_t expected_sequence = from;
  for (it->SeekForPrev(EncodeSequence(from)); expected_sequence <= to; it->Next()) {
    if (!it->Valid()) {
      if (it->status().IsCorruption()) {
        return bad(expected_sequence,
                   StrCat("the stored bytes from this record on cannot be read (",
                          it->status().ToString(), ")"));
      }
      if (!it->status().ok()) break;
      if (expected_sequence == from) {
        it->Seek(EncodeSequence(from));  // no entry starts at or before `from`
        if (!it->Valid()) break;
      } else {
        break;
      }
    }
    absl::string_view key = View(it->key());
    const uint64_t first = key.size() == 8 ? DecodeSequence(key) : 0;
    records.clear();
    const bool intact = SplitLogEntry(View(it->value()), records);
    if (first > expected_sequence || first == 0 ||
        (first + records.size() <= expected_sequence && intact)) {
      return bad(expected_sequence,
                 StrCat("record ", expected_sequence, " is missing from the log"));
    }
    for (uint64_t sequence = expected_sequence; sequence - first < records.size() && sequence <= to;
         ++sequence) {
      const LogValue& value = records[sequence - first];
      if (ChainHash(expected_prev, value.record_bytes) != value.hash) {
        return bad(sequence, "the stored bytes do not match the record's hash (altered)");
      }
      v1::EventRecord record;
      if (!record.ParseFromArray(value.record_bytes.data(),
                                 static_cast<int>(value.record_bytes.size()))) {
        return bad(sequence, "the stored bytes do not parse as an event record");
      }
      if (record.sequence() != sequence)
        return bad(sequence, "the record names another sequence number");
      expected_prev = std::string(value.hash);
      result.last_good = Digest{sequence, expected_prev};
      ++result.checked;
      if (progress && result.checked % 4096 == 0) progress(result.checked);
      ++expected_sequence;
    }
    if (!intact && expected_sequence <= to) {
      return bad(expected_sequence, "the stored entry holding this record is damaged (altered)");
    }
  }
  GL_RETURN_IF_ERROR(FromRocks(it->status(), "reading the log"));
  if (expected_sequence <= to) {
    return bad(expected_sequence, StrCat("record ", expected_sequence, " is missing from the log"));
  }
  if (to == head.sequence && expected_prev != head.head_hash) {
    return bad(to, "the last record's hash differs from the head this ledger wrote (rewritten)");
  }
  return result;
}

std::optional<GrantState> EventStore::Grant(const std::string& grant_id) const {
  absl::ReaderMutexLock lock(&state_mu_);
  auto it = state_.grants.find(grant_id);
  if (it == state_.grants.end()) return std::nullopt;
  return it->second;
}

absl::StatusOr<GrantState> EventStore::GrantAtSequence(const std::string& grant_id,
                                                       uint64_t sequence) const {
  std::map<std::string, GrantState> grants;
  absl::Status applied = absl::OkStatus();
  GL_RETURN_IF_ERROR(ScanImpl(1, sequence, grant_id, false, [&](const v1::RecordedEvent& recorded) {
    applied =
        ApplyLogged(recorded.record().event(), recorded.record().sequence(), grants, grant_id);
    return applied.ok();
  }));
  if (!applied.ok())
    return absl::DataLossError(StrCat("replaying ", grant_id, ": ", applied.message()));
  auto it = grants.find(grant_id);
  if (it == grants.end()) {
    return absl::NotFoundError(
        StrCat("grant ", grant_id, " was not registered by sequence ", sequence));
  }
  return std::move(it->second);
}

std::vector<std::string> EventStore::GrantIds() const {
  absl::ReaderMutexLock lock(&state_mu_);
  std::vector<std::string> ids;
  ids.reserve(state_.grants.size());
  for (const auto& [id, grant] : state_.grants) ids.push_back(id);
  return ids;
}

LedgerState EventStore::State() const {
  absl::ReaderMutexLock lock(&state_mu_);
  return state_;
}

absl::StatusOr<LedgerState> EventStore::Replay(
    uint64_t to, const std::function<void(uint64_t)>& progress) const {
  LedgerState state;
  state.head_hash = GenesisHash();
  absl::Status applied = absl::OkStatus();
  GL_RETURN_IF_ERROR(ScanImpl(1, to, "", false, [&](const v1::RecordedEvent& recorded) {
    if (recorded.record().sequence() != state.sequence + 1) {
      applied = absl::DataLossError(
          StrCat("the log skips from ", state.sequence, " to ", recorded.record().sequence()));
      return false;
    }
    applied = ApplyLogged(recorded.record().event(), recorded.record().sequence(), state.grants);
    if (!applied.ok()) return false;
    state.sequence = recorded.record().sequence();
    state.head_hash = recorded.hash();
    state.last_recorded_time_unix_micros = recorded.record().recorded_time_unix_micros();
    if (progress && state.sequence % 4096 == 0) progress(state.sequence);
    return true;
  }));
  if (!applied.ok()) return absl::DataLossError(StrCat("replay stopped: ", applied.message()));
  return state;
}

absl::Status EventStore::WriteCheckpoint() {
  if (options_.read_only) return absl::FailedPreconditionError("the ledger is open read-only");
  absl::MutexLock lock(&state_mu_);
  return WriteCheckpointLocked();
}

absl::Status EventStore::WriteCheckpointLocked() {
  // One write: every grant's history parts folded since the last checkpoint, then the
  // checkpoint naming them, sealed with its SHA-256.
  rocksdb::WriteBatch batch;
  v1::ProjectionCheckpoint checkpoint = ToCheckpoint(state_);
  checkpoint.set_format_version(2);
  for (auto& [grant_id, history] : histories_) {
    std::string& hash = compacted_hashes_[grant_id];
    if (!history.moves().empty() && !histories_in_memory_) {
      const uint64_t from = history.compacted_through();
      std::vector<Move> chunk = history.Fold(state_.sequence);
      hash =
          history_store_->Put(batch, grant_id, from, state_.sequence, chunk, history.compacted());
    }
    *checkpoint.add_histories() = HistoryToCheckpoint(grant_id, history, hash);
  }
  std::string bytes;
  checkpoint.SerializeToString(&bytes);
  batch.Put(checkpoint_cf_, kCheckpointKey, ChainHash(absl::string_view(), bytes) + bytes);
  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync;
  GL_RETURN_IF_ERROR(
      FromRocks(db_->Write(write_options, &batch), "writing the projection checkpoint"));
  checkpoint_sequence_ = state_.sequence;
  NoteDurableHead(Digest{state_.sequence, state_.head_hash});
  return absl::OkStatus();
}

void EventStore::CheckInvariants(const GrantState& grant) const {
  const char* broken = nullptr;
  if (grant.TrialBalance() != 0) broken = "trial balance is not zero";
  if (grant.AllocatedOre() > grant.terms.decided_amount_ore) broken = "allocated exceeds decided";
  if (grant.repaid_ore > grant.received_ore()) broken = "repaid exceeds received";
  if (broken != nullptr) {
    std::fprintf(stderr, "grantledger: invariant broken for %s: %s\n", grant.grant_id.c_str(),
                 broken);
    std::abort();
  }
}

}  // namespace grantledger

namespace grantledger {
namespace {

// An order-free digest of a set of (id, sequence) pairs: sums of their hashes, and a count.
struct SetDigest {
  uint64_t a = 0;
  uint64_t b = 0;
  uint64_t count = 0;
  void Add(absl::string_view id, uint64_t sequence) {
    const std::string h = ChainHash(EncodeSequence(sequence), id);
    uint64_t x = 0;
    uint64_t y = 0;
    std::memcpy(&x, h.data(), 8);
    std::memcpy(&y, h.data() + 8, 8);
    a += x;
    b += y;
    ++count;
  }
  bool operator==(const SetDigest&) const = default;
};

}  // namespace

absl::StatusOr<VerifyResult> EventStore::VerifyDerived(
    const std::function<void(uint64_t)>& progress) const {
  VerifyResult result;
  auto bad = [&](uint64_t sequence, std::string problem) {
    result.ok = false;
    result.first_bad_sequence = sequence;
    result.problem = std::move(problem);
    return result;
  };
  const Digest head = Head();

  // What is stored: the id index's digest, every grant's by_grant sequences (hashed in
  // order), and the boundaries of every grant's history parts.
  SetDigest stored_ids;
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), ids_cf_));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (it->value().size() != 8) return bad(0, "the id index has a damaged entry");
      stored_ids.Add(View(it->key()), DecodeSequence(View(it->value())));
    }
    GL_RETURN_IF_ERROR(FromRocks(it->status(), "reading the id index"));
  }
  std::map<std::string, std::string> stored_grant_lists;  // grant -> sequences, 8 bytes each
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), grant_cf_));
    std::map<std::string, uint64_t> counts;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const absl::string_view key = View(it->key());
      const size_t zero = key.find('\0');
      if (zero == absl::string_view::npos || key.size() != zero + 9) {
        return bad(0, "the grant index has an entry with a damaged key");
      }
      const std::string grant_id(key.substr(0, zero));
      std::vector<uint64_t> sequences;
      uint64_t prior = 0;
      if (!DecodeGrantIndexEntry(DecodeSequence(key.substr(zero + 1)), View(it->value()), prior,
                                 sequences)) {
        return bad(0, StrCat("the grant index entry of ", grant_id, " does not decode"));
      }
      uint64_t& count = counts[grant_id];
      if (prior != count) {
        return bad(sequences.front(),
                   StrCat("the grant index of ", grant_id, " at sequence ", sequences.front(),
                          " follows ", prior, " records, not ", count));
      }
      count += sequences.size();
      std::string& list = stored_grant_lists[grant_id];
      for (uint64_t s : sequences) list += EncodeSequence(s);
    }
    GL_RETURN_IF_ERROR(FromRocks(it->status(), "reading the grant index"));
  }
  struct PartRef {
    std::string grant_id;
    uint64_t from = 0;
    std::string chunk;      // the stored moves
    std::string compacted;  // the stored folded moves
    bool has_chunk = false;
    bool has_compacted = false;
  };
  std::map<uint64_t, std::vector<PartRef>> parts;  // by sequence
  {
    std::map<std::pair<uint64_t, std::string>, PartRef> found;
    absl::Status problem = absl::OkStatus();
    GL_RETURN_IF_ERROR(history_store_->ForEach([&](const absl::StatusOr<HistoryStore::Entry>& e) {
      if (!e.ok()) {
        problem = e.status();
        return false;
      }
      PartRef& part = found[{e->sequence, e->grant_id}];
      part.grant_id = e->grant_id;
      if (e->kind == 'C') {
        part.has_chunk = true;
        part.from = e->from;
        part.chunk = std::string(e->moves);
      } else {
        part.has_compacted = true;
        part.compacted = std::string(e->moves);
      }
      return true;
    }));
    if (!problem.ok()) return bad(0, std::string(problem.message()));
    for (auto& [key, part] : found) {
      if (!part.has_chunk || !part.has_compacted || key.first > head.sequence) {
        return bad(key.first, StrCat("the stored history of ", part.grant_id, " at sequence ",
                                     key.first, " is incomplete or beyond the head"));
      }
      parts[key.first].push_back(std::move(part));
    }
  }
  // The checkpoint, as stored.
  v1::ProjectionCheckpoint checkpoint;
  bool has_checkpoint = false;
  {
    std::string sealed;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), checkpoint_cf_, kCheckpointKey, &sealed);
    if (s.ok()) {
      if (sealed.size() < kHashBytes ||
          ChainHash(absl::string_view(), absl::string_view(sealed).substr(kHashBytes)) !=
              absl::string_view(sealed).substr(0, kHashBytes) ||
          !checkpoint.ParseFromArray(sealed.data() + kHashBytes,
                                     static_cast<int>(sealed.size() - kHashBytes))) {
        return bad(0, "the projection checkpoint does not match its seal");
      }
      has_checkpoint = true;
    } else if (!s.IsNotFound()) {
      return FromRocks(s, "reading the projection checkpoint");
    }
  }

  // The same, rebuilt from the log in one pass.
  SetDigest rebuilt_ids;
  std::map<std::string, std::string> rebuilt_grant_lists;
  std::map<std::string, GrantHistory> histories;
  std::map<std::string, uint64_t> folded_through;
  LedgerState state;
  state.head_hash = GenesisHash();
  absl::Status failed = absl::OkStatus();
  auto check_parts = [&](uint64_t sequence) -> bool {
    auto at = parts.find(sequence);
    if (at == parts.end()) return true;
    for (const PartRef& part : at->second) {
      GrantHistory& history = histories[part.grant_id];
      const uint64_t from = history.compacted_through();
      std::vector<Move> chunk = history.Fold(sequence);
      if (part.from != from || EncodeMoves(chunk) != part.chunk) {
        failed = absl::DataLossError(StrCat("the stored moves of ", part.grant_id, " at sequence ",
                                            sequence, " differ from a rebuild from the log"));
        return false;
      }
      if (EncodeMoves(history.compacted()) != part.compacted) {
        failed = absl::DataLossError(StrCat("the stored folded moves of ", part.grant_id,
                                            " at sequence ", sequence,
                                            " differ from a rebuild from the log"));
        return false;
      }
    }
    return true;
  };
  auto check_checkpoint = [&]() -> bool {
    v1::ProjectionCheckpoint expected = ToCheckpoint(state);
    expected.set_format_version(2);
    for (const auto& [id, history] : histories) {
      v1::GrantHistoryCheckpoint* h = expected.add_histories();
      *h = HistoryToCheckpoint(id, history, "");
      // The folded part is compared above; here its place and names.
      for (const v1::GrantHistoryCheckpoint& c : checkpoint.histories()) {
        if (c.grant_id() == id) h->set_compacted_sha256(c.compacted_sha256());
      }
    }
    for (v1::GrantHistoryCheckpoint& h : *expected.mutable_histories()) {
      if (!histories.at(h.grant_id()).moves().empty()) {
        // Moves not folded at the checkpoint's sequence cannot be: checkpoints fold them all.
        h.set_compacted_through(~uint64_t{0});
      }
    }
    if (expected.SerializeAsString() != checkpoint.SerializeAsString()) {
      failed = absl::DataLossError(StrCat("the projection checkpoint at sequence ",
                                          checkpoint.sequence(),
                                          " differs from a rebuild from the log"));
      return false;
    }
    return true;
  };
  if (has_checkpoint && checkpoint.sequence() == 0 && !check_checkpoint()) {
    return bad(0, std::string(failed.message()));
  }
  GL_RETURN_IF_ERROR(ScanImpl(1, head.sequence, "", false, [&](const v1::RecordedEvent& recorded) {
    const v1::Event& event = recorded.record().event();
    const uint64_t sequence = recorded.record().sequence();
    rebuilt_ids.Add(event.event_id(), sequence);
    rebuilt_grant_lists[event.grant_id()] += EncodeSequence(sequence);
    if (event.has_carry_over()) {
      rebuilt_grant_lists[event.carry_over().to_grant_id()] += EncodeSequence(sequence);
    }
    failed = ApplyLogged(event, sequence, state.grants);
    if (!failed.ok()) return false;
    std::unique_ptr<v1::Event> target;
    if (event.has_reversal()) {
      auto t = ReadEvent(event.reversal().reversed_sequence());
      if (t.ok()) target = std::move(*t);
    }
    histories[event.grant_id()].Add(event, sequence, target.get(), false);
    if (event.has_carry_over()) {
      histories[event.carry_over().to_grant_id()].Add(event, sequence, nullptr, true);
    }
    state.sequence = sequence;
    state.head_hash = recorded.hash();
    state.last_recorded_time_unix_micros = recorded.record().recorded_time_unix_micros();
    if (!check_parts(sequence)) return false;
    if (has_checkpoint && checkpoint.sequence() == sequence && !check_checkpoint()) return false;
    ++result.checked;
    if (progress && sequence % 4096 == 0) progress(sequence);
    return true;
  }));
  if (!failed.ok()) return bad(state.sequence, std::string(failed.message()));
  if (has_checkpoint && checkpoint.sequence() > head.sequence) {
    return bad(head.sequence, "the projection checkpoint is ahead of the log");
  }
  if (!(rebuilt_ids == stored_ids)) {
    return bad(
        0, StrCat("the id index holds ", stored_ids.count, " entries that differ from the log's ",
                  rebuilt_ids.count, " event ids (an entry missing, extra or changed)"));
  }
  for (const auto& [grant_id, list] : rebuilt_grant_lists) {
    auto it = stored_grant_lists.find(grant_id);
    if (it == stored_grant_lists.end() || it->second != list) {
      return bad(0, StrCat("the grant index of ", grant_id, " differs from the log"));
    }
  }
  if (stored_grant_lists.size() != rebuilt_grant_lists.size()) {
    return bad(0, "the grant index lists a grant the log does not have");
  }
  result.last_good = head;
  return result;
}

}  // namespace grantledger
