// The server's transport security: TLS from a certificate and key file, reloaded by gRPC when
// the files change, with client certificates requested (the server verifies them against the
// CA file itself: services/client_certificate.h);
// the rule that keeps a server without them on loopback; and the key file's permission check.
#ifndef GRANTLEDGER_SERVICES_TLS_CREDENTIALS_H_
#define GRANTLEDGER_SERVICES_TLS_CREDENTIALS_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/security/server_credentials.h"

namespace grantledger {

struct ServerTlsOptions {
  std::string cert_path;       // PEM certificate chain of the server; empty: no TLS
  std::string key_path;        // PEM private key of that certificate
  std::string client_ca_path;  // PEM CA bundle; set: clients' certificates are verified
  // How often gRPC's file watcher looks at the three files for a change.
  unsigned refresh_interval_seconds = 1;

  bool tls() const { return !cert_path.empty(); }
  bool mutual() const { return !client_ca_path.empty(); }
};

// Checks the files (they parse, the key belongs to the certificate) and builds the
// credentials: insecure when no certificate is given; otherwise TLS, with client certificates
// requested but not verified in the handshake when a CA is given (the caller must add the
// gate of services/client_certificate_gate.h, which does). Warnings (a key file readable by others,
// a certificate past its end date) are appended to `warnings`. InvalidArgument naming the flag when
// a file is missing or wrong.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTlsOptions& tls, std::vector<std::string>& warnings);

// "key file K is readable by group or others (mode 0644); chmod 600 K" or nothing.
std::optional<std::string> KeyFilePermissionWarning(const std::string& key_path);

// Whether host:port names a loopback host (127.0.0.0/8, ::1, localhost).
bool IsLoopbackListenAddress(absl::string_view listen_address);

// The listening rule: off loopback, TLS with client certificates is required unless
// `insecure_listen`. InvalidArgument saying what to add otherwise.
absl::Status CheckListenPolicy(absl::string_view listen_address, const ServerTlsOptions& tls,
                               bool insecure_listen);

}  // namespace grantledger

#endif  // GRANTLEDGER_SERVICES_TLS_CREDENTIALS_H_
