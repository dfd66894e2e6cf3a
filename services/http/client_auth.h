// Who may read the dashboard when it serves TLS with client certificates: the identity in the
// verified client certificate (its first URI SAN, else its subject CN, as the gRPC side reads
// it: services/authorization.h), checked against the same policy file for the gRPC method
// whose data a route shows (services/authz_policy.h).
#ifndef GRANTLEDGER_SERVICES_HTTP_CLIENT_AUTH_H_
#define GRANTLEDGER_SERVICES_HTTP_CLIENT_AUTH_H_

#include <openssl/ssl.h>

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "services/authorization.h"

namespace grantledger {

// The identity of the connection's verified peer certificate; nullopt without one.
std::optional<std::string> PeerIdentity(const SSL* ssl);

// UNAUTHENTICATED without a verified certificate; PERMISSION_DENIED when the identity's role
// may not call `method` (empty: any known principal may, e.g. /healthz).
absl::Status AuthorizeHttp(const SSL* ssl, PolicyFile& policy, absl::string_view method);

}  // namespace grantledger

#endif  // GRANTLEDGER_SERVICES_HTTP_CLIENT_AUTH_H_
