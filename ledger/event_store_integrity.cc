// The event store's integrity at open and close: the head note kept beside RocksDB (head_note.h),
// a diagnosis of a write-ahead log RocksDB refuses to recover, and warnings. See event_store.h.
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "ledger/event_store.h"
#include "ledger/head_note.h"
#include "ledger/log_format.h"
#include "ledger/status_macros.h"
#include "rocksdb/db.h"

namespace grantledger {

using absl::StrCat;

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

}  // namespace grantledger
