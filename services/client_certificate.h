// Who the client is, proven: the server's own check of a client certificate chain against the
// --client-ca file (OpenSSL's X509_verify_cert, with the time and clientAuth purpose checks),
// so that a missing, foreign, expired or not-yet-valid certificate reaches the server and is
// refused UNAUTHENTICATED with the reason, instead of failing the TLS handshake. The CA file is
// re-read when it changes. Used by the gRPC gate (services/client_certificate_gate.h), the
// handlers' AuthorizeCall (services/authorization.h) and the dashboard (services/http/).
#ifndef GRANTLEDGER_SERVICES_CLIENT_CERTIFICATE_H_
#define GRANTLEDGER_SERVICES_CLIENT_CERTIFICATE_H_

#include <openssl/x509.h>

#include <ctime>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/file_stamp.h"

namespace grantledger {

// The identity a certificate carries: its first URI SAN, else its subject CN; nullopt when it
// has neither.
std::optional<std::string> CertificateIdentityOf(X509* cert);

class ClientCertificateVerifier {
 public:
  // Reads the CA bundle (PEM, one or more certificates): InvalidArgument naming --client-ca
  // and the problem.
  static absl::StatusOr<std::unique_ptr<ClientCertificateVerifier>> Load(std::string ca_path);
  ~ClientCertificateVerifier();

  // The identity of the client certificate `leaf_pem` (PEM), with `chain_pem` (PEM, possibly
  // empty) as the intermediates it sent. UNAUTHENTICATED saying why otherwise: "the connection
  // presented no client certificate", "... was not issued by the server's client CA ...",
  // "... expired on 2020-12-31 23:59:59 UTC", "... is not valid before ...", "... is not for
  // client authentication ...". A chain that verified once is remembered (until the CA file
  // changes, and checked against its validity dates on every call), so the cost on later
  // calls of a connection is one hash lookup.
  absl::StatusOr<std::string> Verify(absl::string_view leaf_pem, absl::string_view chain_pem)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Same, for an already parsed certificate and its intermediates (the dashboard's OpenSSL
  // connection); nothing is remembered.
  absl::StatusOr<std::string> VerifyParsed(X509* leaf, STACK_OF(X509) * intermediates)
      ABSL_LOCKS_EXCLUDED(mu_);

  // Re-reads the CA file now if its modification time, size or inode changed (Verify does
  // this at most once a second). A file that no longer parses is logged and the last good CA
  // stays in force.
  void ReloadIfChanged() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  using Stamp = FileStamp;
  struct Verified {
    std::string identity;
    time_t not_before = 0;
    time_t not_after = 0;
  };
  using StorePtr = std::shared_ptr<X509_STORE>;

  explicit ClientCertificateVerifier(std::string ca_path) : ca_path_(std::move(ca_path)) {}
  static absl::StatusOr<Stamp> StampOf(const std::string& path);
  static absl::StatusOr<StorePtr> ReadStore(const std::string& path);
  StorePtr CurrentStore() ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<Verified> VerifyWith(X509_STORE* store, X509* leaf,
                                      STACK_OF(X509) * intermediates);

  const std::string ca_path_;
  absl::Mutex mu_;
  StorePtr store_ ABSL_GUARDED_BY(mu_);
  Stamp stamp_ ABSL_GUARDED_BY(mu_);
  absl::Time last_check_ ABSL_GUARDED_BY(mu_);
  // Leaf PEM -> what it verified as, under store_; cleared when the CA changes or it is full.
  absl::flat_hash_map<std::string, Verified> verified_ ABSL_GUARDED_BY(mu_);
};

}  // namespace grantledger

#endif  // GRANTLEDGER_SERVICES_CLIENT_CERTIFICATE_H_
