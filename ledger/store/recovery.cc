// Recovery on open: the projections from the last checkpoint plus the log's tail, the
// histories and the id index from the whole log, then the head note (head_note.h) checked
// against the recovered head and kept for updates. Warnings about the data directory go
// through Warn.
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "ledger/status_macros.h"
#include "ledger/store/checkpoint.h"
#include "ledger/store/event_store.h"
#include "ledger/store/head_note.h"
#include "ledger/store/log_format.h"
#include "ledger/store/rocks_status.h"
#include "rocksdb/db.h"

namespace grantledger {

using absl::StrCat;

// What to do about a log found damaged on open (`verify` could not open it either).
constexpr char kDamagedAdvice[] =
    "the ledger was not opened and nothing was changed; restore the data directory from a "
    "backup, or restore an export into a new data directory (`grantledger restore`)";

absl::Status EventStore::Recover() {
  absl::MutexLock lock(&state_mu_);
  state_ = LedgerState();
  state_.head_hash = GenesisHash();
  GL_ASSIGN_OR_RETURN(std::optional<LedgerState> checkpointed_state,
                      ReadCheckpoint(*db_, checkpoint_cf_));
  if (checkpointed_state.has_value()) {
    state_ = std::move(*checkpointed_state);
    checkpoint_sequence_ = state_.sequence;
  }
  // One pass over the log: the histories for as-of queries and the recorded-time index are
  // rebuilt from every record; the projections replay only the tail after the checkpoint.
  histories_.clear();
  recorded_times_.clear();
  ids_ = IdIndex(options_.id_hash);
  const uint64_t checkpointed = state_.sequence;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), log_cf_));
  std::vector<LogValue> records;
  // Every entry must start where the one before it ended (the first after a damaged entry,
  // whose records cannot be counted, is left for `verify` to judge).
  uint64_t next = 1;
  bool resync = false;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().size() != 8) {
      return absl::DataLossError(StrCat("record ", next, " is missing: the log entry after record ",
                                        next - 1, " has a damaged key; ", kDamagedAdvice));
    }
    const uint64_t first = DecodeSequence(View(it->key()));
    if (first != next && !resync) {
      return absl::DataLossError(StrCat("record ", next, " is missing: the log entry after record ",
                                        next - 1, " starts at sequence ", first,
                                        " (deleted, renumbered or moved); ", kDamagedAdvice));
    }
    records.clear();
    const bool intact = SplitLogEntry(View(it->value()), records);
    for (size_t k = 0; k < records.size(); ++k) {
      const uint64_t sequence = first + k;
      const LogValue& value = records[k];
      v1::EventRecord record;
      const bool parsed = record.ParseFromArray(value.record_bytes.data(),
                                                static_cast<int>(value.record_bytes.size()));
      if (parsed && !options_.read_only) ids_.Add(record.event().event_id(), sequence);
      if (sequence <= checkpointed) {
        // Already in the checkpoint; a damaged record here is for `verify` to report.
        if (parsed) IndexRecorded(record.event(), sequence, record.recorded_time_unix_micros());
        continue;
      }
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
      if (!parsed) {
        return absl::DataLossError(
            StrCat("log record ", sequence, " does not parse; ", kDamagedAdvice));
      }
      absl::Status applied = ApplyLogged(record.event(), sequence, state_.grants);
      if (!applied.ok()) {
        return absl::DataLossError(
            StrCat("log record ", sequence, " no longer applies: ", applied.message()));
      }
      IndexRecorded(record.event(), sequence, record.recorded_time_unix_micros());
      state_.sequence = sequence;
      state_.head_hash = std::string(value.hash);
      state_.last_recorded_time_unix_micros = record.recorded_time_unix_micros();
    }
    if (!intact && first + records.size() > checkpointed) {
      return absl::DataLossError(StrCat("the log entry holding record ", first + records.size(),
                                        " is damaged; ", kDamagedAdvice));
    }
    next = first + records.size();
    resync = !intact;
  }
  if (it->status().IsCorruption()) {
    return absl::DataLossError(StrCat("log record ", next, " and those after it cannot be read (",
                                      it->status().ToString(), "); ", kDamagedAdvice));
  }
  GL_RETURN_IF_ERROR(FromRocks(it->status(), "reading the log"));
  if (next <= checkpointed && !resync) {
    return absl::DataLossError(
        StrCat(next == checkpointed ? StrCat("record ", next, " is")
                                    : StrCat("records ", next, "..", checkpointed, " are"),
               " missing: the log ends at ", next - 1, " but the projection checkpoint includes ",
               checkpointed, " (a cut tail); ", kDamagedAdvice));
  }
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
