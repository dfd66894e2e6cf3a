// See disk_space.h.
#include "ledger/store/disk_space.h"

#include <sys/statvfs.h>

#include "absl/strings/str_cat.h"

namespace grantledger {

absl::Status CheckDiskReserve(const std::string& path, uint64_t reserve_bytes) {
  if (reserve_bytes == 0) return absl::OkStatus();
  struct statvfs fs;
  if (::statvfs(path.c_str(), &fs) != 0) return absl::OkStatus();
  const uint64_t available_bytes = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
  if (available_bytes >= reserve_bytes) return absl::OkStatus();
  return absl::UnavailableError(absl::StrCat(
      "the disk holding ", path, " is full (", available_bytes >> 20, " MiB free, below the ",
      reserve_bytes >> 20,
      " MiB the ledger keeps in reserve); nothing of this batch was written; free space and "
      "retry with the same event_ids"));
}

}  // namespace grantledger
