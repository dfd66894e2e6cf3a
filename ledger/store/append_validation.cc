// Validating one writer's batch against the state and the group so far (the batch rules:
// idempotency, expected versions, reversal targets, carry-over, restored records), then
// chaining its records onto the group's log entry and planning its index and history
// additions. Runs on the writer thread, under the state's reader lock.
#include "absl/strings/str_cat.h"
#include "ledger/rules.h"
#include "ledger/status_macros.h"
#include "ledger/store/event_error.h"
#include "ledger/store/event_store.h"
#include "ledger/store/log_format.h"
#include "ledger/store/record_chain.h"
#include "ledger/store/rocks_status.h"
#include "ledger/store/write_group.h"
#include "ledger/store/writer.h"
#include "ledger/text_rules.h"
#include "rocksdb/db.h"

namespace grantledger {

using absl::StrCat;

absl::Status EventStore::ProcessWriter(AppendWriter& writer, WriteGroup& group) {
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
    std::optional<SealFacts> seal_facts;  // only for a seal: no cost on other events
    if (event.has_seal() && context.appending) {
      seal_facts = SealFactsAt(event, group, next_sequence);
      context.seal_facts = &*seal_facts;
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
  // The records of the new events, chained here by the single chaining loop (record_chain.h)
  // as the caller chains them ahead; restored records must come out with their exported hash.
  auto chain_here = [&]() -> absl::Status {
    return ChainRecords(
        group.entry, head_hash, new_events.size(),
        [&](size_t k) {
          const size_t index = new_events[k].index;
          const RestoredMeta* restored =
              writer.options->verbatim ? &writer.restored[index] : nullptr;
          return RecordToChain{
              result.sequences[index],
              restored != nullptr ? restored->recorded_time_unix_micros
                                  : group.recorded_time_unix_micros,
              writer.bytes_of(index),
              restored != nullptr ? absl::string_view(restored->author) : writer.author};
        },
        [&](size_t k, const RecordToChain& record, absl::string_view hash) -> absl::Status {
          if (writer.options->verbatim) {
            const RestoredMeta& restored = writer.restored[new_events[k].index];
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
  }
  // The grant of the previous event, looked up again only when it changes (a batch is mostly
  // one grant's).
  const std::string* last_grant = nullptr;
  WriteGroup::GrantChanges* last_changes = nullptr;
  auto changes_of = [&](const std::string& id) -> WriteGroup::GrantChanges& {
    if (last_grant != nullptr && *last_grant == id) return *last_changes;
    WriteGroup::GrantChanges& changes = group.changes[id];
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
    WriteGroup::GrantChanges& changes = changes_of(event.grant_id());
    changes.sequences.push_back(sequence);
    changes.additions.push_back(changes.history->Plan(event, sequence,
                                                      new_events[k].reversal_target,
                                                      /*carry_in=*/false));
    if (event.has_carry_over()) {
      WriteGroup::GrantChanges& to = changes_of(event.carry_over().to_grant_id());
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

}  // namespace grantledger
