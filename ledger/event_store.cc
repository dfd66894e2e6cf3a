// The RocksDB event store with group commit; see event_store.h.
#include "ledger/event_store.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "ledger/limits.h"
#include "ledger/log_format.h"
#include "ledger/rules.h"
#include "ledger/status_macros.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/memtablerep.h"
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
  absl::Status out(status.code(), StrCat("event ", index, " (event_id \"", event.event_id(),
                                         "\"): ", status.message()));
  out.SetPayload(kEventIndexPayload, absl::Cord(absl::StrCat(index)));
  return out;
}

// EventRecord bytes as stored: sequence, recorded time and the event, written directly so the
// event's bytes are serialized only once. The previous hash is not repeated in the stored
// bytes: it is chained in by the hash (log_format.h), and readers fill it in.
std::string EncodeRecord(uint64_t sequence, int64_t recorded_time_unix_micros,
                         const std::string& event_bytes) {
  std::string out;
  out.reserve(event_bytes.size() + 24);
  {
    google::protobuf::io::StringOutputStream raw(&out);
    google::protobuf::io::CodedOutputStream coded(&raw);
    coded.WriteTag(1 << 3 | 0);
    coded.WriteVarint64(sequence);
    coded.WriteTag(2 << 3 | 0);
    coded.WriteVarint64(static_cast<uint64_t>(recorded_time_unix_micros));
    coded.WriteTag(4 << 3 | 2);
    coded.WriteVarint32(static_cast<uint32_t>(event_bytes.size()));
    coded.WriteRaw(event_bytes.data(), static_cast<int>(event_bytes.size()));
  }
  return out;
}

std::string SerializeEvent(const v1::Event& event) {
  std::string out;
  google::protobuf::io::StringOutputStream raw(&out);
  google::protobuf::io::CodedOutputStream coded(&raw);
  coded.SetSerializationDeterministic(true);
  event.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
}

// Parses a stored log value; prev_hash is left for the caller to fill.
absl::StatusOr<v1::RecordedEvent> ParseLogValue(uint64_t sequence, absl::string_view value) {
  std::optional<LogValue> split = SplitLogValue(value);
  v1::RecordedEvent out;
  if (!split || !out.mutable_record()->ParseFromArray(
                    split->record_bytes.data(), static_cast<int>(split->record_bytes.size()))) {
    return absl::DataLossError(
        StrCat("log record ", sequence, " does not parse; run `grantledger verify`"));
  }
  out.set_hash(std::string(split->hash));
  return out;
}

}  // namespace

struct EventStore::PreparedEvent {
  v1::Event event;
  std::string bytes;  // deterministic serialization
  // Restores only: the record as exported.
  uint64_t restored_sequence = 0;
  int64_t restored_time_unix_micros = 0;
  std::string restored_hash;
};

struct EventStore::Writer {
  std::vector<PreparedEvent> events;
  const AppendOptions* options = nullptr;
  AppendOptions owned_options;  // AppendAsync's copy
  AppendCallback callback;      // AppendAsync: called on the writer thread instead of `cv`
  absl::StatusOr<AppendResult> result = absl::UnknownError("not processed");
  bool done = false;
  bool accepted = false;  // validated and in the group's WriteBatch
  absl::CondVar cv;
};

// What a group of writers changes before it is committed: the grants they touched, the ids
// and events they add, the chain head, and the batch to write.
class EventStore::Group {
 public:
  explicit Group(size_t reserved_bytes) : batch(reserved_bytes) {}
  absl::flat_hash_map<std::string, std::optional<GrantState>> grants;
  // Keys view event ids inside the writers' events, which live until the group is done.
  absl::flat_hash_map<absl::string_view, std::pair<uint64_t, const std::string*>> ids;
  absl::flat_hash_map<uint64_t, const v1::Event*> events;
  // The group's new events in sequence order, for the histories once written.
  struct Logged {
    const v1::Event* event;
    uint64_t sequence;
    const v1::Event* reversal_target;
    int64_t recorded_time = 0;
  };
  std::vector<Logged> logged;
  std::vector<std::unique_ptr<v1::Event>> read_targets;  // reversal targets read from the log
  uint64_t next_sequence = 1;
  std::string head_hash;
  int64_t recorded_time_unix_micros = 0;       // for new appends
  int64_t last_recorded_time_unix_micros = 0;  // of the last record chained so far
  rocksdb::WriteBatch batch;
};

EventStore::EventStore(EventStoreOptions options) : options_(std::move(options)) {}

absl::StatusOr<std::unique_ptr<EventStore>> EventStore::Open(EventStoreOptions options) {
  if (options.path.empty()) {
    return absl::InvalidArgumentError("data directory: the path is empty; give a directory");
  }
  std::unique_ptr<EventStore> store(new EventStore(std::move(options)));
  const EventStoreOptions& o = store->options_;

  rocksdb::Options db_options;
  db_options.create_if_missing = !o.read_only;
  db_options.create_missing_column_families = !o.read_only;
  db_options.IncreaseParallelism(2);
  db_options.max_background_jobs = 2;
  db_options.keep_log_file_num = 4;
  // One leader writes at a time (group commit happens above RocksDB), so memtable inserts
  // need not be concurrent, and then they can use insert hints for sequential keys.
  db_options.allow_concurrent_memtable_write = false;

  rocksdb::ColumnFamilyOptions log_options;
  log_options.write_buffer_size = 64 << 20;
  log_options.memtable_insert_with_hint_prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(6));
  rocksdb::ColumnFamilyOptions index_options;
  index_options.write_buffer_size = 32 << 20;
  rocksdb::ColumnFamilyOptions ids_options = index_options;
  index_options.memtable_insert_with_hint_prefix_extractor = std::make_shared<GrantPrefix>();
  {
    // Idempotency look-ups are mostly misses: bloom filters in the tables and the memtable.
    rocksdb::BlockBasedTableOptions table;
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    ids_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    ids_options.memtable_prefix_bloom_size_ratio = 0.1;
    ids_options.memtable_whole_key_filtering = true;
    // Keys start with an 8-byte hash and are only ever looked up, never scanned: a hashed
    // memtable inserts them in constant time where a skiplist would search for each.
    ids_options.prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(8));
    ids_options.memtable_factory.reset(rocksdb::NewHashLinkListRepFactory(1 << 20));
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
      {kLogColumnFamily, log_options},
      {kGrantIndexColumnFamily, index_options},
      {kEventIdColumnFamily, ids_options},
      {kCheckpointColumnFamily, rocksdb::ColumnFamilyOptions()},
  };
  rocksdb::DB* db = nullptr;
  rocksdb::Status s;
  if (o.read_only) {
    s = rocksdb::DB::OpenForReadOnly(db_options, o.path, families, &store->handles_, &db);
    if (!s.ok()) {
      return absl::NotFoundError(StrCat("no ledger can be read at ", o.path, " (", s.ToString(),
                                        "); give the data directory of a grantledger ledger"));
    }
  } else {
    s = rocksdb::DB::Open(db_options, o.path, families, &store->handles_, &db);
    GL_RETURN_IF_ERROR(FromRocks(s, StrCat("opening the ledger at ", o.path)));
  }
  store->db_.reset(db);
  store->log_cf_ = store->handles_[1];
  store->grant_cf_ = store->handles_[2];
  store->ids_cf_ = store->handles_[3];
  store->checkpoint_cf_ = store->handles_[4];
  GL_RETURN_IF_ERROR(store->Recover());
  if (!store->options_.read_only) {
    EventStore* raw = store.get();
    store->writer_thread_ = std::thread([raw] { raw->WriterLoop(); });
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
  }
  if (db_ == nullptr) return;
  if (!options_.read_only) {
    absl::MutexLock lock(&state_mu_);
    if (state_.sequence != checkpoint_sequence_) (void)WriteCheckpointLocked();
  }
  for (rocksdb::ColumnFamilyHandle* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
  (void)db_->Close();
}

absl::Status EventStore::Recover() {
  absl::MutexLock lock(&state_mu_);
  state_ = LedgerState();
  state_.head_hash = GenesisHash();
  std::string checkpoint_bytes;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), checkpoint_cf_, kCheckpointKey, &checkpoint_bytes);
  if (s.ok()) {
    v1::ProjectionCheckpoint checkpoint;
    if (!checkpoint.ParseFromString(checkpoint_bytes)) {
      return absl::DataLossError(
          "the projection checkpoint does not parse; the data directory "
          "is damaged (restore it from a backup or an export)");
    }
    GL_ASSIGN_OR_RETURN(state_, FromCheckpoint(checkpoint));
    checkpoint_sequence_ = state_.sequence;
  } else if (!s.IsNotFound()) {
    return FromRocks(s, "reading the projection checkpoint");
  }
  // One pass over the log: the histories for as-of queries and the recorded-time index are
  // rebuilt from every record; the projections replay only the tail after the checkpoint.
  histories_.clear();
  recorded_times_.clear();
  const uint64_t checkpointed = state_.sequence;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), log_cf_));
  for (it->Seek(EncodeSequence(1)); it->Valid(); it->Next()) {
    const uint64_t sequence = DecodeSequence(View(it->key()));
    std::optional<LogValue> value = SplitLogValue(View(it->value()));
    v1::EventRecord record;
    const bool parsed =
        value && record.ParseFromArray(value->record_bytes.data(),
                                       static_cast<int>(value->record_bytes.size()));
    if (sequence <= checkpointed) {
      // Already in the checkpoint; a damaged record here is for `verify` to report.
      if (parsed) IndexRecorded(record.event(), sequence, record.recorded_time_unix_micros());
      continue;
    }
    if (sequence != state_.sequence + 1) {
      return absl::DataLossError(StrCat("the log has no record ", state_.sequence + 1, " but has ",
                                        sequence, "; run `grantledger verify`"));
    }
    if (!parsed) {
      return absl::DataLossError(
          StrCat("log record ", sequence, " does not parse; run `grantledger verify`"));
    }
    if (ChainHash(state_.head_hash, value->record_bytes) != value->hash) {
      return absl::DataLossError(
          StrCat("log record ", sequence,
                 " does not chain to the record before it; run `grantledger verify`"));
    }
    absl::Status applied = ApplyLogged(record.event(), sequence, state_.grants);
    if (!applied.ok()) {
      return absl::DataLossError(
          StrCat("log record ", sequence, " no longer applies: ", applied.message()));
    }
    IndexRecorded(record.event(), sequence, record.recorded_time_unix_micros());
    state_.sequence = sequence;
    state_.head_hash = std::string(value->hash);
    state_.last_recorded_time_unix_micros = record.recorded_time_unix_micros();
  }
  GL_RETURN_IF_ERROR(FromRocks(it->status(), "reading the log"));
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

absl::Status EventStore::Prepare(std::vector<v1::Event> events, Writer& writer) const {
  if (options_.read_only) {
    return absl::FailedPreconditionError("the ledger is open read-only; post through the server");
  }
  if (events.empty()) {
    return absl::InvalidArgumentError("events: the batch is empty; send at least one event");
  }
  if (events.size() > kMaxEventsPerBatch) {
    return absl::InvalidArgumentError(StrCat("events: the batch has ", events.size(),
                                             " events; split it into batches of at most ",
                                             kMaxEventsPerBatch));
  }
  // Stateless checks and serialization happen here, in the caller's thread, in parallel.
  writer.events.resize(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    PreparedEvent& prepared = writer.events[i];
    prepared.event = std::move(events[i]);
    if (absl::Status s = CheckEventShape(prepared.event); !s.ok()) {
      return AtEvent(s, i, prepared.event);
    }
    prepared.bytes = SerializeEvent(prepared.event);
    if (prepared.bytes.size() > kMaxEncodedEventBytes) {
      return AtEvent(
          absl::InvalidArgumentError(StrCat("the event is ", prepared.bytes.size(),
                                            " bytes encoded; at most ", kMaxEncodedEventBytes)),
          i, prepared.event);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<AppendResult> EventStore::Append(std::vector<v1::Event> events,
                                                const AppendOptions& options) {
  Writer writer;
  writer.options = &options;
  GL_RETURN_IF_ERROR(Prepare(std::move(events), writer));
  return Submit(writer);
}

void EventStore::AppendAsync(std::vector<v1::Event> events, AppendOptions options,
                             AppendCallback done) {
  auto writer = std::make_unique<Writer>();
  writer->owned_options = std::move(options);
  writer->options = &writer->owned_options;
  if (absl::Status s = Prepare(std::move(events), *writer); !s.ok()) {
    done(s);
    return;
  }
  writer->callback = std::move(done);
  {
    absl::MutexLock lock(&queue_mu_);
    if (!stopping_) {
      writers_.push_back(writer.release());  // the writer thread deletes it when done
      work_cv_.Signal();
      return;
    }
  }
  writer->callback(absl::UnavailableError("the ledger is closing; nothing was written; retry"));
}

absl::StatusOr<AppendResult> EventStore::Submit(Writer& writer) {
  absl::MutexLock lock(&queue_mu_);
  if (stopping_) return absl::UnavailableError("the ledger is closing; nothing was written; retry");
  writers_.push_back(&writer);
  work_cv_.Signal();
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
    ProcessGroup(group);
    std::vector<Writer*> finished_async;
    {
      absl::MutexLock lock(&queue_mu_);
      for (Writer* w : group) {
        if (w->callback) {
          finished_async.push_back(w);
        } else {
          w->done = true;
          w->cv.Signal();
        }
      }
    }
    for (Writer* w : finished_async) {
      w->callback(std::move(w->result));
      delete w;
    }
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
  Writer writer;
  writer.options = &kVerbatim;
  writer.events.resize(records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    PreparedEvent& prepared = writer.events[i];
    prepared.event = std::move(records[i].event);
    prepared.restored_sequence = records[i].sequence;
    prepared.restored_time_unix_micros = records[i].recorded_time_unix_micros;
    prepared.restored_hash = std::move(records[i].hash);
    if (absl::Status s = CheckEventShape(prepared.event); !s.ok()) {
      return absl::Status(s.code(),
                          StrCat("record ", prepared.restored_sequence, ": ", s.message()));
    }
    prepared.bytes = SerializeEvent(prepared.event);
  }
  GL_ASSIGN_OR_RETURN(AppendResult result, Submit(writer));
  return result.head;
}

void EventStore::ProcessGroup(std::vector<Writer*>& writers) {
  size_t bytes = 0;
  for (const Writer* w : writers) {
    for (const PreparedEvent& e : w->events)
      bytes += e.bytes.size() + 2 * e.event.event_id().size() + 160;
  }
  Group group(bytes);
  {
    absl::ReaderMutexLock lock(&state_mu_);
    group.next_sequence = state_.sequence + 1;
    group.head_hash = state_.head_hash;
    group.recorded_time_unix_micros =
        std::max(absl::ToUnixMicros(options_.clock()), state_.last_recorded_time_unix_micros);
    group.last_recorded_time_unix_micros = state_.last_recorded_time_unix_micros;
    for (Writer* w : writers) {
      absl::Status s = ProcessWriter(*w, group);
      if (!s.ok()) w->result = s;
    }
  }
  if (group.batch.Count() > 0) {
    rocksdb::WriteOptions write_options;
    write_options.sync = options_.sync;
    rocksdb::Status s = db_->Write(write_options, &group.batch);
    if (!s.ok()) {
      absl::Status failed = absl::UnavailableError(
          StrCat("the ledger could not write to disk (", s.ToString(),
                 "); nothing of this batch was written; retry with the same event_ids"));
      for (Writer* w : writers) {
        if (w->accepted) w->result = failed;
      }
      return;
    }
  }
  Digest head;
  {
    absl::MutexLock lock(&state_mu_);
    for (auto& [id, grant] : group.grants) {
      if (!grant.has_value()) continue;
      if (options_.check_invariants) CheckInvariants(*grant);
      state_.grants[id] = std::move(*grant);
    }
    for (const Group::Logged& logged : group.logged) {
      IndexRecorded(*logged.event, logged.sequence, logged.recorded_time, logged.reversal_target);
    }
    if (group.batch.Count() > 0) {
      state_.sequence = group.next_sequence - 1;
      state_.head_hash = group.head_hash;
      state_.last_recorded_time_unix_micros = group.last_recorded_time_unix_micros;
    }
    if (options_.check_invariants && state_.TrialBalance() != 0) {
      std::fprintf(stderr, "grantledger: trial balance is not zero after sequence %llu\n",
                   static_cast<unsigned long long>(state_.sequence));
      std::abort();
    }
    if (state_.sequence - checkpoint_sequence_ >= options_.checkpoint_interval_events) {
      (void)WriteCheckpointLocked();  // a cache: a failure only means a longer replay on open
    }
    head = Digest{state_.sequence, state_.head_hash};
  }
  for (Writer* w : writers) {
    if (w->accepted) w->result->head = head;
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

  for (const auto& [grant_id, expected] : writer.options->expected_versions) {
    const std::optional<GrantState>& grant = grant_slot(grant_id);
    const uint64_t version = grant.has_value() ? grant->event_count : 0;
    if (version != expected) {
      return absl::AbortedError(StrCat("expected_version: grant ", grant_id, " is at version ",
                                       version, ", not ", expected,
                                       "; read it again, then retry with the new version"));
    }
  }

  AppendResult result;
  result.sequences.resize(writer.events.size());
  result.duplicates.resize(writer.events.size());
  absl::flat_hash_map<absl::string_view, std::pair<uint64_t, const std::string*>> local_ids;
  absl::flat_hash_map<uint64_t, const v1::Event*> local_events;
  std::vector<std::unique_ptr<v1::Event>> read_targets;
  std::vector<Group::Logged> local_logged;
  std::vector<size_t> new_events;
  uint64_t next_sequence = group.next_sequence;

  // Every id's stored sequence, looked up in one batched read (most are new: bloom filters).
  std::vector<std::optional<uint64_t>> stored(writer.events.size());
  GL_RETURN_IF_ERROR(FindEventIds(writer.events, stored));

  for (size_t i = 0; i < writer.events.size(); ++i) {
    const PreparedEvent& prepared = writer.events[i];
    const v1::Event& event = prepared.event;
    // Idempotency: this batch, then the group, then the log.
    std::optional<std::pair<uint64_t, const std::string*>> seen;
    if (auto it = local_ids.find(event.event_id()); it != local_ids.end()) {
      seen = it->second;
    } else if (auto git = group.ids.find(event.event_id()); git != group.ids.end()) {
      seen = git->second;
    }
    if (writer.options->verbatim && prepared.restored_sequence != next_sequence) {
      return absl::FailedPreconditionError(StrCat(
          "record ", prepared.restored_sequence, ": the ledger's next sequence is ", next_sequence,
          "; restore an export from its first record into a new, empty data directory"));
    }
    std::optional<uint64_t> stored_sequence;
    bool same_content = false;
    if (seen.has_value()) {
      stored_sequence = seen->first;
      same_content = *seen->second == prepared.bytes;
    } else {
      stored_sequence = stored[i];
      if (stored_sequence.has_value()) {
        GL_ASSIGN_OR_RETURN(std::string stored_bytes, ReadEventBytes(*stored_sequence));
        same_content = stored_bytes == prepared.bytes;
      }
    }
    if (stored_sequence.has_value() && writer.options->verbatim) {
      return absl::DataLossError(StrCat("record ", prepared.restored_sequence, ": event_id \"",
                                        event.event_id(), "\" is already at sequence ",
                                        *stored_sequence, "; the export was altered"));
    }
    if (stored_sequence.has_value()) {
      if (!same_content) {
        return AtEvent(absl::AlreadyExistsError(StrCat(
                           "event_id was already used at sequence ", *stored_sequence,
                           " for an event with other content; give this event a new event_id, "
                           "or resend the original unchanged")),
                       i, event);
      }
      result.sequences[i] = *stored_sequence;
      result.duplicates[i] = true;
      continue;
    }

    EventContext context;
    context.sequence = next_sequence;
    if (event.has_reversal()) {
      const uint64_t target = event.reversal().reversed_sequence();
      if (auto it = local_events.find(target); it != local_events.end()) {
        context.reversal_target = it->second;
      } else if (auto git = group.events.find(target); git != group.events.end()) {
        context.reversal_target = git->second;
      } else if (target < group.next_sequence) {
        auto read = ReadEvent(target);
        if (read.ok()) {
          read_targets.push_back(std::move(*read));
          context.reversal_target = read_targets.back().get();
        } else if (!absl::IsNotFound(read.status())) {
          return read.status();
        }
      }
    }
    if (absl::Status s = ApplyEvent(event, context, grant_slot(event.grant_id())); !s.ok()) {
      return AtEvent(s, i, event);
    }
    if (event.has_carry_over()) {
      absl::Status s = ApplyCarryIn(event, context, grant_slot(event.carry_over().to_grant_id()));
      if (!s.ok()) return AtEvent(s, i, event);
    }
    local_logged.push_back({&event, next_sequence, context.reversal_target});
    local_ids[event.event_id()] = {next_sequence, &prepared.bytes};
    local_events[next_sequence] = &event;
    result.sequences[i] = next_sequence;
    new_events.push_back(i);
    ++next_sequence;
  }

  if (writer.options->dry_run) {
    writer.result = std::move(result);  // valid; nothing joins the group's write
    return absl::OkStatus();
  }
  // The whole batch is valid: chain its records (checking restored hashes before anything
  // joins the group's write), then add them to the batch.
  std::vector<std::string> values;
  values.reserve(new_events.size());
  std::string head_hash = group.head_hash;
  int64_t last_recorded_time = group.last_recorded_time_unix_micros;
  std::vector<int64_t> recorded_times;
  recorded_times.reserve(new_events.size());
  for (size_t i : new_events) {
    const PreparedEvent& prepared = writer.events[i];
    const uint64_t sequence = result.sequences[i];
    const int64_t recorded_time = writer.options->verbatim ? prepared.restored_time_unix_micros
                                                           : group.recorded_time_unix_micros;
    std::string record = EncodeRecord(sequence, recorded_time, prepared.bytes);
    std::string hash = ChainHash(head_hash, record);
    if (writer.options->verbatim) {
      if (recorded_time < last_recorded_time) {
        return absl::DataLossError(StrCat("record ", sequence,
                                          ": its recorded time is earlier than the record "
                                          "before it; the export was altered"));
      }
      if (hash != prepared.restored_hash) {
        return absl::DataLossError(
            StrCat("record ", sequence, ": its content does not match its hash ",
                   HexOf(prepared.restored_hash).substr(0, 16),
                   "...: the export was altered at this record (or the one before it); nothing of "
                   "this batch was restored"));
      }
    }
    last_recorded_time = recorded_time;
    recorded_times.push_back(recorded_time);
    std::string value;
    value.reserve(hash.size() + record.size());
    value.append(hash).append(record);
    values.push_back(std::move(value));
    head_hash = std::move(hash);
  }
  absl::flat_hash_map<std::string, std::vector<uint64_t>> grant_runs;
  for (size_t k = 0; k < new_events.size(); ++k) {
    const PreparedEvent& prepared = writer.events[new_events[k]];
    const uint64_t sequence = result.sequences[new_events[k]];
    const std::string key = EncodeSequence(sequence);
    group.batch.Put(log_cf_, key, values[k]);
    for (const std::string& touched : GrantsTouched(prepared.event)) {
      grant_runs[touched].push_back(sequence);
    }
    group.batch.Put(ids_cf_, EventIdKey(prepared.event.event_id()), key);
  }
  group.head_hash = std::move(head_hash);
  group.last_recorded_time_unix_micros = last_recorded_time;
  for (size_t k = 0; k < local_logged.size(); ++k)
    local_logged[k].recorded_time = recorded_times[k];
  for (const auto& [grant_id, sequences] : grant_runs) {
    group.batch.Put(grant_cf_, GrantIndexKey(grant_id, sequences.front()),
                    EncodeGrantIndexValue(sequences));
  }
  group.next_sequence = next_sequence;
  for (auto& [id, grant] : scratch) {
    if (grant.has_value()) group.grants[id] = std::move(grant);
  }
  for (auto& entry : local_ids) group.ids.insert(entry);
  for (auto& entry : local_events) group.events.insert(entry);
  group.logged.insert(group.logged.end(), local_logged.begin(), local_logged.end());
  for (auto& target : read_targets) group.read_targets.push_back(std::move(target));
  // Reversal targets read from the log are only needed during validation.
  writer.accepted = true;
  writer.result = std::move(result);
  return absl::OkStatus();
}

absl::Status EventStore::FindEventIds(const std::vector<PreparedEvent>& events,
                                      std::vector<std::optional<uint64_t>>& out) const {
  std::vector<std::string> keys;
  keys.reserve(events.size());
  for (const PreparedEvent& e : events) keys.push_back(EventIdKey(e.event.event_id()));
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  db_->MultiGet(rocksdb::ReadOptions(), ids_cf_, keys.size(), slices.data(), values.data(),
                statuses.data());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].IsNotFound()) continue;
    GL_RETURN_IF_ERROR(FromRocks(statuses[i], "reading the event id index"));
    if (values[i].size() != 8) {
      return absl::DataLossError(
          StrCat("event id index entry for ", events[i].event.event_id(), " is damaged"));
    }
    out[i] = DecodeSequence(View(values[i]));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::RecordedEvent> EventStore::ReadStored(uint64_t sequence) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), log_cf_, EncodeSequence(sequence), &value);
  if (s.IsNotFound()) {
    return absl::NotFoundError(
        StrCat("sequence ", sequence, " is not in the log (the head is ", Head().sequence, ")"));
  }
  GL_RETURN_IF_ERROR(FromRocks(s, "reading the log"));
  return ParseLogValue(sequence, value);
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

absl::StatusOr<std::string> EventStore::ReadEventBytes(uint64_t sequence) const {
  GL_ASSIGN_OR_RETURN(std::unique_ptr<v1::Event> event, ReadEvent(sequence));
  return SerializeEvent(*event);
}

void EventStore::IndexRecorded(const v1::Event& event, uint64_t sequence,
                               int64_t recorded_time_unix_micros,
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
  if (recorded_times_.empty() || recorded_times_.back().second != recorded_time_unix_micros) {
    recorded_times_.emplace_back(sequence, recorded_time_unix_micros);
  }
}

uint64_t EventStore::SequenceAtRecordedTime(absl::Time time) const {
  const int64_t micros = absl::ToUnixMicros(time);
  absl::ReaderMutexLock lock(&state_mu_);
  // The first run of sequences recorded after `time`; everything before it was recorded by then.
  auto after = std::upper_bound(
      recorded_times_.begin(), recorded_times_.end(), micros,
      [](int64_t t, const std::pair<uint64_t, int64_t>& entry) { return t < entry.second; });
  if (after == recorded_times_.begin()) return 0;
  if (after == recorded_times_.end()) return state_.sequence;
  return after->first - 1;
}

absl::StatusOr<GrantPosition> EventStore::Position(const std::string& grant_id,
                                                   const AsOf& as_of) const {
  absl::ReaderMutexLock lock(&state_mu_);
  auto it = histories_.find(grant_id);
  if (it == histories_.end()) {
    return absl::NotFoundError(
        StrCat("grant ", grant_id, " is not registered; check the diary number"));
  }
  return PositionAsOf(grant_id, it->second, as_of);
}

std::vector<GrantPosition> EventStore::Positions(const AsOf& as_of) const {
  absl::ReaderMutexLock lock(&state_mu_);
  std::vector<GrantPosition> out;
  out.reserve(histories_.size());
  for (const auto& [id, history] : histories_) {
    absl::StatusOr<GrantPosition> position = PositionAsOf(id, history, as_of);
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
  if (to == 0) to = Head().sequence;
  if (grant_id.empty()) {
    std::string prev_hash;
    if (fill_prev_hash) {
      if (from == 1) {
        prev_hash = GenesisHash();
      } else {
        auto previous = ReadStored(from - 1);
        if (previous.ok()) prev_hash = previous->hash();
      }
    }
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), log_cf_));
    for (it->Seek(EncodeSequence(from)); it->Valid(); it->Next()) {
      const uint64_t sequence = DecodeSequence(View(it->key()));
      if (sequence > to) break;
      GL_ASSIGN_OR_RETURN(v1::RecordedEvent out, ParseLogValue(sequence, View(it->value())));
      if (fill_prev_hash) {
        out.mutable_record()->set_prev_hash(prev_hash);
        prev_hash = out.hash();
      }
      if (!visit(out)) return absl::OkStatus();
    }
    return FromRocks(it->status(), "reading the log");
  }
  const std::string prefix = GrantIndexPrefix(grant_id);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), grant_cf_));
  // An entry lists the grant's events of one append, keyed by the first: start at the entry
  // that may hold `from`.
  it->SeekForPrev(GrantIndexKey(grant_id, from));
  if (!it->Valid() || !absl::StartsWith(View(it->key()), prefix))
    it->Seek(GrantIndexKey(grant_id, from));
  for (; it->Valid(); it->Next()) {
    absl::string_view key = View(it->key());
    if (!absl::StartsWith(key, prefix) || key.size() != prefix.size() + 8) break;
    std::vector<uint64_t> sequences;
    if (!DecodeGrantIndexValue(DecodeSequence(key.substr(prefix.size())), View(it->value()),
                               sequences)) {
      return absl::DataLossError(StrCat("the grant index entry of ", grant_id, " is damaged"));
    }
    for (uint64_t sequence : sequences) {
      if (sequence < from) continue;
      if (sequence > to) return absl::OkStatus();
      absl::StatusOr<v1::RecordedEvent> out =
          fill_prev_hash ? Read(sequence) : ReadStored(sequence);
      if (!out.ok()) return out.status();
      if (!visit(*out)) return absl::OkStatus();
    }
  }
  return FromRocks(it->status(), "reading the grant index");
}

absl::StatusOr<VerifyResult> EventStore::Verify(
    uint64_t from, uint64_t to, const std::function<void(uint64_t)>& progress) const {
  const Digest head = Head();
  if (from == 0) from = 1;
  if (to == 0 || to > head.sequence) to = head.sequence;
  VerifyResult result;
  auto bad = [&](uint64_t sequence, std::string problem) {
    result.ok = false;
    result.first_bad_sequence = sequence;
    result.problem = std::move(problem);
    return result;
  };
  std::string expected_prev = GenesisHash();
  if (from > 1) {
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), log_cf_, EncodeSequence(from - 1), &value);
    std::optional<LogValue> split = SplitLogValue(value);
    if (!s.ok() || !split) return bad(from - 1, "the record before the range cannot be read");
    expected_prev = std::string(split->hash);
  }
  result.last_good = Digest{from - 1, expected_prev};
  if (from > to) return result;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), log_cf_));
  uint64_t expected_sequence = from;
  for (it->Seek(EncodeSequence(from)); it->Valid() && expected_sequence <= to; it->Next()) {
    absl::string_view key = View(it->key());
    const uint64_t sequence = key.size() == 8 ? DecodeSequence(key) : 0;
    if (sequence != expected_sequence) {
      return bad(expected_sequence,
                 StrCat("record ", expected_sequence, " is missing from the log"));
    }
    std::optional<LogValue> split = SplitLogValue(View(it->value()));
    if (!split) return bad(sequence, "the stored value is too short to hold a hash");
    if (ChainHash(expected_prev, split->record_bytes) != split->hash) {
      return bad(sequence, "the stored bytes do not match the record's hash (altered)");
    }
    v1::EventRecord record;
    if (!record.ParseFromArray(split->record_bytes.data(),
                               static_cast<int>(split->record_bytes.size()))) {
      return bad(sequence, "the stored bytes do not parse as an event record");
    }
    if (record.sequence() != sequence)
      return bad(sequence, "the record names another sequence number");
    expected_prev = std::string(split->hash);
    result.last_good = Digest{sequence, expected_prev};
    ++result.checked;
    if (progress && result.checked % 4096 == 0) progress(result.checked);
    ++expected_sequence;
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
  std::string bytes;
  ToCheckpoint(state_).SerializeToString(&bytes);
  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync;
  GL_RETURN_IF_ERROR(FromRocks(db_->Put(write_options, checkpoint_cf_, kCheckpointKey, bytes),
                               "writing the projection checkpoint"));
  checkpoint_sequence_ = state_.sequence;
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
