// The authorization policy as pure functions (no I/O, no gRPC): the roles, which RPCs each may
// call, which event kinds it may append to which grants, and the PERMISSION_DENIED messages
// that name the principal, its role and what the role may do. services/authorization.h feeds
// it the call's verified identity and the facts it needs from the store.
#ifndef GRANTLEDGER_SERVICES_AUTHZ_POLICY_H_
#define GRANTLEDGER_SERVICES_AUTHZ_POLICY_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grantledger/v1/events.pb.h"

namespace grantledger {

enum class Role { kPoster, kCoordinator, kAuditor, kAdmin };

absl::string_view RoleName(Role role);
// What the role may do, for messages: "may append ... and read ...".
std::string RoleAbilities(Role role);

struct PolicyEntry {
  std::string identity;
  Role role = Role::kAuditor;
  // Both empty: any grant. Otherwise a grant listed here, or whose cost object is listed.
  std::vector<std::string> grants;
  std::vector<std::string> cost_objects;
  bool limited() const { return !grants.empty() || !cost_objects.empty(); }
};

struct AuthzPolicy {
  absl::flat_hash_map<std::string, PolicyEntry> by_identity;
  const PolicyEntry* Find(absl::string_view identity) const;
};

// Parses the policy file's JSON (proto/grantledger/v1/authz_policy.proto). InvalidArgument
// naming the principal and field when a role is unknown, an identity empty or repeated.
absl::StatusOr<AuthzPolicy> ParseAuthzPolicy(absl::string_view json);

// Methods are named "Service/Method" as in the server's log ("LedgerService/Append",
// "ServerReflection/ServerReflectionInfo").
//
// May the principal call `method` at all? `entry` is its policy entry, null when the policy
// does not name it (then only reflection is open to it). PERMISSION_DENIED otherwise.
absl::Status AuthorizeMethod(absl::string_view identity, const PolicyEntry* entry,
                             absl::string_view method);

// What the store knows that an event's check needs (filled only when NeedsFacts says so).
struct EventFacts {
  // The cost object of the event's grant (and of a carry-over's receiving grant), when the
  // grant is registered (or registered earlier in the same batch).
  std::optional<std::string> grant_cost_object;
  std::optional<std::string> to_grant_cost_object;
  // For a reversal: the author stored with the reversed event; nullopt if it is not stored.
  std::optional<std::string> reversed_author;
};

// Whether AuthorizeEvent needs facts for this principal and event (most calls need none).
bool NeedsFacts(const PolicyEntry& entry, const v1::Event& event);

// May the principal append `event` (0-based `index` in its batch)? Checks the event kind
// against the role, the grant (and a carry-over's receiving grant) against the principal's
// limits, and that a poster reverses only its own events. PERMISSION_DENIED naming the event
// (its index also as the kEventIndexPayload payload), the principal, its role and the reason.
absl::Status AuthorizeEvent(const PolicyEntry& entry, const v1::Event& event, size_t index,
                            const EventFacts& facts);

// "receipt", "grant_registered", ...: the event's body field name ("none" when empty).
std::string EventKindName(const v1::Event& event);

}  // namespace grantledger

#endif  // GRANTLEDGER_SERVICES_AUTHZ_POLICY_H_
