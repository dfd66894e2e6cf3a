// See tls_flags.h.
#include "cli/tls_flags.h"

#include <cstdlib>

namespace grantledger {
namespace {

ClientTlsFiles& Flags() {
  static ClientTlsFiles* const flags = new ClientTlsFiles;
  return *flags;
}

std::string OrEnv(const std::string& value, const char* name) {
  if (!value.empty()) return value;
  const char* env = std::getenv(name);
  return env == nullptr ? std::string() : std::string(env);
}

}  // namespace

void AddClientTlsFlags(CLI::App& app) {
  app.add_option("--tls-ca", Flags().ca_path,
                 "PEM CA of the server's certificate: connect with TLS (env GRANTLEDGER_TLS_CA)");
  app.add_option("--tls-cert", Flags().cert_path,
                 "PEM client certificate for mutual TLS (env GRANTLEDGER_TLS_CERT)");
  app.add_option("--tls-key", Flags().key_path,
                 "PEM private key of --tls-cert (env GRANTLEDGER_TLS_KEY)");
  // Subcommands hand options they do not know to the app, so the flags work after them too.
  app.fallthrough();
}

ClientTlsFiles ClientTls() {
  ClientTlsFiles out;
  out.ca_path = OrEnv(Flags().ca_path, "GRANTLEDGER_TLS_CA");
  out.cert_path = OrEnv(Flags().cert_path, "GRANTLEDGER_TLS_CERT");
  out.key_path = OrEnv(Flags().key_path, "GRANTLEDGER_TLS_KEY");
  return out;
}

}  // namespace grantledger
