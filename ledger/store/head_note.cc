// The head note; see head_note.h.
#include "ledger/store/head_note.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/base/internal/endian.h"
#include "absl/strings/str_cat.h"
#include "ledger/store/log_format.h"

namespace grantledger {
namespace {

using absl::StrCat;

constexpr char kMagic[] = "GLHEAD01";
constexpr size_t kMagicBytes = 8;
constexpr size_t kCheckedBytes = kMagicBytes + 8 + kHashBytes;  // 48
constexpr size_t kCheckBytes = 16;
constexpr size_t kSlotBytes = kCheckedBytes + kCheckBytes;  // 64
constexpr off_t kSlotStride = 512;                          // slots in different sectors
constexpr size_t kFileBytes = 2 * kSlotStride;

std::string NotePath(const std::string& dir) { return StrCat(dir, "/", kHeadNoteFileName); }

absl::Status Errno(absl::string_view what, const std::string& path) {
  const int error = errno;
  std::string message = StrCat(what, " ", path, ": ", std::strerror(error));
  if (error == ENOSPC || error == EDQUOT) {
    return absl::UnavailableError(StrCat(message, "; the disk is full: free space and retry"));
  }
  return absl::UnavailableError(message);
}

absl::Status WriteAll(int fd, absl::string_view bytes, off_t offset, const std::string& path) {
  while (!bytes.empty()) {
    const ssize_t n = ::pwrite(fd, bytes.data(), bytes.size(), offset);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("writing the head note", path);
    }
    bytes.remove_prefix(static_cast<size_t>(n));
    offset += n;
  }
  return absl::OkStatus();
}

absl::Status SyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("opening the data directory", dir);
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Errno("syncing the data directory", dir);
  return absl::OkStatus();
}

// Creates the note file whole with `head` in slot 0: temp file, fsync, rename, fsync dir.
absl::Status CreateNote(const std::string& dir, const Digest& head) {
  const std::string path = NotePath(dir);
  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("creating the head note", temp);
  std::string bytes(kFileBytes, '\0');
  const std::string slot = EncodeHeadNoteSlot(head);
  std::memcpy(bytes.data(), slot.data(), slot.size());
  absl::Status written = WriteAll(fd, bytes, 0, temp);
  if (written.ok() && ::fsync(fd) != 0) written = Errno("syncing the head note", temp);
  ::close(fd);
  if (written.ok() && ::rename(temp.c_str(), path.c_str()) != 0) {
    written = Errno("renaming the head note to", path);
  }
  if (!written.ok()) {
    ::unlink(temp.c_str());
    return written;
  }
  return SyncDirectory(dir);
}

}  // namespace

std::string EncodeHeadNoteSlot(const Digest& head) {
  std::string slot(kSlotBytes, '\0');
  std::memcpy(slot.data(), kMagic, kMagicBytes);
  absl::little_endian::Store64(slot.data() + kMagicBytes, head.sequence);
  std::memcpy(slot.data() + kMagicBytes + 8, head.head_hash.data(),
              std::min(head.head_hash.size(), kHashBytes));
  const std::string check = ChainHash("", absl::string_view(slot.data(), kCheckedBytes));
  std::memcpy(slot.data() + kCheckedBytes, check.data(), kCheckBytes);
  return slot;
}

std::optional<Digest> DecodeHeadNoteSlot(absl::string_view slot) {
  if (slot.size() < kSlotBytes || slot.substr(0, kMagicBytes) != kMagic) return std::nullopt;
  const std::string check = ChainHash("", slot.substr(0, kCheckedBytes));
  if (slot.substr(kCheckedBytes, kCheckBytes) != absl::string_view(check.data(), kCheckBytes)) {
    return std::nullopt;
  }
  Digest head;
  head.sequence = absl::little_endian::Load64(slot.data() + kMagicBytes);
  head.head_hash = std::string(slot.substr(kMagicBytes + 8, kHashBytes));
  return head;
}

namespace {

// Both slots of the note at `path` (either nullopt when damaged); NotFound without a file.
absl::StatusOr<std::pair<std::optional<Digest>, std::optional<Digest>>> ReadSlots(
    const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return absl::NotFoundError(StrCat("no head note at ", path));
    return Errno("opening the head note", path);
  }
  std::string bytes(kFileBytes, '\0');
  size_t got = 0;
  while (got < bytes.size()) {
    const ssize_t n = ::pread(fd, bytes.data() + got, bytes.size() - got, got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  bytes.resize(got);
  absl::string_view view(bytes);
  return std::make_pair(DecodeHeadNoteSlot(view.substr(0, kSlotBytes)),
                        DecodeHeadNoteSlot(view.size() > static_cast<size_t>(kSlotStride)
                                               ? view.substr(kSlotStride, kSlotBytes)
                                               : absl::string_view()));
}

}  // namespace

absl::StatusOr<std::optional<Digest>> HeadNote::Read(const std::string& dir) {
  const std::string path = NotePath(dir);
  auto slots = ReadSlots(path);
  if (absl::IsNotFound(slots.status())) return std::optional<Digest>();
  if (!slots.ok()) return slots.status();
  const auto& [first, second] = *slots;
  if (!first.has_value() && !second.has_value()) {
    return absl::DataLossError(
        StrCat("the head note ", path,
               " is damaged (neither copy of the acknowledged head checks out), so a lost tail of "
               "the log could not be detected; restore the data directory from a backup, or, "
               "to accept the log as it is, move the note away and open the ledger again"));
  }
  if (!second.has_value()) return first;
  if (!first.has_value()) return second;
  return first->sequence >= second->sequence ? first : second;
}

absl::StatusOr<std::unique_ptr<HeadNote>> HeadNote::OpenForUpdates(const std::string& dir,
                                                                   const Digest& head) {
  const std::string path = NotePath(dir);
  auto slots = ReadSlots(path);
  int next_slot = 1;
  uint64_t noted = head.sequence;
  if (absl::IsNotFound(slots.status())) {
    if (absl::Status created = CreateNote(dir, head); !created.ok()) return created;
  } else if (!slots.ok()) {
    return slots.status();
  } else {
    // Overwrite the older (or damaged) slot first.
    const auto& [first, second] = *slots;
    const bool first_newer =
        first.has_value() && (!second.has_value() || first->sequence >= second->sequence);
    next_slot = first_newer ? 1 : 0;
    noted = first_newer ? first->sequence : second.has_value() ? second->sequence : 0;
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return Errno("opening the head note", path);
  std::unique_ptr<HeadNote> note(new HeadNote(path, fd, next_slot, noted));
  if (absl::Status updated = note->Update(head); !updated.ok()) return updated;
  return note;
}

HeadNote::HeadNote(std::string path, int fd, int next_slot, uint64_t sequence)
    : path_(std::move(path)), fd_(fd), next_slot_(next_slot), sequence_(sequence) {}

HeadNote::~HeadNote() {
  if (fd_ >= 0) ::close(fd_);
}

uint64_t HeadNote::sequence() const {
  absl::MutexLock lock(&mu_);
  return sequence_;
}

absl::Status HeadNote::Update(const Digest& head) {
  absl::MutexLock lock(&mu_);
  if (head.sequence <= sequence_) return absl::OkStatus();
  if (absl::Status written =
          WriteAll(fd_, EncodeHeadNoteSlot(head), next_slot_ * kSlotStride, path_);
      !written.ok()) {
    return written;
  }
  if (::fdatasync(fd_) != 0) return Errno("syncing the head note", path_);
  next_slot_ ^= 1;
  sequence_ = head.sequence;
  return absl::OkStatus();
}

absl::Status CheckRecoveredHead(
    const std::string& dir, const Digest& noted, const Digest& recovered,
    const std::function<absl::StatusOr<std::string>(uint64_t)>& hash_at) {
  const std::string path = NotePath(dir);
  if (recovered.sequence < noted.sequence) {
    const uint64_t first_missing = recovered.sequence + 1;
    const std::string range =
        first_missing == noted.sequence
            ? StrCat("record ", noted.sequence, " was")
            : StrCat("records ", first_missing, "..", noted.sequence, " were");
    return absl::DataLossError(
        StrCat(range, " acknowledged but not recovered: the log at ", dir, " ends at sequence ",
               recovered.sequence, ", but the head note ", path, " says ", noted.sequence, " ",
               HexOf(noted.head_hash),
               " (a damaged write-ahead log, or a cut tail); nothing was changed: restore the data "
               "directory from a backup, or restore the ledger from an export that reaches ",
               noted.sequence));
  }
  std::string stored;
  if (recovered.sequence == noted.sequence) {
    stored = recovered.head_hash;
  } else {
    absl::StatusOr<std::string> hash = hash_at(noted.sequence);
    if (!hash.ok()) {
      return absl::DataLossError(StrCat("record ", noted.sequence, ", the head in the head note ",
                                        path, ", cannot be read: ", hash.status().message()));
    }
    stored = *std::move(hash);
  }
  if (stored != noted.head_hash) {
    return absl::DataLossError(StrCat(
        "record ", noted.sequence, " has hash ", HexOf(stored), ", but the head note ", path,
        " says ", HexOf(noted.head_hash),
        ": the log was rewritten; run `grantledger verify` to find the first changed record, "
        "and restore the data directory from a backup"));
  }
  return absl::OkStatus();
}

}  // namespace grantledger
