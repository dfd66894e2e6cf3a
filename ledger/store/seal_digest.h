// The SHA-256 a seal carries over its sealed account's canonical form (ledger/seal.h). Here
// and not in ledger/ because the core links no OpenSSL; the store, the CLI and the tests use it.
#ifndef GRANTLEDGER_LEDGER_STORE_SEAL_DIGEST_H_
#define GRANTLEDGER_LEDGER_STORE_SEAL_DIGEST_H_

#include <string>

#include "ledger/seal.h"

namespace grantledger {

// SHA-256(account.canonical), 32 bytes.
std::string SealedAccountSha256(const SealedAccount& account);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_STORE_SEAL_DIGEST_H_
