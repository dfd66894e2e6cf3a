// Who may read the dashboard when it serves TLS with client certificates: the identity in the
// client certificate (its first URI SAN, else its subject CN), once it verified against
// --client-ca (services/client_certificate.h, as the gRPC side), checked against the same
// policy file for the gRPC method whose data a route shows (services/authz_policy.h). The
// handshake takes any certificate or none, so a browser without a good one gets a 401 page
// that says why rather than a failed connection.
#ifndef GRANTLEDGER_SERVICES_HTTP_CLIENT_AUTH_H_
#define GRANTLEDGER_SERVICES_HTTP_CLIENT_AUTH_H_

#include <openssl/ssl.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "services/authorization.h"
#include "services/client_certificate.h"
#include "services/tls_credentials.h"

namespace grantledger {

// Sets up the dashboard's TLS context: the server's certificate and key, and client
// certificates requested but taken as they come (AuthorizeHttp verifies them). False when a
// file does not load.
bool SetUpDashboardTls(SSL_CTX& ctx, const ServerTlsOptions& tls);

// UNAUTHENTICATED, saying why, without a certificate that verifies against `verifier`'s CA;
// PERMISSION_DENIED when the identity's role may not call `method` (empty: any known principal
// may, e.g. /healthz).
absl::Status AuthorizeHttp(const SSL* ssl, ClientCertificateVerifier& verifier, PolicyFile& policy,
                           absl::string_view method);

}  // namespace grantledger

#endif  // GRANTLEDGER_SERVICES_HTTP_CLIENT_AUTH_H_
