// See tls_credentials.h.
#include "services/tls_credentials.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_credentials_options.h"

namespace grantledger {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path, absl::string_view flag) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": cannot read ", path, "; give a readable PEM file"));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

std::unique_ptr<BIO, BioFree> BioOf(const std::string& pem) {
  return std::unique_ptr<BIO, BioFree>(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// The first certificate of a PEM text, or null.
std::unique_ptr<X509, X509Free> FirstCertificate(const std::string& pem) {
  auto bio = BioOf(pem);
  return std::unique_ptr<X509, X509Free>(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

}  // namespace

std::optional<std::string> KeyFilePermissionWarning(const std::string& key_path) {
  struct stat st {};
  if (stat(key_path.c_str(), &st) != 0) return std::nullopt;
  if ((st.st_mode & 077) == 0) return std::nullopt;
  return absl::StrFormat("key file %s is readable by group or others (mode %04o); chmod 600 %s",
                         key_path, st.st_mode & 07777, key_path);
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTlsOptions& tls, std::vector<std::string>& warnings) {
  if (!tls.tls()) {
    if (!tls.key_path.empty() || tls.mutual()) {
      return absl::InvalidArgumentError(
          "--tls-key and --client-ca need --tls-cert: give the server's certificate too");
    }
    return grpc::InsecureServerCredentials();
  }
  if (tls.key_path.empty()) {
    return absl::InvalidArgumentError("--tls-cert needs --tls-key: give the certificate's key");
  }
  absl::StatusOr<std::string> cert_pem = ReadFile(tls.cert_path, "--tls-cert");
  if (!cert_pem.ok()) return cert_pem.status();
  absl::StatusOr<std::string> key_pem = ReadFile(tls.key_path, "--tls-key");
  if (!key_pem.ok()) return key_pem.status();
  auto cert = FirstCertificate(*cert_pem);
  if (cert == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tls-cert: ", tls.cert_path, " holds no PEM certificate"));
  }
  auto key_bio = BioOf(*key_pem);
  std::unique_ptr<EVP_PKEY, KeyFree> key(
      PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (key == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--tls-key: ", tls.key_path, " holds no PEM private key (or it is encrypted)"));
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--tls-key: ", tls.key_path, " is not the key of the certificate in ", tls.cert_path));
  }
  if (X509_cmp_current_time(X509_get0_notAfter(cert.get())) < 0) {
    warnings.push_back(absl::StrCat("the server certificate ", tls.cert_path, " has expired"));
  }
  if (auto warning = KeyFilePermissionWarning(tls.key_path)) warnings.push_back(*warning);
  if (tls.mutual()) {
    absl::StatusOr<std::string> ca_pem = ReadFile(tls.client_ca_path, "--client-ca");
    if (!ca_pem.ok()) return ca_pem.status();
    if (FirstCertificate(*ca_pem) == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("--client-ca: ", tls.client_ca_path, " holds no PEM certificate"));
    }
  }
  // The watcher re-reads the files every interval and swaps them in when they changed (and
  // only when the key and certificate it read match, so a half-written pair is not served).
  // The client CA is not its business: the server verifies client certificates itself.
  auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      tls.key_path, tls.cert_path, tls.refresh_interval_seconds);
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  // With a client CA the certificate is requested but not checked in the handshake (which
  // still proves the client holds the certificate's key): the call then reaches the server,
  // whose gate (services/client_certificate_gate.h) verifies the chain against the CA and
  // refuses it UNAUTHENTICATED with the reason, rather than a handshake failure the client
  // sees as UNAVAILABLE with none.
  options.set_cert_request_type(tls.mutual() ? GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_BUT_DONT_VERIFY
                                             : GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  return grpc::experimental::TlsServerCredentials(options);
}

bool IsLoopbackListenAddress(absl::string_view listen_address) {
  absl::string_view host = listen_address;
  const size_t colon = host.rfind(':');
  if (colon != absl::string_view::npos) host = host.substr(0, colon);
  if (absl::ConsumePrefix(&host, "[")) absl::ConsumeSuffix(&host, "]");
  if (absl::EqualsIgnoreCase(host, "localhost") || host == "::1") return true;
  // 127.0.0.0/8, written as a dotted quad.
  if (!absl::ConsumePrefix(&host, "127.")) return false;
  int parts = 1;
  for (absl::string_view rest = host; !rest.empty(); ++parts) {
    const size_t dot = rest.find('.');
    absl::string_view part = rest.substr(0, dot);
    int value = 0;
    if (!absl::SimpleAtoi(part, &value) || value < 0 || value > 255) return false;
    rest = dot == absl::string_view::npos ? absl::string_view() : rest.substr(dot + 1);
  }
  return parts == 4;
}

absl::Status CheckListenPolicy(absl::string_view listen_address, const ServerTlsOptions& tls,
                               bool insecure_listen) {
  if (IsLoopbackListenAddress(listen_address) || (tls.tls() && tls.mutual()) || insecure_listen) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "--listen: ", listen_address,
      " is not a loopback address; off this machine the server needs TLS with client "
      "certificates (--tls-cert, --tls-key, --client-ca and --authz), or --insecure-listen to "
      "accept anyone who can reach the port"));
}

}  // namespace grantledger
