// Reading stored records back from the log; see log_cursor.h.
#include "ledger/store/log_cursor.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "ledger/store/rocks_status.h"
#include "rocksdb/db.h"

namespace grantledger {

using absl::StrCat;

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

namespace {
rocksdb::ReadOptions CursorReads(bool fill_cache) {
  rocksdb::ReadOptions options;
  options.fill_cache = fill_cache;
  return options;
}
}  // namespace

LogCursor::LogCursor(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log, bool fill_cache)
    : it_(db->NewIterator(CursorReads(fill_cache), log)) {}

LogCursor::~LogCursor() = default;

absl::StatusOr<LogValue> LogCursor::Find(uint64_t sequence) {
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

void LogCursor::Load() {
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

}  // namespace grantledger
