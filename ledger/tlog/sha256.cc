// See sha256.h.
//
// OpenSSL's low-level SHA256_Init/Update/Final, not EVP: the inputs here are one or two blocks
// (a leaf is 33 bytes, a node 65, a record about 200), and for those EVP's provider dispatch
// cost more than the hashing itself: 655 / 352 / 466 ns per hash against 145 / 206 / 331 ns for
// 33 / 65 / 220 bytes on this machine's SHA-NI cores (docs/performance.md, session 16). That is
// three hashes per appended event on the append path. OpenSSL 3 marks the low-level calls
// deprecated, but keeps them, with the same assembly underneath; docs/decisions.md says why
// and what to do if a later OpenSSL drops them.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "ledger/tlog/sha256.h"

#include <openssl/sha.h>

#include <cstdlib>

namespace grantledger {

void Sha256Into(std::initializer_list<absl::string_view> parts, char* out) {
  SHA256_CTX context;
  bool ok = SHA256_Init(&context) == 1;
  for (absl::string_view part : parts) {
    ok = ok && SHA256_Update(&context, part.data(), part.size()) == 1;
  }
  ok = ok && SHA256_Final(reinterpret_cast<unsigned char*>(out), &context) == 1;
  if (!ok) std::abort();
}

}  // namespace grantledger
