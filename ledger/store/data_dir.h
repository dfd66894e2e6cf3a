// The data directory's own hygiene, checked before RocksDB opens it: it is created private
// (0700, and RocksDB's files 0600 through PrivateFilesEnv), an existing one more open than that
// is reported, and a disk too full to open a ledger on is refused with a message instead of
// letting RocksDB fail (Debian's RocksDB aborts on an assertion) half way through writing its
// files.
#ifndef GRANTLEDGER_LEDGER_STORE_DATA_DIR_H_
#define GRANTLEDGER_LEDGER_STORE_DATA_DIR_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace grantledger {

// Free space a writable open needs besides twice the write-ahead logs' size: RocksDB writes a
// new MANIFEST, OPTIONS file (about 20 KiB) and info log, and flushes the memtable it recovers
// from the old log into a table file.
inline constexpr uint64_t kMinFreeBytesToOpen = 1 << 20;

// Creates `path` with mode 0700 when `create` and it is missing (its parents with the usual
// mode). Calls `warn` when the directory or a file in it is readable or writable by others.
absl::Status PrepareDataDirectory(const std::string& path, bool create,
                                  const std::function<void(absl::string_view)>& warn);

// The free space a writable open of `path` needs: kMinFreeBytesToOpen plus twice the size of
// its write-ahead logs (*.log).
uint64_t FreeBytesNeededToOpen(const std::string& path);

// Unavailable, naming the directory and the free space, when the file system holding `path`
// (or, for a directory still to be created, its nearest existing parent) has less than
// `min_free_bytes` free.
absl::Status CheckFreeSpace(const std::string& path, uint64_t min_free_bytes);

// RocksDB's default Env, except that every file it creates is made 0600 (RocksDB creates its
// files 0644 less the umask). Lives as long as the process.
rocksdb::Env* PrivateFilesEnv();

// Whether a RocksDB status text says the disk is full (ENOSPC).
bool SaysDiskFull(absl::string_view rocksdb_status);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_STORE_DATA_DIR_H_
