// See client_auth.h.
#include "services/http/client_auth.h"

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "absl/strings/str_cat.h"

namespace grantledger {

std::optional<std::string> PeerIdentity(const SSL* ssl) {
  if (ssl == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) return std::nullopt;
  std::unique_ptr<X509, decltype(&X509_free)> cert(SSL_get1_peer_certificate(ssl), X509_free);
  if (cert == nullptr) return std::nullopt;
  std::optional<std::string> identity;
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr));
  if (names != nullptr) {
    for (int i = 0; i < sk_GENERAL_NAME_num(names) && !identity; ++i) {
      const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
      if (name->type != GEN_URI) continue;
      const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
      if (uri->length > 0) {
        identity = std::string(reinterpret_cast<const char*>(uri->data), uri->length);
      }
    }
    GENERAL_NAMES_free(names);
  }
  if (identity) return identity;
  X509_NAME* subject = X509_get_subject_name(cert.get());
  const int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index < 0) return std::nullopt;
  const ASN1_STRING* cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
  if (cn == nullptr || ASN1_STRING_length(cn) == 0) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(cn)),
                     ASN1_STRING_length(cn));
}

absl::Status AuthorizeHttp(const SSL* ssl, PolicyFile& policy, absl::string_view method) {
  std::optional<std::string> identity = PeerIdentity(ssl);
  if (!identity) {
    return absl::UnauthenticatedError(
        "no verified client certificate: the dashboard needs a certificate issued by the "
        "server's client CA (--client-ca)");
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
