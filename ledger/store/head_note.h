// The head note: a small file beside RocksDB's files in the data directory that holds the last
// acknowledged head (sequence and hash), kept outside RocksDB so that an open which recovers
// less than was acknowledged (a damaged write-ahead log that RocksDB cut short, a cut tail) is
// refused instead of silently continuing a shorter log.
//
// The file has two 64-byte slots, 512 bytes apart; each is "GLHEAD01", the sequence (8 bytes,
// little-endian), the hash (32 bytes) and the first 16 bytes of SHA-256 of those 48 bytes.
// Updates overwrite the slot not holding the newest head, then fdatasync: a torn update leaves
// the other slot, an older head, which never claims more than the log holds. The file is
// created whole (temp file, fsync, rename, fsync of the directory).
#ifndef GRANTLEDGER_LEDGER_STORE_HEAD_NOTE_H_
#define GRANTLEDGER_LEDGER_STORE_HEAD_NOTE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "ledger/store/store_types.h"

namespace grantledger {

inline constexpr char kHeadNoteFileName[] = "GRANTLEDGER-HEAD";

// One slot's bytes for `head`, and the head a slot's bytes hold (nullopt: damaged or empty).
std::string EncodeHeadNoteSlot(const Digest& head);
std::optional<Digest> DecodeHeadNoteSlot(absl::string_view slot);

class HeadNote {
 public:
  // The note in data directory `dir`: nullopt when there is no note file; DataLoss when the
  // file exists but no slot holds a valid head.
  static absl::StatusOr<std::optional<Digest>> Read(const std::string& dir);

  // Opens the note in `dir` for updates, creating it with `head` when it is missing.
  static absl::StatusOr<std::unique_ptr<HeadNote>> OpenForUpdates(const std::string& dir,
                                                                  const Digest& head);
  ~HeadNote();
  HeadNote(const HeadNote&) = delete;
  HeadNote& operator=(const HeadNote&) = delete;

  // Records `head` durably (one slot write and fdatasync), unless the note already holds its
  // sequence or a later one. REQUIRES: `head` is durable in the log already. Thread-safe.
  absl::Status Update(const Digest& head);
  // The sequence the note holds.
  uint64_t sequence() const;

 private:
  HeadNote(std::string path, int fd, int next_slot, uint64_t sequence);
  const std::string path_;
  const int fd_ = -1;
  mutable absl::Mutex mu_;
  int next_slot_ ABSL_GUARDED_BY(mu_) = 0;  // the slot the next update overwrites
  uint64_t sequence_ ABSL_GUARDED_BY(mu_) = 0;
};

// Compares the head recovered on open with the note: DataLoss when the log ends before the
// noted sequence ("records A..B were acknowledged but not recovered") or the record at the
// noted sequence has another hash. `hash_at` gives the stored hash of a record at or below the
// recovered head.
absl::Status CheckRecoveredHead(
    const std::string& dir, const Digest& noted, const Digest& recovered,
    const std::function<absl::StatusOr<std::string>(uint64_t)>& hash_at);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_STORE_HEAD_NOTE_H_
