// SHA-256 over a few byte strings, written into a caller's 32-byte buffer: the one digest the
// chain hash (ledger/store/log_format.h) and the Merkle tree's hashes (merkle.h) share. Both
// run on the append path, for every record, so it uses OpenSSL's low-level calls (sha256.cc).
#ifndef GRANTLEDGER_LEDGER_TLOG_SHA256_H_
#define GRANTLEDGER_LEDGER_TLOG_SHA256_H_

#include <cstddef>
#include <initializer_list>

#include "absl/strings/string_view.h"

namespace grantledger {

inline constexpr size_t kSha256Bytes = 32;

// SHA-256(parts[0] || parts[1] || ...) into out[0..32). Aborts when OpenSSL cannot hash at all
// (nothing could then be appended or proved safely).
void Sha256Into(std::initializer_list<absl::string_view> parts, char* out);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_TLOG_SHA256_H_
