// See client_certificate.h.
#include "services/client_certificate.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/server_log.h"

namespace grantledger {
namespace {

// More distinct client certificates than this in one CA generation: start over (a bound on
// memory, not a limit on clients).
constexpr size_t kMaxRemembered = 4096;

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
struct ChainFree {
  void operator()(STACK_OF(X509) * s) const { sk_X509_pop_free(s, X509_free); }
};
using ChainPtr = std::unique_ptr<STACK_OF(X509), ChainFree>;
struct StoreCtxFree {
  void operator()(X509_STORE_CTX* c) const { X509_STORE_CTX_free(c); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

BioPtr BioOf(absl::string_view pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// Every certificate of a PEM text, in order.
ChainPtr CertificatesOf(absl::string_view pem) {
  ChainPtr out(sk_X509_new_null());
  if (pem.empty()) return out;
  BioPtr bio = BioOf(pem);
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    sk_X509_push(out.get(), cert);
  }
  ERR_clear_error();  // the loop ends on "no start line"
  return out;
}

std::string NameText(X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

// "2020-12-31 23:59:59 UTC".
std::string TimeText(const ASN1_TIME* time) {
  struct tm t {};
  if (ASN1_TIME_to_tm(time, &t) != 1) return "an unreadable date";
  return absl::StrFormat("%04d-%02d-%02d %02d:%02d:%02d UTC", t.tm_year + 1900, t.tm_mon + 1,
                         t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec);
}

time_t TimeOf(const ASN1_TIME* time) {
  struct tm t {};
  if (ASN1_TIME_to_tm(time, &t) != 1) return 0;
  return timegm(&t);
}

// How a certificate is named in a refusal: its identity, else its subject.
std::string Named(X509* cert) {
  std::optional<std::string> identity = CertificateIdentityOf(cert);
  return absl::StrCat("\"", identity ? *identity : NameText(X509_get_subject_name(cert)), "\"");
}

}  // namespace

std::optional<std::string> CertificateIdentityOf(X509* cert) {
  std::optional<std::string> identity;
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
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
  X509_NAME* subject = X509_get_subject_name(cert);
  const int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index < 0) return std::nullopt;
  const ASN1_STRING* cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
  if (cn == nullptr || ASN1_STRING_length(cn) == 0) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(cn)),
                     ASN1_STRING_length(cn));
}

absl::StatusOr<ClientCertificateVerifier::Stamp> ClientCertificateVerifier::StampOf(
    const std::string& path) {
  std::optional<FileStamp> stamp = StampOfFile(path);
  if (!stamp) {
    return absl::InvalidArgumentError(
        absl::StrCat("--client-ca: cannot read ", path, "; give a readable PEM file"));
  }
  return *stamp;
}

absl::StatusOr<ClientCertificateVerifier::StorePtr> ClientCertificateVerifier::ReadStore(
    const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("--client-ca: cannot read ", path, "; give a readable PEM file"));
  }
  std::ostringstream text;
  text << in.rdbuf();
  ChainPtr cas = CertificatesOf(text.str());
  if (sk_X509_num(cas.get()) == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--client-ca: ", path, " holds no PEM certificate"));
  }
  StorePtr store(X509_STORE_new(), X509_STORE_free);
  for (int i = 0; i < sk_X509_num(cas.get()); ++i) {
    X509_STORE_add_cert(store.get(), sk_X509_value(cas.get(), i));
  }
  return store;
}

absl::StatusOr<std::unique_ptr<ClientCertificateVerifier>> ClientCertificateVerifier::Load(
    std::string ca_path) {
  absl::StatusOr<Stamp> stamp = StampOf(ca_path);
  if (!stamp.ok()) return stamp.status();
  absl::StatusOr<StorePtr> store = ReadStore(ca_path);
  if (!store.ok()) return store.status();
  std::unique_ptr<ClientCertificateVerifier> out(new ClientCertificateVerifier(std::move(ca_path)));
  absl::MutexLock lock(&out->mu_);
  out->store_ = *std::move(store);
  out->stamp_ = *stamp;
  out->last_check_ = absl::Now();
  return out;
}

ClientCertificateVerifier::~ClientCertificateVerifier() = default;

void ClientCertificateVerifier::ReloadIfChanged() {
  absl::StatusOr<Stamp> stamp = StampOf(ca_path_);
  {
    absl::MutexLock lock(&mu_);
    last_check_ = absl::Now();
    if (stamp.ok() && *stamp == stamp_) return;
    if (stamp.ok()) stamp_ = *stamp;  // a bad file is reported once, not every second
  }
  absl::StatusOr<StorePtr> store =
      stamp.ok() ? ReadStore(ca_path_) : absl::StatusOr<StorePtr>(stamp.status());
  if (!store.ok()) {
    LogLine(absl::StrCat("client CA not reloaded: ", store.status().message(),
                         "; the last good CA stays in force"));
    return;
  }
  {
    absl::MutexLock lock(&mu_);
    store_ = *std::move(store);
    verified_.clear();
  }
  LogLine(absl::StrCat("client CA reloaded from ", ca_path_));
}

ClientCertificateVerifier::StorePtr ClientCertificateVerifier::CurrentStore() {
  {
    absl::MutexLock lock(&mu_);
    const bool check = absl::Now() - last_check_ >= absl::Seconds(1);
    if (!check) return store_;
    last_check_ = absl::Now();  // one caller checks; the others go on
  }
  ReloadIfChanged();
  absl::MutexLock lock(&mu_);
  return store_;
}

absl::StatusOr<ClientCertificateVerifier::Verified> ClientCertificateVerifier::VerifyWith(
    X509_STORE* store, X509* leaf, STACK_OF(X509) * intermediates) {
  std::unique_ptr<X509_STORE_CTX, StoreCtxFree> ctx(X509_STORE_CTX_new());
  if (ctx == nullptr || X509_STORE_CTX_init(ctx.get(), store, leaf, intermediates) != 1) {
    return absl::InternalError("cannot set up the client certificate check (out of memory?)");
  }
  X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_CLIENT);
  const std::string leaf_name = Named(leaf);
  if (X509_verify_cert(ctx.get()) != 1) {
    const int error = X509_STORE_CTX_get_error(ctx.get());
    X509* at = X509_STORE_CTX_get_current_cert(ctx.get());
    // A CA certificate of the chain at fault is named as such.
    const std::string whose = at == nullptr || X509_STORE_CTX_get_error_depth(ctx.get()) == 0
                                  ? absl::StrCat("the client certificate ", leaf_name)
                                  : absl::StrCat("the client certificate ", leaf_name,
                                                 ": its CA certificate ", Named(at));
    X509* dated = at == nullptr ? leaf : at;
    switch (error) {
      case X509_V_ERR_CERT_HAS_EXPIRED:
        return absl::UnauthenticatedError(
            absl::StrCat(whose, " expired on ", TimeText(X509_get0_notAfter(dated)), "; renew it"));
      case X509_V_ERR_CERT_NOT_YET_VALID:
        return absl::UnauthenticatedError(
            absl::StrCat(whose, " is not valid before ", TimeText(X509_get0_notBefore(dated)),
                         "; wait until then, or check this server's clock"));
      case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
      case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
      case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
      case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
      case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      case X509_V_ERR_CERT_SIGNATURE_FAILURE:
        return absl::UnauthenticatedError(absl::StrCat(
            "the client certificate ", leaf_name,
            " was not issued by the server's client CA (--client-ca): its issuer is \"",
            NameText(X509_get_issuer_name(leaf)),
            "\"; use a certificate from the CA the server trusts"));
      case X509_V_ERR_INVALID_PURPOSE:
        return absl::UnauthenticatedError(
            absl::StrCat(whose,
                         " is not for client authentication (its key usage or extended key "
                         "usage excludes clientAuth); use a client certificate"));
      default:
        return absl::UnauthenticatedError(
            absl::StrCat(whose, " does not verify against the server's client CA: ",
                         X509_verify_cert_error_string(error)));
    }
  }
  std::optional<std::string> identity = CertificateIdentityOf(leaf);
  if (!identity) {
    return absl::UnauthenticatedError(
        absl::StrCat("the client certificate ", leaf_name,
                     " names no one: it has neither a URI SAN nor a subject CN"));
  }
  Verified out;
  out.identity = *std::move(identity);
  out.not_before = TimeOf(X509_get0_notBefore(leaf));
  out.not_after = TimeOf(X509_get0_notAfter(leaf));
  return out;
}

absl::StatusOr<std::string> ClientCertificateVerifier::Verify(absl::string_view leaf_pem,
                                                              absl::string_view chain_pem) {
  if (leaf_pem.empty()) {
    return absl::UnauthenticatedError("the connection presented no client certificate");
  }
  StorePtr store = CurrentStore();
  const time_t now = time(nullptr);
  {
    absl::MutexLock lock(&mu_);
    auto known = verified_.find(leaf_pem);
    if (known != verified_.end() && store == store_ && known->second.not_before <= now &&
        now <= known->second.not_after) {
      return known->second.identity;
    }
  }
  ChainPtr leaf_only = CertificatesOf(leaf_pem);
  if (sk_X509_num(leaf_only.get()) == 0) {
    return absl::UnauthenticatedError("the client certificate cannot be read (not PEM)");
  }
  ChainPtr intermediates = CertificatesOf(chain_pem);
  absl::StatusOr<Verified> verified =
      VerifyWith(store.get(), sk_X509_value(leaf_only.get(), 0), intermediates.get());
  if (!verified.ok()) return verified.status();
  absl::MutexLock lock(&mu_);
  if (store == store_) {  // not when the CA changed meanwhile
    if (verified_.size() >= kMaxRemembered) verified_.clear();
    verified_.insert_or_assign(std::string(leaf_pem), *verified);
  }
  return verified->identity;
}

absl::StatusOr<std::string> ClientCertificateVerifier::VerifyParsed(X509* leaf, STACK_OF(X509) *
                                                                                    intermediates) {
  if (leaf == nullptr) {
    return absl::UnauthenticatedError("the connection presented no client certificate");
  }
  StorePtr store = CurrentStore();
  absl::StatusOr<Verified> verified = VerifyWith(store.get(), leaf, intermediates);
  if (!verified.ok()) return verified.status();
  return verified->identity;
}

}  // namespace grantledger
