// The data directory's hygiene; see data_dir.h.
#include "ledger/store/data_dir.h"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"

namespace grantledger {

using absl::StrCat;

namespace {

// Makes each file RocksDB creates readable and writable by its owner only, right after it is
// created (before anything is written to it).
class PrivateFileSystem : public rocksdb::FileSystemWrapper {
 public:
  explicit PrivateFileSystem(const std::shared_ptr<rocksdb::FileSystem>& target)
      : FileSystemWrapper(target) {}
  const char* Name() const override { return "GrantledgerPrivateFiles"; }

  rocksdb::IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    rocksdb::IODebugContext* d) override {
    return Private(f, target()->NewWritableFile(f, o, r, d));
  }
  rocksdb::IOStatus ReopenWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                       std::unique_ptr<rocksdb::FSWritableFile>* r,
                                       rocksdb::IODebugContext* d) override {
    return Private(f, target()->ReopenWritableFile(f, o, r, d));
  }
  rocksdb::IOStatus ReuseWritableFile(const std::string& f, const std::string& old,
                                      const rocksdb::FileOptions& o,
                                      std::unique_ptr<rocksdb::FSWritableFile>* r,
                                      rocksdb::IODebugContext* d) override {
    return Private(f, target()->ReuseWritableFile(f, old, o, r, d));
  }
  rocksdb::IOStatus NewRandomRWFile(const std::string& f, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSRandomRWFile>* r,
                                    rocksdb::IODebugContext* d) override {
    return Private(f, target()->NewRandomRWFile(f, o, r, d));
  }
  rocksdb::IOStatus LockFile(const std::string& f, const rocksdb::IOOptions& o,
                             rocksdb::FileLock** l, rocksdb::IODebugContext* d) override {
    return Private(f, target()->LockFile(f, o, l, d));
  }
  rocksdb::IOStatus NewLogger(const std::string& f, const rocksdb::IOOptions& o,
                              std::shared_ptr<rocksdb::Logger>* r,
                              rocksdb::IODebugContext* d) override {
    return Private(f, target()->NewLogger(f, o, r, d));
  }

 private:
  static rocksdb::IOStatus Private(const std::string& file, rocksdb::IOStatus created) {
    if (created.ok()) (void)::chmod(file.c_str(), 0600);
    return created;
  }
};

// The nearest existing directory at or above `path`.
std::string ExistingAncestor(const std::string& path) {
  std::filesystem::path p(path);
  std::error_code error;
  while (!p.empty() && !std::filesystem::exists(p, error)) {
    if (!p.has_parent_path() || p.parent_path() == p) return ".";
    p = p.parent_path();
  }
  return p.empty() ? "." : p.string();
}

}  // namespace

rocksdb::Env* PrivateFilesEnv() {
  static rocksdb::Env* const env =
      rocksdb::NewCompositeEnv(std::make_shared<PrivateFileSystem>(rocksdb::FileSystem::Default()))
          .release();
  return env;
}

absl::Status PrepareDataDirectory(const std::string& path, bool create,
                                  const std::function<void(absl::string_view)>& warn) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT || !create) return absl::OkStatus();  // RocksDB reports it
    std::error_code error;
    const std::filesystem::path dir(path);
    if (dir.has_parent_path()) std::filesystem::create_directories(dir.parent_path(), error);
    if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
      const int mkdir_errno = errno;
      std::string message =
          StrCat("creating the data directory ", path, ": ", std::strerror(mkdir_errno));
      if (mkdir_errno == ENOSPC) {
        return absl::UnavailableError(StrCat(message, "; the disk is full: free space and retry"));
      }
      return absl::UnavailableError(message);
    }
    return absl::OkStatus();
  }
  if (!S_ISDIR(st.st_mode)) return absl::OkStatus();  // RocksDB reports it
  if (warn == nullptr) return absl::OkStatus();
  if ((st.st_mode & 077) != 0) {
    warn(absl::StrFormat(
        "the data directory %s has mode %04o: others can read the ledger; make it private with "
        "`chmod -R go= %s`",
        path, st.st_mode & 07777, path));
    return absl::OkStatus();
  }
  int open_files = 0;
  std::string example;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(path, error)) {
    struct stat file;
    if (::stat(entry.path().c_str(), &file) != 0 || (file.st_mode & 077) == 0) continue;
    if (open_files++ == 0) example = entry.path().filename().string();
  }
  if (open_files > 0) {
    warn(absl::StrFormat(
        "%d files in the data directory %s (%s, ...) can be read by others, though the "
        "directory itself is private; make them private with `chmod -R go= %s`",
        open_files, path, example, path));
  }
  return absl::OkStatus();
}

uint64_t FreeBytesNeededToOpen(const std::string& path) {
  uint64_t wal_bytes = 0;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(path, error)) {
    std::error_code size_error;
    if (entry.path().extension() == ".log") wal_bytes += entry.file_size(size_error);
  }
  return kMinFreeBytesToOpen + 2 * wal_bytes;
}

absl::Status CheckFreeSpace(const std::string& path, uint64_t min_free_bytes) {
  struct statvfs fs;
  if (::statvfs(ExistingAncestor(path).c_str(), &fs) != 0) return absl::OkStatus();
  const uint64_t free_bytes = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
  if (free_bytes >= min_free_bytes) return absl::OkStatus();
  return absl::UnavailableError(absl::StrFormat(
      "the disk holding the data directory %s is full (%d KiB free; opening the ledger needs "
      "at least %d KiB for RocksDB's new metadata and the flush of its write-ahead log); free "
      "space there and retry",
      path, free_bytes >> 10, min_free_bytes >> 10));
}

bool SaysDiskFull(absl::string_view rocksdb_status) {
  return absl::StrContains(rocksdb_status, "No space left on device") ||
         absl::StrContains(rocksdb_status, "ENOSPC");
}

}  // namespace grantledger
