// One writer's batch joins its group's write. The appending caller prefetches what the batch
// refers to before queueing it (Prefetch: the id index's entries for its ids and the stored
// events they name, its reversal targets in the log), as the log stood at a committed
// sequence; the writer thread tops that up with what was committed since (UnindexedIds), the
// pure validator (batch_validator.h) checks and plans the batch, then its records are chained
// onto the group's log entry (or taken from the caller, who chained them ahead) and the plan
// is added to the group. ProcessWriter runs on the writer thread, under the state's reader
// lock.
#include "absl/strings/str_cat.h"
#include "ledger/status_macros.h"
#include "ledger/store/batch_validator.h"
#include "ledger/store/event_store.h"
#include "ledger/store/log_format.h"
#include "ledger/store/merkle_store.h"
#include "ledger/store/record_chain.h"
#include "ledger/store/rocks_status.h"
#include "ledger/store/write_group.h"
#include "ledger/store/writer.h"
#include "rocksdb/db.h"

namespace grantledger {

using absl::StrCat;

absl::Status EventStore::ReadCandidates(AppendWriter& writer, BatchPrefetch& prefetch) const {
  // Every id's entry in the index, in one MultiGet: the look-ups miss the cache, and
  // independent misses overlap. The keys go in sorted, so RocksDB need not sort them again.
  writer.SortIds();
  const size_t n = writer.events.size();
  prefetch.candidates.clear();
  prefetch.candidates.resize(n);
  std::vector<rocksdb::Slice> keys(n);
  for (size_t k = 0; k < n; ++k)
    keys[k] = rocksdb::Slice(writer.events[writer.id_order[k]].event_id());
  std::vector<rocksdb::PinnableSlice> values(n);
  std::vector<rocksdb::Status> statuses(n);
  db_->MultiGet(rocksdb::ReadOptions(), ids_cf_, n, keys.data(), values.data(), statuses.data(),
                /*sorted_input=*/true);
  for (size_t k = 0; k < n; ++k) {
    if (statuses[k].ok() && values[k].size() == 8) {
      const uint64_t sequence = DecodeSequence(View(values[k]));
      prefetch.candidates[writer.id_order[k]] =
          BatchPrefetch::StoredCandidate{sequence, ReadEvent(sequence)};
    } else if (!statuses[k].ok() && !statuses[k].IsNotFound()) {
      return FromRocks(statuses[k], "reading the id index");
    }
  }
  return absl::OkStatus();
}

void EventStore::Prefetch(AppendWriter& writer) const {
  // Every id up to it is in the index before the reads below begin (a run goes in, then the
  // mark moves); the ids after it are checked again on the writer thread (TopUpPrefetch).
  writer.prefetched_at = ids_indexed_through_.load(std::memory_order_acquire);
  BatchPrefetch& prefetch = writer.prefetch;
  const size_t n = writer.events.size();
  // An error here is not final: the writer thread reads the index again (Covers is false).
  writer.prefetched = ReadCandidates(writer, prefetch).ok();
  for (size_t i = 0; i < n; ++i) {
    const v1::Event& event = writer.events[i];
    if (!event.has_reversal()) continue;
    const uint64_t target = event.reversal().reversed_sequence();
    if (target <= writer.prefetched_at && !prefetch.reversal_targets.contains(target)) {
      prefetch.reversal_targets.emplace(target, ReadEvent(target));
    }
  }
}

absl::Status EventStore::TopUpPrefetch(AppendWriter& writer, uint64_t first_pending) {
  BatchPrefetch& prefetch = writer.prefetch;
  const size_t n = writer.events.size();
  if (!writer.prefetched || !unindexed_ids_.Covers(writer.prefetched_at)) {
    // Not read by the caller, or a run was written since: read the index here.
    GL_RETURN_IF_ERROR(ReadCandidates(writer, prefetch));
  }
  // The ids committed since the index's last run.
  for (size_t i = 0; i < n; ++i) {
    if (prefetch.candidates[i].has_value()) continue;
    if (std::optional<uint64_t> sequence = unindexed_ids_.Find(writer.events[i].event_id())) {
      prefetch.candidates[i] = BatchPrefetch::StoredCandidate{*sequence, ReadEvent(*sequence)};
    }
  }
  for (size_t i = 0; i < n; ++i) {
    const v1::Event& event = writer.events[i];
    if (!event.has_reversal()) continue;
    const uint64_t target = event.reversal().reversed_sequence();
    if (target < first_pending && !prefetch.reversal_targets.contains(target)) {
      prefetch.reversal_targets.emplace(target, ReadEvent(target));
    }
  }
  return absl::OkStatus();
}

absl::Status EventStore::ProcessWriter(AppendWriter& writer, WriteGroup& group) {
  // Where this batch starts in the log if every event is new: the caller chains ahead from it.
  const bool chain_ahead = !writer.options->verbatim && !writer.options->dry_run;
  if (chain_ahead) {
    writer.chain_start = {group.next_sequence, group.recorded_time_unix_micros, group.head_hash};
    writer.chain_published.store(true, std::memory_order_release);
  } else {
    writer.chain_cancelled.store(true, std::memory_order_release);
  }
  auto rejected = [&](absl::Status status) {
    writer.chain_cancelled.store(true, std::memory_order_relaxed);
    return status;
  };
  if (absl::Status s = TopUpPrefetch(writer, group.first_sequence); !s.ok()) return rejected(s);

  state_mu_.AssertReaderHeld();
  LedgerView view;
  view.grants = &state_.grants;
  view.histories = &histories_;
  view.committed_head_hash = state_.head_hash;
  view.pending_grants = &group.grants;
  view.pending_ids = &group.ids;
  view.pending_events = &group.events;
  view.first_pending_sequence = group.first_sequence;
  view.next_sequence = group.next_sequence;
  view.committed_tree_root = [this, size = group.first_sequence - 1] { return tree_->Root(size); };
  // Event i once the caller has encoded it (or its shape error): validation runs while the
  // caller encodes the events after it.
  auto encoded = [&writer](size_t i) -> absl::StatusOr<absl::string_view> {
    if (absl::Status s = writer.AwaitEncoded(i); !s.ok()) return s;
    return writer.bytes_of(i);
  };
  const BatchInput input{writer.events.pointers, encoded, writer.options, writer.restored,
                         group.recorded_time_unix_micros};
  absl::StatusOr<BatchPlan> planned = ValidateBatch(view, writer.prefetch, input);
  if (!planned.ok()) return rejected(planned.status());
  BatchPlan& plan = *planned;
  if (writer.options->dry_run) {
    writer.result = std::move(plan.result);
    return absl::OkStatus();
  }

  // Chain the new records onto the group's log entry, checking restored hashes before anything
  // joins the write. When every event is new, the caller has been chaining them ahead while
  // the batch was validated: its records are taken instead.
  const bool take_chained = chain_ahead && plan.records.size() == writer.events.size();
  if (chain_ahead && !take_chained) {
    writer.chain_cancelled.store(true, std::memory_order_relaxed);  // some were duplicates
  }
  std::string head_hash = group.head_hash;
  int64_t last_recorded_time = group.last_recorded_time_unix_micros;
  // The records of the new events, chained here by the single chaining loop (record_chain.h)
  // as the caller chains them ahead; restored records must come out with their exported hash.
  auto chain_here = [&]() -> absl::Status {
    return ChainRecords(
        group.entry, head_hash, plan.records.size(),
        [&](size_t k) {
          const BatchPlan::NewRecord& record = plan.records[k];
          return RecordToChain{
              record.sequence, record.recorded_time_unix_micros, writer.bytes_of(record.index),
              writer.options->verbatim ? absl::string_view(writer.restored[record.index].author)
                                       : writer.author};
        },
        [&](size_t k, const RecordToChain& record, absl::string_view hash) -> absl::Status {
          if (writer.options->verbatim) {
            const RestoredMeta& restored = writer.restored[plan.records[k].index];
            if (record.recorded_time_unix_micros < last_recorded_time) {
              return absl::DataLossError(StrCat("record ", record.sequence,
                                                ": its recorded time is earlier than the record "
                                                "before it; the export was altered"));
            }
            if (hash != restored.hash) {
              return absl::DataLossError(
                  StrCat("record ", record.sequence, ": its content does not match its hash ",
                         HexOf(restored.hash).substr(0, 16),
                         "...: the export was altered at this record (or the one before it); "
                         "nothing of this batch was restored"));
            }
          }
          last_recorded_time = record.recorded_time_unix_micros;
          return absl::OkStatus();
        });
  };
  if (!take_chained) {
    if (absl::Status s = chain_here(); !s.ok()) return rejected(s);
  } else {
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

  // The plan joins the group: later batches of the group validate against it.
  group.head_hash = std::move(head_hash);
  group.last_recorded_time_unix_micros = last_recorded_time;
  group.next_sequence += plan.records.size();
  for (const BatchPlan::NewRecord& record : plan.records) {
    const v1::Event& event = writer.events[record.index];
    group.events.push_back(&event);
    group.new_ids.emplace_back(event.event_id(), record.sequence);
  }
  if (group.ids.empty()) {
    group.ids = std::move(plan.ids);
  } else {
    group.ids.insert(plan.ids.begin(), plan.ids.end());
  }
  for (auto& [id, grant] : plan.grants) {
    if (grant.has_value()) group.grants[id] = std::move(grant);
  }
  for (auto& [grant_id, planned_changes] : plan.changes) {
    auto [it, inserted] = group.changes.try_emplace(grant_id);
    WriteGroup::GrantChanges& into = it->second;
    if (inserted) {
      auto in_state = state_.grants.find(grant_id);
      into.prior_count = in_state == state_.grants.end() ? 0 : in_state->second.event_count;
    }
    if (into.sequences.empty()) {
      into.sequences = std::move(planned_changes.sequences);
      into.additions = std::move(planned_changes.additions);
    } else {
      into.sequences.insert(into.sequences.end(), planned_changes.sequences.begin(),
                            planned_changes.sequences.end());
      for (HistoryAddition& addition : planned_changes.additions) {
        into.additions.push_back(std::move(addition));
      }
    }
  }
  writer.accepted = true;
  writer.result = std::move(plan.result);
  return absl::OkStatus();
}

}  // namespace grantledger
