// The client side of TLS: --tls-ca, --tls-cert and --tls-key (or GRANTLEDGER_TLS_CA, _CERT
// and _KEY), taken by every command that talks to a server. Set: the connection is TLS,
// the server is verified against the CA, and the certificate identifies this client.
#ifndef GRANTLEDGER_CLI_TLS_FLAGS_H_
#define GRANTLEDGER_CLI_TLS_FLAGS_H_

#include <string>

#include "CLI/CLI.hpp"

namespace grantledger {

struct ClientTlsFiles {
  std::string ca_path;    // PEM CA that issued the server's certificate
  std::string cert_path;  // PEM client certificate (mutual TLS)
  std::string key_path;   // its PEM private key
  bool tls() const { return !ca_path.empty() || !cert_path.empty() || !key_path.empty(); }
};

// Adds the three flags to `app` (they may be given before or after the subcommand).
void AddClientTlsFlags(CLI::App& app);

// The flags as given, each falling back to its environment variable.
ClientTlsFiles ClientTls();

}  // namespace grantledger

#endif  // GRANTLEDGER_CLI_TLS_FLAGS_H_
