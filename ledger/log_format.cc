// Key encodings, log values and the chain hash; see log_format.h.
#include "ledger/log_format.h"

#include <openssl/evp.h>

#include <cstdlib>

namespace grantledger {

std::string EncodeSequence(uint64_t sequence) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(sequence & 0xff);
    sequence >>= 8;
  }
  return out;
}

uint64_t DecodeSequence(absl::string_view bytes) {
  uint64_t out = 0;
  for (int i = 0; i < 8; ++i) out = (out << 8) | static_cast<unsigned char>(bytes[i]);
  return out;
}

std::string GrantIndexPrefix(absl::string_view grant_id) {
  std::string out(grant_id);
  out.push_back('\0');
  return out;
}

std::string GrantIndexKey(absl::string_view grant_id, uint64_t sequence) {
  return GrantIndexPrefix(grant_id) + EncodeSequence(sequence);
}

std::optional<LogValue> SplitLogValue(absl::string_view value) {
  if (value.size() < kHashBytes) return std::nullopt;
  return LogValue{value.substr(0, kHashBytes), value.substr(kHashBytes)};
}

std::string ChainHash(absl::string_view prev_hash, absl::string_view record_bytes) {
  // One digest context per thread, reused: appends hash on the hot path.
  thread_local EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (ctx == nullptr || EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx, prev_hash.data(), prev_hash.size()) != 1 ||
      EVP_DigestUpdate(ctx, record_bytes.data(), record_bytes.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, digest, &length) != 1 || length != kHashBytes) {
    std::abort();  // OpenSSL cannot hash: nothing can be appended safely
  }
  return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string HexOf(absl::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

}  // namespace grantledger
