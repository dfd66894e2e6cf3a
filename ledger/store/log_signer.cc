// See log_signer.h.
#include "ledger/store/log_signer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "ledger/status_macros.h"
#include "ledger/store/event_store.h"
#include "ledger/store/merkle_store.h"
#include "ledger/tlog/signing_key_file.h"

namespace grantledger {
namespace {

using absl::StrCat;

}  // namespace

absl::Status WriteFileDurably(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::UnavailableError(StrCat("cannot write ", temporary, ": ", std::strerror(errno)));
  }
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                       ::fsync(fd) == 0;
  ::close(fd);
  if (!written || ::rename(temporary.c_str(), path.c_str()) != 0) {
    return absl::UnavailableError(StrCat("cannot write ", path, ": ", std::strerror(errno)));
  }
  const std::string dir = path.substr(0, path.find_last_of('/') + 1);
  const int dir_fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return absl::OkStatus();
}

std::string SigningKeyPath(const LogSignerOptions& options) {
  return options.key_path.empty() ? StrCat(options.data_dir, "/", kSigningKeyFileName)
                                  : options.key_path;
}

std::string OriginOf(const LogSignerOptions& options) {
  if (!options.origin.empty()) return options.origin;
  std::ifstream in(StrCat(options.data_dir, "/", kLastCheckpointFileName), std::ios::binary);
  std::string origin;
  if (in && std::getline(in, origin) && !origin.empty()) return origin;
  return kDefaultOrigin;
}

absl::StatusOr<std::unique_ptr<LogSigner>> LogSigner::Open(const EventStore& store,
                                                           LogSignerOptions options) {
  options.origin = OriginOf(options);
  absl::StatusOr<NoteSigner> signer =
      LoadSigningKey(SigningKeyPath(options), options.origin, options.create_key);
  if (!signer.ok()) {
    if (absl::IsInvalidArgument(signer.status()) &&
        signer.status().message().find("key name") != std::string::npos) {
      return absl::InvalidArgumentError(
          StrCat("--origin \"", options.origin,
                 "\": an origin names the log's key too, so it has no spaces or '+' (say "
                 "\"region-jh.se/grantledger\")"));
    }
    return signer.status();
  }
  std::unique_ptr<LogSigner> out(new LogSigner(
      store, *std::move(signer), StrCat(options.data_dir, "/", kLastCheckpointFileName)));
  std::ifstream in(out->last_path_, std::ios::binary);
  if (in) {
    std::stringstream text;
    text << in.rdbuf();
    absl::StatusOr<SignedNote> note = ParseSignedNote(text.str());
    absl::StatusOr<TlogCheckpoint> last =
        note.ok() ? ParseCheckpointBody(note->body) : absl::StatusOr<TlogCheckpoint>(note.status());
    if (!last.ok()) {
      return absl::DataLossError(StrCat("the last signed checkpoint ", out->last_path_,
                                        " cannot be read (", last.status().message(),
                                        "); it is the log's promise to its auditors: restore it"));
    }
    absl::MutexLock lock(&out->mu_);
    out->last_ = *std::move(last);
    GL_RETURN_IF_ERROR(out->CheckExtendsLast());
  }
  return out;
}

absl::Status LogSigner::CheckExtendsLast() const {
  if (last_.size == 0) return absl::OkStatus();
  const uint64_t size = store_.Tree().size();
  if (size < last_.size) {
    return absl::DataLossError(
        StrCat("the log has ", size, " records, but a checkpoint of ", last_.size, " was signed (",
               last_path_,
               "): records were removed; signing a checkpoint now would contradict the signed one. "
               "Restore the data directory from a backup"));
  }
  GL_ASSIGN_OR_RETURN(std::string root, store_.Tree().Root(last_.size));
  if (root != last_.root) {
    return absl::DataLossError(
        StrCat("the log's Merkle tree at size ", last_.size, " has root ", absl::Base64Escape(root),
               ", but the checkpoint signed at that size (", last_path_, ") has ",
               absl::Base64Escape(last_.root),
               ": the log was rewritten; signing a checkpoint now would contradict the signed one. "
               "Restore the data directory from a backup"));
  }
  return absl::OkStatus();
}

absl::StatusOr<SignedCheckpoint> LogSigner::Checkpoint(uint64_t size) {
  const uint64_t tree_size = store_.Tree().size();
  if (size == 0) size = tree_size;
  GL_ASSIGN_OR_RETURN(std::string root, store_.Tree().Root(size));
  absl::MutexLock lock(&mu_);
  GL_RETURN_IF_ERROR(CheckExtendsLast());
  TlogCheckpoint checkpoint{signer_.name(), size, root};
  GL_ASSIGN_OR_RETURN(std::string note, signer_.Sign(CheckpointBody(checkpoint)));
  if (size > last_.size) {
    // Kept before anyone sees it: a later start checks the log against it.
    GL_RETURN_IF_ERROR(WriteFileDurably(last_path_, note));
    last_ = checkpoint;
  }
  return SignedCheckpoint{std::move(note), size, std::move(root)};
}

}  // namespace grantledger
