// C2SP signed notes and tlog checkpoints: the checkpoint body (origin, tree size, base64 root),
// the signature line "— NAME base64(key ID || signature)", Ed25519 signing and verification
// through OpenSSL's EVP interface, and the verifier key "NAME+KEYID+base64(0x01 || public key)".
// Pure: keys come in as bytes (signing_key_file.h reads and writes the key file).
#ifndef GRANTLEDGER_LEDGER_TLOG_NOTE_H_
#define GRANTLEDGER_LEDGER_TLOG_NOTE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace grantledger {

// A tlog checkpoint's body: "ORIGIN\nSIZE\nBASE64(ROOT)\n".
struct TlogCheckpoint {
  std::string origin;
  uint64_t size = 0;
  std::string root;  // 32 bytes
};
std::string CheckpointBody(const TlogCheckpoint& checkpoint);
// InvalidArgument naming the line that is not as C2SP tlog-checkpoint says (extension lines
// after the third are allowed and ignored).
absl::StatusOr<TlogCheckpoint> ParseCheckpointBody(absl::string_view body);

// One signature line of a note.
struct NoteSignature {
  std::string name;
  uint32_t key_id = 0;
  std::string signature;  // without the key ID
};
// A note split into its body (up to and including the newline before the blank line) and its
// signatures. InvalidArgument when the text is not a signed note.
struct SignedNote {
  std::string body;
  std::vector<NoteSignature> signatures;
};
absl::StatusOr<SignedNote> ParseSignedNote(absl::string_view text);

// The first 4 bytes of SHA-256(name || 0x0A || 0x01 || public key), big-endian.
uint32_t Ed25519KeyId(absl::string_view name, absl::string_view public_key);

// Signs notes with an Ed25519 key under a name (for a log: its origin).
class NoteSigner {
 public:
  // From the 32-byte Ed25519 private key (seed). InvalidArgument for a bad name or key.
  static absl::StatusOr<NoteSigner> FromPrivateKey(absl::string_view name,
                                                   absl::string_view private_key);
  // A new random key.
  static absl::StatusOr<NoteSigner> Generate(absl::string_view name);

  // The note: body, blank line, signature line. REQUIRES: body ends with "\n".
  absl::StatusOr<std::string> Sign(absl::string_view body) const;
  // NAME+KEYID+base64(0x01 || public key), KEYID as 8 lower-case hex digits.
  std::string VerifierKey() const;
  const std::string& name() const { return name_; }
  const std::string& public_key() const { return public_key_; }
  const std::string& private_key() const { return private_key_; }

 private:
  std::string name_;
  std::string public_key_;   // 32 bytes
  std::string private_key_;  // 32 bytes
  std::shared_ptr<EVP_PKEY> key_;
};

// Verifies notes signed by one key.
class NoteVerifier {
 public:
  // From a verifier key NAME+KEYID+base64(0x01 || public key); InvalidArgument when it is not
  // one (or its KEYID does not match its name and key).
  static absl::StatusOr<NoteVerifier> Parse(absl::string_view verifier_key);
  // The note's body when one of its signatures is this key's and valid; DataLoss otherwise.
  absl::StatusOr<std::string> Verify(absl::string_view note) const;
  const std::string& name() const { return name_; }
  uint32_t key_id() const { return key_id_; }

 private:
  std::string name_;
  uint32_t key_id_ = 0;
  std::shared_ptr<EVP_PKEY> key_;
};

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_TLOG_NOTE_H_
