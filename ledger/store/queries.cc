// Queries of the store: reading and scanning stored records, the chain check, grant states
// and two-clock positions, the recorded-time index, and a full replay of the log.
#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ledger/status_macros.h"
#include "ledger/store/chain_verifier.h"
#include "ledger/store/event_store.h"
#include "ledger/store/history_store.h"
#include "ledger/store/log_cursor.h"
#include "ledger/store/log_format.h"
#include "ledger/store/merkle_store.h"
#include "ledger/store/rocks_status.h"
#include "rocksdb/db.h"

namespace grantledger {

using absl::StrCat;

namespace {

// A damaged grant index (by_grant), found while reading through it.
absl::Status GrantIndexDamaged(const std::string& grant_id, absl::string_view what) {
  return absl::DataLossError(
      StrCat("the grant index of ", grant_id, " is damaged (", what,
             "); the log is not affected: run `grantledger verify --db`, then `grantledger "
             "reindex --db` to rebuild the index from the log"));
}

}  // namespace

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
  const absl::Span<const absl::CivilDay> date(&as_of.date, 1);
  GL_ASSIGN_OR_RETURN(std::vector<GrantPosition> one, PositionsOn(grant_id, date, as_of.sequence));
  return std::move(one.front());
}

absl::StatusOr<std::vector<GrantPosition>> EventStore::PositionsOn(
    const std::string& grant_id, absl::Span<const absl::CivilDay> dates, uint64_t sequence) const {
  std::vector<GrantPosition> out;
  out.reserve(dates.size());
  // The position on each date, by `at` (one AsOf to one position).
  auto each = [&](const auto& at) -> absl::Status {
    for (absl::CivilDay date : dates) {
      GL_ASSIGN_OR_RETURN(GrantPosition position, at(AsOf{date, sequence}));
      out.push_back(std::move(position));
    }
    return absl::OkStatus();
  };
  {
    absl::ReaderMutexLock lock(&state_mu_);
    auto it = histories_.find(grant_id);
    if (it == histories_.end()) {
      return absl::NotFoundError(
          StrCat("grant ", grant_id, " is not registered; check the diary number"));
    }
    const GrantHistory& history = it->second;
    const bool in_memory =
        histories_in_memory_ || sequence == 0 || sequence >= history.compacted_through();
    if (in_memory || history.registered_sequence() > sequence) {  // the latter: NotFound
      GL_RETURN_IF_ERROR(each([&](const AsOf& as_of) {
        return in_memory ? PositionAsOf(grant_id, history, as_of)
                         : PositionAsOf(grant_id, history, {}, {}, as_of);  // worded as usual
      }));
      return out;
    }
    // As known before the last fold: the parts stored at the checkpoints around it, read once
    // for every date.
    absl::StatusOr<HistoryStore::Parts> parts =
        history_store_->PartsAt(grant_id, sequence, NameCountsOf(history));
    if (parts.ok()) {
      GL_RETURN_IF_ERROR(each([&](const AsOf& as_of) {
        return PositionAsOf(grant_id, history, parts->compacted, parts->later, as_of);
      }));
      return out;
    }
    Warn(StrCat(parts.status().message(), "; answering from the log instead"));
  }
  GL_ASSIGN_OR_RETURN(GrantHistory history, HistoryFromLog(grant_id, sequence));
  GL_RETURN_IF_ERROR(
      each([&](const AsOf& as_of) { return PositionAsOf(grant_id, history, as_of); }));
  return out;
}

absl::StatusOr<GrantHistory> EventStore::HistoryFromLog(const std::string& grant_id,
                                                        uint64_t sequence) const {
  GrantHistory history;
  GL_RETURN_IF_ERROR(ScanImpl(1, sequence, grant_id, false, [&](const v1::RecordedEvent& recorded) {
    const v1::Event& event = recorded.record().event();
    const uint64_t at = recorded.record().sequence();
    std::unique_ptr<v1::Event> target;
    if (event.has_reversal()) {
      auto t = ReadEvent(event.reversal().reversed_sequence());
      if (t.ok()) target = std::move(*t);
    }
    history.Add(event, at, target.get(), /*carry_in=*/event.grant_id() != grant_id);
    return true;
  }));
  return history;
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

const MerkleStore& EventStore::Tree() const {
  // At most one index write behind the head, for a moment. A ledger whose index write failed
  // (appends refused until it is reopened) answers at the tree's own size, without the wait.
  {
    absl::MutexLock lock(&queue_mu_);
    if (!failed_.empty()) return *tree_;
  }
  tree_->AwaitSize(Head().sequence, absl::Seconds(5));
  return *tree_;
}

Digest EventStore::Head() const {
  absl::ReaderMutexLock lock(&state_mu_);
  return Digest{state_.sequence, state_.head_hash};
}

absl::Status EventStore::Scan(uint64_t from, uint64_t to, const std::string& grant_id,
                              const std::function<bool(const v1::RecordedEvent&)>& visit) const {
  return ScanImpl(from, to, grant_id, /*fill_prev_hash=*/true, visit);
}

absl::Status EventStore::ScanImpl(uint64_t from, uint64_t to, const std::string& grant_id,
                                  bool fill_prev_hash,
                                  const std::function<bool(const v1::RecordedEvent&)>& visit,
                                  bool fill_cache) const {
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
  LogCursor cursor(db_.get(), log_cf_, fill_cache);
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
  auto damaged = [&grant_id](absl::string_view what) { return GrantIndexDamaged(grant_id, what); };
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

absl::StatusOr<uint64_t> EventStore::GrantCountAt(const std::string& grant_id,
                                                  uint64_t sequence) const {
  uint64_t grant_count = 0;
  uint64_t grant_last = 0;
  {
    absl::ReaderMutexLock lock(&state_mu_);
    auto grant = state_.grants.find(grant_id);
    if (grant == state_.grants.end()) {
      return absl::NotFoundError(
          StrCat("grant ", grant_id, " is not registered; check the diary number"));
    }
    grant_count = grant->second.event_count;
    grant_last = grant->second.last_sequence;
  }
  if (sequence == 0 || sequence >= grant_last) return grant_count;
  auto damaged = [&grant_id](absl::string_view what) { return GrantIndexDamaged(grant_id, what); };
  const std::string prefix = GrantIndexPrefix(grant_id);
  // The entry of the write that holds `sequence` or the grant's last record before it.
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), grant_cf_));
  auto decode = [&](uint64_t& prior, std::vector<uint64_t>& sequences) -> absl::Status {
    absl::string_view key = View(it->key());
    if (key.size() != prefix.size() + 8) return damaged("an entry has a damaged key");
    const uint64_t first = DecodeSequence(key.substr(prefix.size()));
    if (!DecodeGrantIndexEntry(first, View(it->value()), prior, sequences)) {
      return damaged(StrCat("the entry at sequence ", first, " does not decode"));
    }
    return absl::OkStatus();
  };
  it->SeekForPrev(GrantIndexKey(grant_id, sequence));
  if (!it->Valid() || !absl::StartsWith(View(it->key()), prefix)) {
    GL_RETURN_IF_ERROR(FromRocks(it->status(), "reading the grant index"));
    return absl::NotFoundError(
        StrCat("grant ", grant_id, " was not registered by sequence ", sequence));
  }
  uint64_t prior = 0;
  std::vector<uint64_t> sequences;
  GL_RETURN_IF_ERROR(decode(prior, sequences));
  const auto counted = std::upper_bound(sequences.begin(), sequences.end(), sequence);
  const uint64_t last_counted = *(counted - 1);
  const uint64_t count = prior + static_cast<uint64_t>(counted - sequences.begin());
  // Not believed alone: the next entry must follow it (a missing, extra or edited entry shows
  // as a gap), or, if it is the grant's last, it must end where the grant does.
  const uint64_t through = prior + sequences.size();
  const uint64_t entry_last = sequences.back();
  it->Next();
  if (it->Valid() && absl::StartsWith(View(it->key()), prefix)) {
    uint64_t next_prior = 0;
    std::vector<uint64_t> next;
    GL_RETURN_IF_ERROR(decode(next_prior, next));
    if (next_prior != through || next.front() <= entry_last) {
      return damaged(StrCat("the entry at sequence ", next.front(), " follows ", next_prior,
                            " of its records, not ", through, ": an entry is missing or extra"));
    }
  } else {
    GL_RETURN_IF_ERROR(FromRocks(it->status(), "reading the grant index"));
    if (through != grant_count || entry_last != grant_last) {
      return damaged(StrCat("it lists ", through, " records up to sequence ", entry_last,
                            "; the grant has ", grant_count, " up to ", grant_last));
    }
  }
  // And the last record it counts must be the grant's (or a carry-over into it).
  absl::StatusOr<std::unique_ptr<v1::Event>> read = ReadEvent(last_counted);
  if (absl::IsNotFound(read.status())) {
    return absl::DataLossError(
        StrCat("record ", last_counted, " is missing from the log; run `grantledger verify`"));
  }
  GL_RETURN_IF_ERROR(read.status());
  const std::unique_ptr<v1::Event>& event = *read;
  if (event->grant_id() != grant_id &&
      !(event->has_carry_over() && event->carry_over().to_grant_id() == grant_id)) {
    return damaged(StrCat("it names record ", last_counted, ", which is another grant's"));
  }
  return count;
}

absl::StatusOr<VerifyResult> EventStore::Verify(
    uint64_t from, uint64_t to, const std::function<void(uint64_t)>& progress) const {
  return VerifyChain(*db_, log_cf_, Head(), from, to, progress);
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

absl::Status EventStore::FlushToTables() {
  return FromRocks(db_->Flush(rocksdb::FlushOptions(), handles_), "writing the memtables to disk");
}

uint64_t EventStore::BlockCacheBytes() const {
  uint64_t bytes = 0;
  if (!db_->GetIntProperty(log_cf_, rocksdb::DB::Properties::kBlockCacheUsage, &bytes)) return 0;
  return bytes;
}

}  // namespace grantledger
