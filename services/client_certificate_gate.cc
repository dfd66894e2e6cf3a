// See client_certificate_gate.h.
#include "services/client_certificate_gate.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "grpc/grpc_security_constants.h"
#include "services/server_log.h"
#include "services/server_metrics.h"
#include "services/service_context.h"

namespace grantledger {
namespace {

absl::string_view FirstProperty(const grpc::AuthContext* auth, const char* name) {
  if (auth == nullptr) return {};
  for (const grpc::string_ref& value : auth->FindPropertyValues(name)) {
    if (value.size() > 0) return absl::string_view(value.data(), value.size());
  }
  return {};
}

}  // namespace

std::string ShortMethodName(absl::string_view path) {
  absl::ConsumePrefix(&path, "/");
  const size_t slash = path.find('/');
  absl::string_view service = path.substr(0, slash);
  const size_t dot = service.rfind('.');
  if (dot != absl::string_view::npos) path.remove_prefix(dot + 1);
  return std::string(path);
}

absl::StatusOr<std::string> VerifiedCallerIdentity(ClientCertificateVerifier& verifier,
                                                   const grpc::AuthContext* auth,
                                                   absl::string_view method) {
  absl::StatusOr<std::string> identity =
      verifier.Verify(FirstProperty(auth, GRPC_X509_PEM_CERT_PROPERTY_NAME),
                      FirstProperty(auth, GRPC_X509_PEM_CERT_CHAIN_PROPERTY_NAME));
  if (identity.ok()) return identity;
  return absl::UnauthenticatedError(absl::StrCat(
      "no verified client certificate: ", identity.status().message(), "; ", method,
      " needs a certificate issued by the server's client CA (grantledger --tls-cert and "
      "--tls-key, or GRANTLEDGER_TLS_CERT and GRANTLEDGER_TLS_KEY)"));
}

grpc::Status ClientCertificateGate::Process(const InputMetadata& auth_metadata,
                                            grpc::AuthContext* context,
                                            OutputMetadata* /*consumed_auth_metadata*/,
                                            OutputMetadata* /*response_metadata*/) {
  auto found = auth_metadata.find(":path");
  // Without a path (gRPC always sends one) the call is checked like any method.
  const absl::string_view path =
      found == auth_metadata.end() ? absl::string_view()
                                   : absl::string_view(found->second.data(), found->second.size());
  if (absl::StartsWith(path, "/grpc.health.v1.Health/")) return grpc::Status::OK;
  const std::string method = path.empty() ? std::string("this call") : ShortMethodName(path);
  absl::StatusOr<std::string> identity = VerifiedCallerIdentity(*verifier_, context, method);
  if (identity.ok()) return grpc::Status::OK;
  LogRejected(method, "a TLS client", identity.status());
  ServerMetrics::Global().RecordRejection(identity.status().code());
  return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, std::string(identity.status().message()));
}

}  // namespace grantledger
