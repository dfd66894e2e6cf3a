// The author recorded for events written by this process itself (a `--db` post, a test, a
// tool): "local:USER", the Unix user running it. The server records its authenticated
// principal instead (services/authorization.h).
#ifndef GRANTLEDGER_LEDGER_LOCAL_AUTHOR_H_
#define GRANTLEDGER_LEDGER_LOCAL_AUTHOR_H_

#include <string>

namespace grantledger {

// "local:" + the effective user's login name, or "local:uid<N>" when it has none.
const std::string& LocalAuthor();

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_LOCAL_AUTHOR_H_
