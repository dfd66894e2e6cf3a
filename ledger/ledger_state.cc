// LedgerState and its checkpoint form; see ledger_state.h.
#include "ledger/ledger_state.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ledger/civil_date.h"
#include "ledger/status_macros.h"

namespace grantledger {

int64_t LedgerState::TrialBalance() const {
  int64_t sum = 0;
  for (const auto& [id, grant] : grants) sum += grant.TrialBalance();
  return sum;
}

std::string GenesisHash() { return std::string(32, '\0'); }

v1::ProjectionCheckpoint ToCheckpoint(const LedgerState& state) {
  v1::ProjectionCheckpoint out;
  out.set_format_version(1);
  out.set_sequence(state.sequence);
  out.set_head_hash(state.head_hash);
  out.set_last_recorded_time_unix_micros(state.last_recorded_time_unix_micros);
  for (const auto& [id, g] : state.grants) {
    v1::GrantStateCheckpoint* c = out.add_grants();
    c->set_grant_id(id);
    v1::GrantRegistered* t = c->mutable_terms();
    t->set_title(g.terms.title);
    t->set_grantor(g.terms.grantor);
    t->set_decided_amount_ore(g.terms.decided_amount_ore);
    t->set_usage_period_start(FormatCivilDay(g.terms.usage_period_start));
    t->set_usage_period_end(FormatCivilDay(g.terms.usage_period_end));
    t->set_repayment_deadline(FormatCivilDay(g.terms.repayment_deadline));
    t->set_reporting_deadline(FormatCivilDay(g.terms.reporting_deadline));
    t->set_cost_object(g.terms.cost_object);
    t->set_kind(g.terms.kind);
    t->set_year(g.terms.year);
    if (!g.terms.entitlement.empty())
      t->mutable_entitlement()->ParseFromString(g.terms.entitlement);
    c->set_registered_sequence(g.registered_sequence);
    c->set_last_sequence(g.last_sequence);
    c->set_event_count(g.event_count);
    c->set_grantor_ore(g.grantor_ore);
    c->set_pool_ore(g.pool_ore);
    c->set_unassigned_spent_ore(g.unassigned_spent_ore);
    c->set_repaid_ore(g.repaid_ore);
    c->set_carry_in_ore(g.carry_in_ore);
    c->set_carried_out_ore(g.carried_out_ore);
    for (const auto& [id, condition] : g.terms.conditions) {
      v1::ConditionCheckpoint* k = c->add_conditions();
      k->set_condition_id(id);
      k->set_description(condition.description);
      k->set_repayable_ore(condition.repayable_ore);
      k->set_status(static_cast<int32_t>(condition.status));
      k->set_recorded_sequence(condition.recorded_sequence);
    }
    for (const auto& [key, accounts] : g.activities) {
      v1::ActivityAccountsCheckpoint* a = c->add_activities();
      a->set_activity(key.activity);
      a->set_division(key.division);
      a->set_allocation_ore(accounts.allocation_ore);
      a->set_spent_ore(accounts.spent_ore);
    }
    std::vector<uint64_t> reversed(g.reversed_sequences.begin(), g.reversed_sequences.end());
    std::sort(reversed.begin(), reversed.end());
    for (uint64_t s : reversed) c->add_reversed_sequences(s);
    for (const auto& [year, seal] : g.seals) {
      v1::SealCheckpoint* k = c->add_seals();
      k->set_year(year);
      k->set_sequence(seal.sequence);
      k->set_period_start(FormatCivilDay(seal.period_start));
      k->set_period_end(FormatCivilDay(seal.period_end));
    }
  }
  return out;
}

absl::StatusOr<LedgerState> FromCheckpoint(const v1::ProjectionCheckpoint& checkpoint) {
  if (checkpoint.format_version() != 1 && checkpoint.format_version() != 2) {
    return absl::FailedPreconditionError(
        absl::StrCat("checkpoint format ", checkpoint.format_version(),
                     " is not known to this build; run `grantledger replay` to rebuild it"));
  }
  LedgerState state;
  state.sequence = checkpoint.sequence();
  state.head_hash = checkpoint.head_hash();
  state.last_recorded_time_unix_micros = checkpoint.last_recorded_time_unix_micros();
  for (const v1::GrantStateCheckpoint& c : checkpoint.grants()) {
    GrantState g;
    g.grant_id = c.grant_id();
    const v1::GrantRegistered& t = c.terms();
    g.terms.title = t.title();
    g.terms.grantor = t.grantor();
    g.terms.decided_amount_ore = t.decided_amount_ore();
    GL_ASSIGN_OR_RETURN(g.terms.usage_period_start,
                        ParseCivilDay(t.usage_period_start(), "checkpoint"));
    GL_ASSIGN_OR_RETURN(g.terms.usage_period_end,
                        ParseCivilDay(t.usage_period_end(), "checkpoint"));
    GL_ASSIGN_OR_RETURN(g.terms.repayment_deadline,
                        ParseCivilDay(t.repayment_deadline(), "checkpoint"));
    GL_ASSIGN_OR_RETURN(g.terms.reporting_deadline,
                        ParseCivilDay(t.reporting_deadline(), "checkpoint"));
    g.terms.cost_object = t.cost_object();
    g.terms.kind = t.kind();
    g.terms.year = t.year();
    if (t.has_entitlement()) g.terms.entitlement = t.entitlement().SerializeAsString();
    g.registered_sequence = c.registered_sequence();
    g.last_sequence = c.last_sequence();
    g.event_count = c.event_count();
    g.grantor_ore = c.grantor_ore();
    g.pool_ore = c.pool_ore();
    g.unassigned_spent_ore = c.unassigned_spent_ore();
    g.repaid_ore = c.repaid_ore();
    g.carry_in_ore = c.carry_in_ore();
    g.carried_out_ore = c.carried_out_ore();
    for (const v1::ConditionCheckpoint& k : c.conditions()) {
      g.terms.conditions[k.condition_id()] =
          ConditionState{k.description(), k.repayable_ore(),
                         static_cast<ConditionStatus>(k.status()), k.recorded_sequence()};
    }
    for (const v1::ActivityAccountsCheckpoint& a : c.activities()) {
      g.activities[ActivityKey{a.activity(), a.division()}] =
          ActivityAccounts{a.allocation_ore(), a.spent_ore()};
    }
    for (uint64_t s : c.reversed_sequences()) g.reversed_sequences.insert(s);
    for (const v1::SealCheckpoint& k : c.seals()) {
      SealState& seal = g.seals[k.year()];
      seal.sequence = k.sequence();
      GL_ASSIGN_OR_RETURN(seal.period_start, ParseCivilDay(k.period_start(), "checkpoint"));
      GL_ASSIGN_OR_RETURN(seal.period_end, ParseCivilDay(k.period_end(), "checkpoint"));
    }
    state.grants.emplace(g.grant_id, std::move(g));
  }
  return state;
}

}  // namespace grantledger
