// The log's Ed25519 signing key on disk: a PKCS#8 PEM file (as `openssl genpkey -algorithm
// ed25519` writes it), created with mode 0600 when missing, refused when others may read it.
#ifndef GRANTLEDGER_LEDGER_TLOG_SIGNING_KEY_FILE_H_
#define GRANTLEDGER_LEDGER_TLOG_SIGNING_KEY_FILE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/tlog/note.h"

namespace grantledger {

// The signer for `name` with the key in `path`; with `create`, a new key is written there
// (mode 0600) when the file does not exist. NotFound when it does not and `create` is false;
// FailedPrecondition when the file is readable by others; InvalidArgument when it holds no
// Ed25519 key.
absl::StatusOr<NoteSigner> LoadSigningKey(const std::string& path, absl::string_view name,
                                          bool create);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_TLOG_SIGNING_KEY_FILE_H_
