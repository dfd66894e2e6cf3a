// See signing_key_file.h.
#include "ledger/tlog/signing_key_file.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace grantledger {
namespace {

using absl::StrCat;

absl::StatusOr<std::string> PemOf(const NoteSigner& signer) {
  std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> key(
      EVP_PKEY_new_raw_private_key(
          EVP_PKEY_ED25519, nullptr,
          reinterpret_cast<const unsigned char*>(signer.private_key().data()),
          signer.private_key().size()),
      EVP_PKEY_free);
  std::unique_ptr<BIO, void (*)(BIO*)> bio(BIO_new(BIO_s_mem()), BIO_free_all);
  if (key == nullptr || bio == nullptr ||
      PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return absl::InternalError("OpenSSL could not write the Ed25519 key as PEM");
  }
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(length));
}

absl::Status CreateKeyFile(const std::string& path, absl::string_view name) {
  absl::StatusOr<NoteSigner> signer = NoteSigner::Generate(name);
  if (!signer.ok()) return signer.status();
  absl::StatusOr<std::string> pem = PemOf(*signer);
  if (!pem.ok()) return pem.status();
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return absl::OkStatus();  // another process made it first: use that
    return absl::UnavailableError(
        StrCat("cannot create the signing key ", path, ": ", std::strerror(errno)));
  }
  const bool written = ::write(fd, pem->data(), pem->size()) == static_cast<ssize_t>(pem->size()) &&
                       ::fsync(fd) == 0;
  ::close(fd);
  if (!written) {
    ::unlink(path.c_str());
    return absl::UnavailableError(StrCat("cannot write the signing key ", path));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<NoteSigner> LoadSigningKey(const std::string& path, absl::string_view name,
                                          bool create) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) {
      return absl::UnavailableError(
          StrCat("cannot read the signing key ", path, ": ", std::strerror(errno)));
    }
    if (!create) {
      return absl::NotFoundError(
          StrCat("there is no signing key at ", path, "; give one with --signing-key FILE"));
    }
    if (absl::Status s = CreateKeyFile(path, name); !s.ok()) return s;
    if (::stat(path.c_str(), &st) != 0) {
      return absl::UnavailableError(StrCat("cannot read the signing key ", path));
    }
  }
  if ((st.st_mode & 077) != 0) {
    return absl::FailedPreconditionError(
        StrCat("the signing key ", path, " may be read by others (mode ",
               absl::StrFormat("%04o", st.st_mode & 07777), "); run `chmod 600 ", path, "`"));
  }
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), std::fclose);
  if (file == nullptr) {
    return absl::UnavailableError(
        StrCat("cannot read the signing key ", path, ": ", std::strerror(errno)));
  }
  std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> key(
      PEM_read_PrivateKey(file.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
  std::string raw(32, '\0');
  size_t length = raw.size();
  if (key == nullptr || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_ED25519 ||
      EVP_PKEY_get_raw_private_key(key.get(), reinterpret_cast<unsigned char*>(raw.data()),
                                   &length) != 1 ||
      length != raw.size()) {
    return absl::InvalidArgumentError(
        StrCat("the signing key ", path,
               " is not an Ed25519 private key in PEM (make one with `openssl genpkey -algorithm "
               "ed25519 -out FILE`)"));
  }
  return NoteSigner::FromPrivateKey(name, raw);
}

}  // namespace grantledger
