// See authz_policy.h.
#include "services/authz_policy.h"

#include <algorithm>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"
#include "grantledger/v1/authz_policy.pb.h"
#include "ledger/store/store_types.h"

namespace grantledger {
namespace {

using v1::Event;

bool Contains(const std::vector<std::string>& list, absl::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// The event kinds a role may append (admin: every kind).
bool MayAppendKind(Role role, Event::BodyCase kind) {
  switch (role) {
    case Role::kAdmin:
      return true;
    case Role::kAuditor:
      return false;
    case Role::kPoster:
      return kind == Event::kReceipt || kind == Event::kExpense || kind == Event::kRepayment ||
             kind == Event::kReversal;
    case Role::kCoordinator:
      return kind == Event::kGrantRegistered || kind == Event::kTermsAmended ||
             kind == Event::kAllocation || kind == Event::kReallocation ||
             kind == Event::kConditionRecorded || kind == Event::kCarryOver ||
             kind == Event::kReversal || kind == Event::kSeal;
  }
  return false;
}

std::string Who(const PolicyEntry& entry) {
  return absl::StrCat("principal ", entry.identity, " (role ", RoleName(entry.role), ")");
}

std::string Limits(const PolicyEntry& entry) {
  std::vector<std::string> parts;
  if (!entry.grants.empty())
    parts.push_back(absl::StrCat("grants ", absl::StrJoin(entry.grants, ", ")));
  if (!entry.cost_objects.empty()) {
    parts.push_back(
        absl::StrCat("grants on cost objects ", absl::StrJoin(entry.cost_objects, ", ")));
  }
  return absl::StrJoin(parts, " and ");
}

bool InScope(const PolicyEntry& entry, absl::string_view grant_id,
             const std::optional<std::string>& cost_object) {
  if (!entry.limited()) return true;
  if (Contains(entry.grants, grant_id)) return true;
  return cost_object.has_value() && Contains(entry.cost_objects, *cost_object);
}

absl::Status Denied(size_t index, const Event& event, absl::string_view reason) {
  absl::Status out = absl::PermissionDeniedError(
      absl::StrCat("event ", index, " (event_id \"", event.event_id(), "\"): ", reason));
  out.SetPayload(kEventIndexPayload, absl::Cord(absl::StrCat(index)));
  return out;
}

}  // namespace

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kPoster:
      return "poster";
    case Role::kCoordinator:
      return "coordinator";
    case Role::kAuditor:
      return "auditor";
    case Role::kAdmin:
      return "admin";
  }
  return "unknown";
}

std::string RoleAbilities(Role role) {
  switch (role) {
    case Role::kPoster:
      return "a poster may append receipts, expenses, repayments and reversals of events it "
             "posted itself (LedgerService), and read grants and balances (QueryService, "
             "YearEndService/GetPosition)";
    case Role::kCoordinator:
      return "a coordinator may append registrations, term amendments, allocations, "
             "reallocations, condition records, carry-overs, reversals and seals of a year "
             "(LedgerService), and "
             "read QueryService, YearEndService and the events, digests and checkpoints of "
             "AuditService";
    case Role::kAuditor:
      return "an auditor may read everything (QueryService, YearEndService, AuditService) and "
             "may never append";
    case Role::kAdmin:
      return "an admin may do everything";
  }
  return "";
}

const PolicyEntry* AuthzPolicy::Find(absl::string_view identity) const {
  auto it = by_identity.find(identity);
  return it == by_identity.end() ? nullptr : &it->second;
}

absl::StatusOr<AuthzPolicy> ParseAuthzPolicy(absl::string_view json) {
  v1::AuthzPolicy file;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto parsed = google::protobuf::util::JsonStringToMessage(std::string(json), &file, options);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a policy: ", std::string(parsed.message()),
                     "; expected {\"principals\": [{\"identity\": ..., \"role\": ...}, ...]}"));
  }
  AuthzPolicy out;
  for (int i = 0; i < file.principals_size(); ++i) {
    const v1::AuthzPrincipal& p = file.principals(i);
    if (p.identity().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "principals[", i, "].identity: empty; give the certificate's URI SAN or CN"));
    }
    PolicyEntry entry;
    entry.identity = p.identity();
    if (p.role() == "poster") {
      entry.role = Role::kPoster;
    } else if (p.role() == "coordinator") {
      entry.role = Role::kCoordinator;
    } else if (p.role() == "auditor") {
      entry.role = Role::kAuditor;
    } else if (p.role() == "admin") {
      entry.role = Role::kAdmin;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("principals[", i, "].role: \"", p.role(), "\" for ", p.identity(),
                       " is not a role; give poster, coordinator, auditor or admin"));
    }
    entry.grants.assign(p.grants().begin(), p.grants().end());
    entry.cost_objects.assign(p.cost_objects().begin(), p.cost_objects().end());
    if (!out.by_identity.emplace(entry.identity, entry).second) {
      return absl::InvalidArgumentError(absl::StrCat("principals[", i, "].identity: ", p.identity(),
                                                     " is listed twice; give it one entry"));
    }
  }
  return out;
}

absl::Status AuthorizeMethod(absl::string_view identity, const PolicyEntry* entry,
                             absl::string_view method) {
  // Reflection describes the API, not the ledger: any verified principal may use it.
  if (absl::StartsWith(method, "ServerReflection/")) return absl::OkStatus();
  if (entry == nullptr) {
    return absl::PermissionDeniedError(absl::StrCat(
        "principal ", identity, " has no role in the authorization policy, so it may not call ",
        method, "; add it to the --authz file with a role"));
  }
  bool allowed = false;
  switch (entry->role) {
    case Role::kAdmin:
      allowed = true;
      break;
    case Role::kAuditor:
      allowed = absl::StartsWith(method, "QueryService/") ||
                absl::StartsWith(method, "YearEndService/") ||
                absl::StartsWith(method, "AuditService/");
      break;
    case Role::kCoordinator:
      // Sealing a year reads the log point and its checkpoint, and the grant's seals.
      allowed = absl::StartsWith(method, "QueryService/") ||
                absl::StartsWith(method, "YearEndService/") || method == "LedgerService/Append" ||
                method == "LedgerService/AppendStream" || method == "AuditService/GetDigest" ||
                method == "AuditService/GetCheckpoint" || method == "AuditService/ReadEvents";
      break;
    case Role::kPoster:
      // GetPosition is one grant's balances (as of a date): what import-expenses reads to
      // map rows to grants.
      allowed = absl::StartsWith(method, "QueryService/") ||
                method == "YearEndService/GetPosition" || method == "LedgerService/Append" ||
                method == "LedgerService/AppendStream";
      break;
  }
  if (allowed) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat(Who(*entry), " may not call ", method, ": ", RoleAbilities(entry->role)));
}

std::string EventKindName(const Event& event) {
  const auto* field = Event::descriptor()->FindFieldByNumber(event.body_case());
  return field == nullptr ? "none" : field->name();
}

bool NeedsFacts(const PolicyEntry& entry, const Event& event) {
  return entry.limited() || (entry.role == Role::kPoster && event.has_reversal());
}

absl::Status AuthorizeEvent(const PolicyEntry& entry, const Event& event, size_t index,
                            const EventFacts& facts) {
  if (!MayAppendKind(entry.role, event.body_case())) {
    return Denied(index, event,
                  absl::StrCat(Who(entry), " may not append ", EventKindName(event),
                               " events: ", RoleAbilities(entry.role)));
  }
  if (entry.limited()) {
    std::optional<std::string> cost_object = facts.grant_cost_object;
    if (event.has_grant_registered()) cost_object = event.grant_registered().cost_object();
    if (!InScope(entry, event.grant_id(), cost_object)) {
      return Denied(
          index, event,
          absl::StrCat(Who(entry), " may post only to ", Limits(entry), "; grant ",
                       event.grant_id(),
                       cost_object.has_value() ? absl::StrCat(" (cost object ", *cost_object, ")")
                                               : std::string(" (not registered)"),
                       " is outside them"));
    }
    if (event.has_terms_amended() && event.terms_amended().has_cost_object() &&
        !InScope(entry, event.grant_id(), event.terms_amended().cost_object())) {
      return Denied(index, event,
                    absl::StrCat(Who(entry), " may post only to ", Limits(entry), "; moving grant ",
                                 event.grant_id(), " to cost object ",
                                 event.terms_amended().cost_object(), " takes it outside them"));
    }
    if (event.has_carry_over() &&
        !InScope(entry, event.carry_over().to_grant_id(), facts.to_grant_cost_object)) {
      return Denied(
          index, event,
          absl::StrCat(Who(entry), " may post only to ", Limits(entry), "; the receiving grant ",
                       event.carry_over().to_grant_id(), " is outside them"));
    }
  }
  if (entry.role == Role::kPoster && event.has_reversal() &&
      facts.reversed_author != entry.identity) {
    const uint64_t reversed = event.reversal().reversed_sequence();
    return Denied(
        index, event,
        absl::StrCat(Who(entry), " may reverse only events it posted itself; sequence ", reversed,
                     facts.reversed_author.has_value()
                         ? absl::StrCat(" was posted by ", facts.reversed_author->empty()
                                                               ? std::string("an unrecorded author")
                                                               : *facts.reversed_author)
                         : std::string(" is not in the ledger"),
                     "; ask a coordinator to reverse it"));
  }
  return absl::OkStatus();
}

}  // namespace grantledger
