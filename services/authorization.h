// Who is calling and may they: the one check every handler makes before it does anything.
// The caller's identity is its client certificate's URI SAN, or else its subject CN, once the
// certificate verified against --client-ca (services/client_certificate.h);
// the policy (services/authz_policy.h) comes from the --authz file, re-read when it changes.
// Without client certificates (no --client-ca) nothing is checked and the author recorded is
// "insecure:PEER".
#ifndef GRANTLEDGER_SERVICES_AUTHORIZATION_H_
#define GRANTLEDGER_SERVICES_AUTHORIZATION_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "grpcpp/security/auth_context.h"
#include "grpcpp/server_context.h"
#include "ledger/store/store_types.h"
#include "services/authz_policy.h"
#include "services/file_stamp.h"

namespace grantledger {

struct ServiceContext;

// The policy file, re-read when its modification time, size or inode changed (looked at no
// more than once a second, by the calls themselves). A file that no longer parses is logged
// and the last good policy stays in force.
class PolicyFile {
 public:
  // Reads and parses the file: InvalidArgument naming the file and the problem.
  static absl::StatusOr<std::unique_ptr<PolicyFile>> Load(std::string path);

  std::shared_ptr<const AuthzPolicy> Current() ABSL_LOCKS_EXCLUDED(mu_);
  // Re-reads the file now if it changed (Current() does this at most once a second).
  void ReloadIfChanged() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  using Stamp = FileStamp;
  explicit PolicyFile(std::string path) : path_(std::move(path)) {}
  static absl::StatusOr<Stamp> StampOf(const std::string& path);
  static absl::StatusOr<AuthzPolicy> Read(const std::string& path);

  const std::string path_;
  absl::Mutex mu_;
  std::shared_ptr<const AuthzPolicy> policy_ ABSL_GUARDED_BY(mu_);
  Stamp stamp_ ABSL_GUARDED_BY(mu_);
  absl::Time last_check_ ABSL_GUARDED_BY(mu_);
};

// The verified principal of a call.
struct CallPrincipal {
  // Recorded as each appended record's author: the identity, or "insecure:PEER" when the
  // server checks no client certificates.
  std::string author;
  std::shared_ptr<const AuthzPolicy> policy;  // null when nothing is checked
  const PolicyEntry* entry = nullptr;         // in `policy`; null when nothing is checked
};

// The check every handler makes first, for its `method` ("Service/Method"): UNAUTHENTICATED
// without a verified certificate, PERMISSION_DENIED outside the role (the caller logs and
// returns the status: FinishStatus logs method, peer and message, which names the principal).
absl::StatusOr<CallPrincipal> AuthorizeCall(const ServiceContext& service,
                                            const grpc::ServerContextBase& context,
                                            absl::string_view method);

// The appends' check, per event: its kind against the role, its grant against the principal's
// limits, a poster's reversal against the reversed event's stored author. Reads what it needs
// from the store. OK when nothing is checked.
absl::Status AuthorizeAppend(const ServiceContext& service, const CallPrincipal& principal,
                             const google::protobuf::RepeatedPtrField<v1::Event>& events);

}  // namespace grantledger

#endif  // GRANTLEDGER_SERVICES_AUTHORIZATION_H_
