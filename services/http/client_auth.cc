// See client_auth.h.
#include "services/http/client_auth.h"

#include <openssl/x509.h>

#include <memory>

#include "absl/strings/str_cat.h"

namespace grantledger {

namespace {

// Every chain is let through the handshake (which still proves the client holds the key of
// the certificate it sent); AuthorizeHttp decides, and can say why.
int TakeAnyChain(int /*preverified*/, X509_STORE_CTX* /*ctx*/) { return 1; }

}  // namespace

bool SetUpDashboardTls(SSL_CTX& ctx, const ServerTlsOptions& tls) {
  if (SSL_CTX_use_certificate_chain_file(&ctx, tls.cert_path.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(&ctx, tls.key_path.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(&ctx) != 1) {
    return false;
  }
  SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
  if (tls.mutual()) SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER, TakeAnyChain);
  return true;
}

absl::Status AuthorizeHttp(const SSL* ssl, ClientCertificateVerifier& verifier, PolicyFile& policy,
                           absl::string_view method) {
  absl::StatusOr<std::string> identity = absl::UnauthenticatedError("the connection is not TLS");
  if (ssl != nullptr) {
    identity = verifier.VerifyParsed(SSL_get0_peer_certificate(ssl), SSL_get_peer_cert_chain(ssl));
  }
  if (!identity.ok()) {
    return absl::UnauthenticatedError(absl::StrCat(
        "no verified client certificate: ", identity.status().message(),
        "; the dashboard needs a certificate issued by the server's client CA (--client-ca), "
        "installed in the browser"));
  }
  std::shared_ptr<const AuthzPolicy> current = policy.Current();
  const PolicyEntry* entry = current->Find(*identity);
  if (method.empty()) {
    if (entry != nullptr) return absl::OkStatus();
    return absl::PermissionDeniedError(
        absl::StrCat(*identity, " is not in the policy file (--authz); add it with a role"));
  }
  return AuthorizeMethod(*identity, entry, method);
}

}  // namespace grantledger
