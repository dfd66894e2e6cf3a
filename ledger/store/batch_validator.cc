// Batch validation as a pure function; see batch_validator.h.
#include "ledger/store/batch_validator.h"

#include "absl/strings/str_cat.h"
#include "ledger/store/event_error.h"
#include "ledger/store/record_chain.h"
#include "ledger/text_rules.h"

namespace grantledger {
namespace {

using absl::StrCat;

// Where an event's id is already stored (ahead in the group, earlier in the batch, or in the
// log), and whether with the same content.
struct Stored {
  uint64_t sequence = 0;
  bool same_content = false;
};

class Validation {
 public:
  Validation(const LedgerView& view, const BatchPrefetch& prefetch, const BatchInput& batch)
      : view_(view), prefetch_(prefetch), batch_(batch), options_(*batch.options) {}

  absl::StatusOr<BatchPlan> Run();

 private:
  // The grant as the batch has left it so far (copied from the view on first touch).
  std::optional<GrantState>& Slot(const std::string& grant_id);
  absl::StatusOr<std::optional<Stored>> FindStored(size_t i, absl::string_view bytes) const;
  // The event a reversal at this point of the batch reverses: nullptr when there is none.
  absl::StatusOr<const v1::Event*> ReversalTarget(uint64_t target) const;
  absl::Status CheckExpectedVersions();
  // The history additions and index entries of the new records.
  void PlanAdditions();

  const LedgerView& view_;
  const BatchPrefetch& prefetch_;
  const BatchInput& batch_;
  const AppendOptions& options_;
  BatchPlan plan_;
  // The batch's new events with their reversal targets, in sequence order.
  std::vector<const v1::Event*> new_events_;
  std::vector<const v1::Event*> new_targets_;
};

std::optional<GrantState>& Validation::Slot(const std::string& grant_id) {
  auto it = plan_.grants.find(grant_id);
  if (it != plan_.grants.end()) return it->second;
  const GrantState* grant = view_.Grant(grant_id);
  return plan_.grants
      .emplace(grant_id, grant != nullptr ? std::optional<GrantState>(*grant) : std::nullopt)
      .first->second;
}

absl::StatusOr<std::optional<Stored>> Validation::FindStored(size_t i,
                                                             absl::string_view bytes) const {
  const v1::Event& event = *batch_.events[i];
  if (auto seen = plan_.ids.find(event.event_id()); seen != plan_.ids.end()) {
    return Stored{seen->second.first, seen->second.second == bytes};
  }
  if (view_.pending_ids != nullptr) {
    if (auto seen = view_.pending_ids->find(event.event_id()); seen != view_.pending_ids->end()) {
      return Stored{seen->second.first, seen->second.second == bytes};
    }
  }
  if (const std::optional<BatchPrefetch::StoredCandidate>& candidate = prefetch_.candidates[i]) {
    // The index is derived: the stored event is compared by id (the index must not be what
    // refuses an event) and by content.
    if (!candidate->event.ok()) return candidate->event.status();
    const v1::Event& stored = **candidate->event;
    if (stored.event_id() != event.event_id()) {
      return absl::DataLossError(
          StrCat("the id index names record ", candidate->sequence, " for event_id ",
                 QuoteForMessage(event.event_id()),
                 ", which has another id; nothing was written; run `grantledger verify --db`, then "
                 "`grantledger reindex --db` to rebuild the index from the log"));
    }
    return Stored{candidate->sequence, SerializeEvent(stored) == bytes};
  }
  return std::nullopt;
}

absl::StatusOr<const v1::Event*> Validation::ReversalTarget(uint64_t target) const {
  if (target >= view_.first_pending_sequence) {
    const uint64_t pending =
        view_.pending_events != nullptr ? view_.pending_events->size() : uint64_t{0};
    const uint64_t offset = target - view_.first_pending_sequence;
    if (offset < pending) return (*view_.pending_events)[offset];
    if (offset - pending < new_events_.size()) return new_events_[offset - pending];
    return nullptr;  // not written yet
  }
  auto read = prefetch_.reversal_targets.find(target);
  if (read == prefetch_.reversal_targets.end()) {
    return absl::InternalError(StrCat("reversal target ", target, " was not prefetched"));
  }
  if (read->second.ok()) return read->second->get();
  if (absl::IsNotFound(read->second.status())) return nullptr;
  return read->second.status();
}

// Expected versions guard the batch's new events. A batch whose events are all stored
// already, unchanged, is a retry of one that was applied (its answer was lost): it gets its
// original sequences whatever its expected versions say, since the batch itself moved them
// on. A batch with any new event is checked as usual (docs/decisions.md).
absl::Status Validation::CheckExpectedVersions() {
  for (const auto& [grant_id, expected] : options_.expected_versions) {
    const GrantState* grant = view_.Grant(grant_id);
    const uint64_t version = grant != nullptr ? grant->event_count : 0;
    if (version == expected) continue;
    bool retry = true;
    for (size_t i = 0; i < batch_.events.size() && retry; ++i) {
      absl::StatusOr<absl::string_view> bytes = batch_.encoded(i);
      if (!bytes.ok()) return bytes.status();
      absl::StatusOr<std::optional<Stored>> stored = FindStored(i, *bytes);
      if (!stored.ok()) return stored.status();
      retry = stored->has_value() && (*stored)->same_content;
    }
    if (retry) return absl::OkStatus();
    return absl::AbortedError(StrCat("expected_version: grant ", QuoteForMessage(grant_id),
                                     " is at version ", version, ", not ", expected,
                                     "; read it again, then retry with the new version"));
  }
  return absl::OkStatus();
}

absl::StatusOr<BatchPlan> Validation::Run() {
  const size_t n = batch_.events.size();
  plan_.result.sequences.resize(n);
  plan_.result.duplicates.resize(n);
  plan_.records.reserve(n);
  new_events_.reserve(n);
  new_targets_.reserve(n);
  plan_.ids.reserve(n);  // grown from empty, it rehashed ten times for 1000 events
  if (absl::Status s = CheckExpectedVersions(); !s.ok()) return s;

  uint64_t next_sequence = view_.next_sequence;
  for (size_t i = 0; i < n; ++i) {
    absl::StatusOr<absl::string_view> bytes = batch_.encoded(i);
    if (!bytes.ok()) return bytes.status();
    const v1::Event& event = *batch_.events[i];
    const RestoredMeta* restored = options_.verbatim ? &batch_.restored[i] : nullptr;
    if (restored != nullptr && restored->sequence != next_sequence) {
      return absl::FailedPreconditionError(
          StrCat("record ", restored->sequence, ": the ledger's next sequence is ", next_sequence,
                 "; restore an export from its first record into a new, empty data directory"));
    }
    absl::StatusOr<std::optional<Stored>> stored = FindStored(i, *bytes);
    if (!stored.ok()) return stored.status();
    if (stored->has_value()) {
      const Stored& original = **stored;
      if (restored != nullptr) {
        return absl::DataLossError(StrCat("record ", restored->sequence, ": event_id \"",
                                          event.event_id(), "\" is already at sequence ",
                                          original.sequence, "; the export was altered"));
      }
      if (!original.same_content) {
        return AtEvent(absl::AlreadyExistsError(
                           StrCat("event_id was already used at sequence ", original.sequence,
                                  " for an event with other content; give this event a new "
                                  "event_id, or resend the original unchanged")),
                       i, event);
      }
      plan_.result.sequences[i] = original.sequence;
      plan_.result.duplicates[i] = true;
      continue;
    }

    EventContext context;
    context.sequence = next_sequence;
    context.appending = !options_.verbatim;
    if (event.has_reversal()) {
      absl::StatusOr<const v1::Event*> target =
          ReversalTarget(event.reversal().reversed_sequence());
      if (!target.ok()) return target.status();
      context.reversal_target = *target;
    }
    std::optional<SealFacts> seal_facts;  // only for a seal: no cost on other events
    if (event.has_seal() && context.appending) {
      seal_facts = SealFactsFor(event, view_, next_sequence);
      context.seal_facts = &*seal_facts;
    }
    absl::Status applied = ForEachGrantSide(event, [&](const std::string& grant_id, bool carry_in) {
      return ApplySide(event, context, carry_in, Slot(grant_id));
    });
    if (!applied.ok()) return AtEvent(applied, i, event);
    plan_.ids.emplace(event.event_id(), std::make_pair(next_sequence, *bytes));
    new_events_.push_back(&event);
    new_targets_.push_back(context.reversal_target);
    plan_.records.push_back({i, next_sequence,
                             restored != nullptr ? restored->recorded_time_unix_micros
                                                 : batch_.recorded_time_unix_micros});
    plan_.result.sequences[i] = next_sequence;
    ++next_sequence;
  }
  if (options_.dry_run) {  // valid; nothing of it is written
    BatchPlan answer;
    answer.result = std::move(plan_.result);
    return answer;
  }
  PlanAdditions();
  return std::move(plan_);
}

void Validation::PlanAdditions() {
  static const GrantHistory* const kEmpty = new GrantHistory();
  // The grant of the previous side, looked up again only when it changes (a batch is mostly
  // one grant's).
  const std::string* last_grant = nullptr;
  PlannedChanges* last_changes = nullptr;
  const GrantHistory* last_history = nullptr;
  for (size_t k = 0; k < plan_.records.size(); ++k) {
    const BatchPlan::NewRecord& record = plan_.records[k];
    const v1::Event& event = *new_events_[k];
    ForEachGrantSide(event, [&](const std::string& grant_id, bool carry_in) {
      if (last_grant == nullptr || *last_grant != grant_id) {
        last_changes = &plan_.changes[grant_id];
        const GrantHistory* history = view_.History(grant_id);
        last_history = history != nullptr ? history : kEmpty;
        last_grant = &grant_id;
      }
      last_changes->sequences.push_back(record.sequence);
      last_changes->additions.push_back(last_history->Plan(
          event, record.sequence, carry_in ? nullptr : new_targets_[k], carry_in));
      return absl::OkStatus();
    }).IgnoreError();
  }
}

}  // namespace

const GrantState* LedgerView::Grant(const std::string& grant_id) const {
  if (pending_grants != nullptr) {
    auto it = pending_grants->find(grant_id);
    if (it != pending_grants->end()) return it->second.has_value() ? &*it->second : nullptr;
  }
  if (grants == nullptr) return nullptr;
  auto it = grants->find(grant_id);
  return it != grants->end() ? &it->second : nullptr;
}

const GrantHistory* LedgerView::History(const std::string& grant_id) const {
  if (histories == nullptr) return nullptr;
  auto it = histories->find(grant_id);
  return it != histories->end() ? &it->second : nullptr;
}

absl::StatusOr<BatchPlan> ValidateBatch(const LedgerView& view, const BatchPrefetch& prefetch,
                                        const BatchInput& batch) {
  return Validation(view, prefetch, batch).Run();
}

}  // namespace grantledger
