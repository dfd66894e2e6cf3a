// The log's signed checkpoints (C2SP tlog-checkpoint as a signed note, ledger/tlog/note.h)
// over a store's Merkle tree, and the promise that goes with them: the log never signs two
// checkpoints that are not consistent. The last checkpoint signed is kept in the data
// directory (kLastCheckpointFileName); opening refuses (DataLoss) a log whose tree at that
// size has another root, or that is shorter, and signing checks it again every time.
#ifndef GRANTLEDGER_LEDGER_STORE_LOG_SIGNER_H_
#define GRANTLEDGER_LEDGER_STORE_LOG_SIGNER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "ledger/tlog/note.h"

namespace grantledger {

class EventStore;

inline constexpr char kDefaultOrigin[] = "grantledger";
inline constexpr char kSigningKeyFileName[] = "checkpoint-signing-key.pem";
inline constexpr char kLastCheckpointFileName[] = "last-signed-checkpoint";

// Writes `text` to `path` atomically and durably (a temporary file, fsync, rename, fsync of
// the directory); also the witness's way of keeping checkpoints.
absl::Status WriteFileDurably(const std::string& path, const std::string& text);

struct LogSignerOptions {
  std::string data_dir;  // where the last signed checkpoint is kept (and the default key)
  // The Ed25519 key (PKCS#8 PEM); empty: DATA_DIR/checkpoint-signing-key.pem.
  std::string key_path;
  // The checkpoints' origin line, also the key's name in signatures: a name without spaces
  // or '+', such as "region-jh.se/grantledger". Empty: the last signed checkpoint's, or
  // kDefaultOrigin for a log that signed none.
  std::string origin;
  bool create_key = true;  // create the key file (mode 0600) when it does not exist
};

// The key file and the origin `options` stand for (the defaults filled in).
std::string SigningKeyPath(const LogSignerOptions& options);
std::string OriginOf(const LogSignerOptions& options);

struct SignedCheckpoint {
  std::string note;  // the signed note, byte for byte
  uint64_t size = 0;
  std::string root;
};

class LogSigner {
 public:
  // Loads the key (creating it if allowed) and checks the store's tree against the last
  // checkpoint signed: DataLoss, naming both sizes, when the log is shorter or has another
  // root at that size.
  static absl::StatusOr<std::unique_ptr<LogSigner>> Open(const EventStore& store,
                                                         LogSignerOptions options);

  // The signed checkpoint of the tree of `size` leaves (0: the tree's size now). OutOfRange
  // beyond the head; DataLoss when the tree no longer extends the last checkpoint signed.
  absl::StatusOr<SignedCheckpoint> Checkpoint(uint64_t size);

  // NAME+KEYID+base64(0x01 || public key), for auditors to verify with.
  std::string VerifierKey() const { return signer_.VerifierKey(); }
  const std::string& origin() const { return signer_.name(); }

 private:
  LogSigner(const EventStore& store, NoteSigner signer, std::string last_path)
      : store_(store), signer_(std::move(signer)), last_path_(std::move(last_path)) {}
  // The tree must extend `last_`. REQUIRES: mu_ held.
  absl::Status CheckExtendsLast() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const EventStore& store_;
  NoteSigner signer_;
  std::string last_path_;
  absl::Mutex mu_;
  TlogCheckpoint last_ ABSL_GUARDED_BY(mu_);  // size 0: none signed yet
};

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_STORE_LOG_SIGNER_H_
