// The gate in front of every gRPC method when the server checks client certificates: a gRPC
// AuthMetadataProcessor that runs for each call before any handler, verifies the connection's
// client certificate (services/client_certificate.h) and refuses the call UNAUTHENTICATED,
// saying why, when it does not verify. Only the health service stays open (load balancers
// probe it without a certificate). The handlers check again, and check the role
// (services/authorization.h); this gate is what makes a method that forgot to cannot be
// reached anyway.
#ifndef GRANTLEDGER_SERVICES_CLIENT_CERTIFICATE_GATE_H_
#define GRANTLEDGER_SERVICES_CLIENT_CERTIFICATE_GATE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/security/auth_context.h"
#include "grpcpp/security/auth_metadata_processor.h"
#include "services/client_certificate.h"

namespace grantledger {

// The identity of the connection's client certificate, verified by `verifier`; for `method`
// ("Service/Method"), UNAUTHENTICATED "no verified client certificate: REASON; METHOD needs a
// certificate issued by the server's client CA (...)" otherwise.
absl::StatusOr<std::string> VerifiedCallerIdentity(ClientCertificateVerifier& verifier,
                                                   const grpc::AuthContext* auth,
                                                   absl::string_view method);

// "/grantledger.v1.LedgerService/Append" -> "LedgerService/Append", as the log names methods.
std::string ShortMethodName(absl::string_view path);

class ClientCertificateGate : public grpc::AuthMetadataProcessor {
 public:
  explicit ClientCertificateGate(std::shared_ptr<ClientCertificateVerifier> verifier)
      : verifier_(std::move(verifier)) {}

  // Runs on the call's own thread: a verified certificate costs a hash lookup.
  bool IsBlocking() const override { return false; }

  // OK for a verified certificate and for grpc.health.v1.Health; otherwise the refusal,
  // logged as "rejected METHOD from a TLS client: UNAUTHENTICATED: ...".
  grpc::Status Process(const InputMetadata& auth_metadata, grpc::AuthContext* context,
                       OutputMetadata* consumed_auth_metadata,
                       OutputMetadata* response_metadata) override;

 private:
  const std::shared_ptr<ClientCertificateVerifier> verifier_;
};

}  // namespace grantledger

#endif  // GRANTLEDGER_SERVICES_CLIENT_CERTIFICATE_GATE_H_
