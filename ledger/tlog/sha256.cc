// See sha256.h.
#include "ledger/tlog/sha256.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <memory>

namespace grantledger {

void Sha256Into(std::initializer_list<absl::string_view> parts, char* out) {
  struct ContextDeleter {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
  };
  thread_local std::unique_ptr<EVP_MD_CTX, ContextDeleter> owned(EVP_MD_CTX_new());
  // Fetched once: EVP_sha256() looks the algorithm up (under a lock) at every init.
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  EVP_MD_CTX* ctx = owned.get();
  bool ok = ctx != nullptr && sha256 != nullptr && EVP_DigestInit_ex(ctx, sha256, nullptr) == 1;
  for (absl::string_view part : parts) {
    ok = ok && EVP_DigestUpdate(ctx, part.data(), part.size()) == 1;
  }
  unsigned int length = 0;
  ok = ok && EVP_DigestFinal_ex(ctx, reinterpret_cast<unsigned char*>(out), &length) == 1 &&
       length == kSha256Bytes;
  if (!ok) std::abort();
}

}  // namespace grantledger
