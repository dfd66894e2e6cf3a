// What tells a watched file changed (modification time, size and inode), for the files the
// server reads again without a restart: the authorization policy and the client CA.
#ifndef GRANTLEDGER_SERVICES_FILE_STAMP_H_
#define GRANTLEDGER_SERVICES_FILE_STAMP_H_

#include <cstdint>
#include <optional>
#include <string>

namespace grantledger {

struct FileStamp {
  int64_t mtime_ns = 0;
  int64_t size = 0;
  uint64_t inode = 0;
  bool operator==(const FileStamp&) const = default;
};

// The file's stamp now; nullopt when it cannot be read (stat fails).
std::optional<FileStamp> StampOfFile(const std::string& path);

}  // namespace grantledger

#endif  // GRANTLEDGER_SERVICES_FILE_STAMP_H_
