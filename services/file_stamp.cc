#include "services/file_stamp.h"

#include <sys/stat.h>

namespace grantledger {

std::optional<FileStamp> StampOfFile(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return std::nullopt;
  FileStamp out;
  out.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  out.size = st.st_size;
  out.inode = st.st_ino;
  return out;
}

}  // namespace grantledger
