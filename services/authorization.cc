// See authorization.h.
#include "services/authorization.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "ledger/store/event_store.h"
#include "services/client_certificate_gate.h"
#include "services/server_log.h"
#include "services/service_context.h"

namespace grantledger {

absl::StatusOr<PolicyFile::Stamp> PolicyFile::StampOf(const std::string& path) {
  std::optional<FileStamp> stamp = StampOfFile(path);
  if (!stamp) {
    return absl::InvalidArgumentError(absl::StrCat("--authz: cannot read ", path));
  }
  return *stamp;
}

absl::StatusOr<AuthzPolicy> PolicyFile::Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("--authz: cannot read ", path));
  std::ostringstream text;
  text << in.rdbuf();
  absl::StatusOr<AuthzPolicy> policy = ParseAuthzPolicy(text.str());
  if (!policy.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--authz: ", path, ": ", policy.status().message()));
  }
  return policy;
}

absl::StatusOr<std::unique_ptr<PolicyFile>> PolicyFile::Load(std::string path) {
  absl::StatusOr<Stamp> stamp = StampOf(path);
  if (!stamp.ok()) return stamp.status();
  absl::StatusOr<AuthzPolicy> policy = Read(path);
  if (!policy.ok()) return policy.status();
  std::unique_ptr<PolicyFile> out(new PolicyFile(std::move(path)));
  absl::MutexLock lock(&out->mu_);
  out->policy_ = std::make_shared<const AuthzPolicy>(*std::move(policy));
  out->stamp_ = *stamp;
  out->last_check_ = absl::Now();
  return out;
}

void PolicyFile::ReloadIfChanged() {
  absl::StatusOr<Stamp> stamp = StampOf(path_);
  {
    absl::MutexLock lock(&mu_);
    last_check_ = absl::Now();
    if (stamp.ok() && *stamp == stamp_) return;
    if (stamp.ok()) stamp_ = *stamp;  // a bad file is reported once, not every second
  }
  if (!stamp.ok()) {
    LogLine(absl::StrCat("authorization policy not reloaded: ", stamp.status().message(),
                         "; the last good policy stays in force"));
    return;
  }
  absl::StatusOr<AuthzPolicy> policy = Read(path_);
  if (!policy.ok()) {
    LogLine(absl::StrCat("authorization policy not reloaded: ", policy.status().message(),
                         "; the last good policy stays in force"));
    return;
  }
  const size_t principals = policy->by_identity.size();
  {
    absl::MutexLock lock(&mu_);
    policy_ = std::make_shared<const AuthzPolicy>(*std::move(policy));
  }
  LogLine(
      absl::StrCat("authorization policy reloaded from ", path_, ": ", principals, " principals"));
}

std::shared_ptr<const AuthzPolicy> PolicyFile::Current() {
  bool check = false;
  {
    absl::MutexLock lock(&mu_);
    check = absl::Now() - last_check_ >= absl::Seconds(1);
    if (check) last_check_ = absl::Now();  // one caller checks; the others go on
    if (!check) return policy_;
  }
  ReloadIfChanged();
  absl::MutexLock lock(&mu_);
  return policy_;
}

absl::StatusOr<CallPrincipal> AuthorizeCall(const ServiceContext& service,
                                            const grpc::ServerContextBase& context,
                                            absl::string_view method) {
  CallPrincipal out;
  if (service.policy == nullptr) {
    out.author = absl::StrCat("insecure:", context.peer());
    return out;
  }
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  absl::StatusOr<std::string> identity =
      VerifiedCallerIdentity(*service.client_certificates, auth.get(), method);
  if (!identity.ok()) return identity.status();
  out.policy = service.policy->Current();
  out.entry = out.policy->Find(*identity);
  absl::Status allowed = AuthorizeMethod(*identity, out.entry, method);
  if (!allowed.ok()) return allowed;
  out.author = *std::move(identity);
  return out;
}

absl::Status AuthorizeAppend(const ServiceContext& service, const CallPrincipal& principal,
                             const google::protobuf::RepeatedPtrField<v1::Event>& events) {
  if (principal.entry == nullptr) return absl::OkStatus();
  const PolicyEntry& entry = *principal.entry;
  // Grants registered earlier in the same batch have no state in the store yet.
  absl::flat_hash_map<std::string, std::string> registered_here;
  auto cost_object_of = [&](const std::string& grant_id) -> std::optional<std::string> {
    auto here = registered_here.find(grant_id);
    if (here != registered_here.end()) return here->second;
    std::optional<GrantState> grant = service.store->Grant(grant_id);
    if (!grant.has_value()) return std::nullopt;
    return grant->terms.cost_object;
  };
  for (int i = 0; i < events.size(); ++i) {
    const v1::Event& event = events[i];
    EventFacts facts;
    if (NeedsFacts(entry, event)) {
      facts.grant_cost_object = cost_object_of(event.grant_id());
      if (event.has_carry_over()) {
        facts.to_grant_cost_object = cost_object_of(event.carry_over().to_grant_id());
      }
      if (event.has_reversal()) {
        absl::StatusOr<v1::RecordedEvent> reversed =
            service.store->Read(event.reversal().reversed_sequence());
        if (reversed.ok()) facts.reversed_author = reversed->record().author();
      }
    }
    if (absl::Status s = AuthorizeEvent(entry, event, static_cast<size_t>(i), facts); !s.ok()) {
      return s;
    }
    if (event.has_grant_registered()) {
      registered_here[event.grant_id()] = event.grant_registered().cost_object();
    }
  }
  return absl::OkStatus();
}

}  // namespace grantledger
