// Recovery on open: the projections from the last checkpoint plus the log's tail, the
// histories and the id index from the whole log (or, when only the last write's ids are
// missing, those: CompleteIdIndex), then the head note (head_note.h) checked
// against the recovered head and kept for updates. Warnings about the data directory go
// through Warn.
#include <cstdio>
#include <map>

#include "absl/strings/str_cat.h"
#include "ledger/history_checkpoint.h"
#include "ledger/status_macros.h"
#include "ledger/store/checkpoint.h"
#include "ledger/store/event_store.h"
#include "ledger/store/head_note.h"
#include "ledger/store/history_store.h"
#include "ledger/store/id_runs.h"
#include "ledger/store/log_cursor.h"
#include "ledger/store/log_format.h"
#include "ledger/store/rocks_status.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace grantledger {

using absl::StrCat;

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
    checkpoint_tree_root_.clear();
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
  GL_ASSIGN_OR_RETURN(const v1::ProjectionCheckpoint checkpoint, UnsealCheckpoint(sealed));
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
  checkpoint_tree_root_ = checkpoint.tree_root();
  checkpoint_tree_size_ = checkpoint.sequence();
  return absl::OkStatus();
}

absl::Status EventStore::ClearDerived() {
  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync;
  rocksdb::WriteBatch batch;
  batch.Put(checkpoint_cf_, kDerivedFormatKey, "rebuilding");
  batch.Delete(checkpoint_cf_, kCheckpointKey);
  batch.Put(checkpoint_cf_, kIndexedThroughKey, EncodeSequence(0));
  batch.Put(ids_cf_, kIdsThroughKey, EncodeSequence(0));
  // Keys are UTF-8 text (ids, grant ids) first: no key starts with 0xff.
  for (rocksdb::ColumnFamilyHandle* family : {grant_cf_, ids_cf_, histories_cf_, tree_cf_}) {
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
        derived.Put(checkpoint_cf_, kIndexedThroughKey, EncodeSequence(state_.sequence));
        derived.Put(ids_cf_, kIdsThroughKey, EncodeSequence(state_.sequence));
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
    derived.Put(checkpoint_cf_, kIndexedThroughKey, EncodeSequence(state_.sequence));
    derived.Put(ids_cf_, kIdsThroughKey, EncodeSequence(state_.sequence));
    GL_RETURN_IF_ERROR(
        FromRocks(db_->Write(rocksdb::WriteOptions(), &derived), "rebuilding the indexes"));
  }
  return absl::OkStatus();
}

namespace {

// A mark of how far a derived structure reaches (kIndexedThroughKey, kIdsThroughKey), checked
// against the log's head; nullopt when it is not stored.
absl::StatusOr<std::optional<uint64_t>> ReadMark(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* cf,
                                                 const char* name, const char* key, uint64_t head,
                                                 const std::string& path) {
  std::string mark;
  rocksdb::Status s = db.Get(rocksdb::ReadOptions(), cf, key, &mark);
  if (s.IsNotFound()) return std::nullopt;
  GL_RETURN_IF_ERROR(FromRocks(s, StrCat("reading the index mark ", name)));
  if (mark.size() != 8 || DecodeSequence(mark) > head) {
    return absl::DataLossError(StrCat(
        "the index mark ", name, " is ",
        mark.size() != 8
            ? std::string("damaged")
            : StrCat("ahead of the log's head ", head, " (", DecodeSequence(mark), ")"),
        "; rebuild the indexes from the log, which is not changed: grantledger reindex --db ",
        path));
  }
  return DecodeSequence(mark);
}

}  // namespace

absl::StatusOr<uint64_t> EventStore::IndexedThrough(uint64_t head) const {
  GL_ASSIGN_OR_RETURN(
      std::optional<uint64_t> mark,
      ReadMark(*db_, checkpoint_cf_, kIndexedThroughKey, kIndexedThroughKey, head, options_.path));
  // No mark: written by a grantledger that indexed each write in the write itself.
  return mark.value_or(head);
}

absl::StatusOr<uint64_t> EventStore::IdsThrough(uint64_t head) const {
  GL_ASSIGN_OR_RETURN(std::optional<uint64_t> mark,
                      ReadMark(*db_, ids_cf_, "ids_through", kIdsThroughKey, head, options_.path));
  if (mark.has_value()) return *mark;
  return IndexedThrough(head);  // written before the ids had a mark of their own
}

absl::Status EventStore::CompleteIdIndex() {
  RemoveUnfinishedIdRun(options_.path);
  const uint64_t head = Head().sequence;
  GL_ASSIGN_OR_RETURN(const uint64_t ids_through, IdsThrough(head));
  GL_RETURN_IF_ERROR(IndexedThrough(head).status());
  unindexed_ids_ = UnindexedIds(ids_through);
  // The ids committed after the index's last run: those a crash left only in memory.
  if (ids_through < head) {
    absl::Status run = absl::OkStatus();
    // When a run cannot start (RunCanStart), the next try is a run's worth of ids later, not
    // at every record.
    size_t next_try = options_.id_run_size;
    GL_RETURN_IF_ERROR(ScanImpl(
        ids_through + 1, head, "", /*fill_prev_hash=*/false,
        [&](const v1::RecordedEvent& recorded) {
          unindexed_ids_.Add(recorded.record().event().event_id(), recorded.record().sequence());
          if (unindexed_ids_.active_size() >= next_try) {
            if (RunCanStart()) {
              run = WriteIdRun();
              next_try = options_.id_run_size;
            } else {
              next_try = unindexed_ids_.active_size() + options_.id_run_size;
            }
          }
          return run.ok();
        },
        /*fill_cache=*/false));
    GL_RETURN_IF_ERROR(run);
  }
  // The tree's tiles were completed from the log by OpenTree; the ids are held or indexed.
  // The derived format is rewritten as the one with the ids' own mark (kDerivedFormat).
  rocksdb::WriteBatch batch;
  batch.Put(checkpoint_cf_, kIndexedThroughKey, EncodeSequence(head));
  batch.Put(ids_cf_, kIdsThroughKey, EncodeSequence(unindexed_ids_.through()));
  batch.Put(checkpoint_cf_, kDerivedFormatKey, kDerivedFormat);
  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync;
  GL_RETURN_IF_ERROR(FromRocks(db_->Write(write_options, &batch), "completing the indexes' marks"));
  ids_indexed_through_.store(unindexed_ids_.through(), std::memory_order_release);
  return absl::OkStatus();
}

void EventStore::Warn(absl::string_view message) const {
  if (options_.warn) {
    options_.warn(message);
    return;
  }
  std::fprintf(stderr, "grantledger: warning: %.*s\n", static_cast<int>(message.size()),
               message.data());
}

absl::Status EventStore::AdoptHeadNote(const std::optional<Digest>& noted) {
  const Digest head = Head();
  if (noted.has_value()) {
    GL_RETURN_IF_ERROR(CheckRecoveredHead(
        options_.path, *noted, head, [this](uint64_t sequence) -> absl::StatusOr<std::string> {
          GL_ASSIGN_OR_RETURN(v1::RecordedEvent record, ReadStored(sequence));
          return record.hash();
        }));
  } else if (head.sequence > 0) {
    Warn(StrCat("the ledger at ", options_.path, " has no head note (", kHeadNoteFileName,
                "; an earlier grantledger wrote no note, or it was removed), so a lost tail "
                "cannot be detected on this open; the recovered head ",
                head.sequence, " ", HexOf(head.head_hash), " is taken as acknowledged",
                options_.read_only ? "" : " and noted from now on"));
  }
  if (options_.read_only) return absl::OkStatus();
  GL_ASSIGN_OR_RETURN(head_note_, HeadNote::OpenForUpdates(options_.path, head));
  return absl::OkStatus();
}

void EventStore::NoteHead(const Digest& head) {
  if (head_note_ == nullptr) return;
  absl::Status noted = head_note_->Update(head);
  if (noted.ok()) {
    head_note_failing_ = false;
  } else if (!head_note_failing_) {
    head_note_failing_ = true;  // once per run of failures
    Warn(StrCat("the head note could not be updated (", noted.message(),
                "); appends go on, and a lost tail after sequence ", head_note_->sequence(),
                " would not be detected until it can"));
  }
}

void EventStore::NoteDurableHead(const Digest& head) {
  if (head_note_ == nullptr) return;
  if (head.sequence <= head_note_->sequence()) return;
  // Unsynced appends (options.sync false) reach the disk here, before the note claims them.
  if (!options_.sync && !db_->FlushWAL(/*sync=*/true).ok()) return;
  NoteHead(head);
}

}  // namespace grantledger
