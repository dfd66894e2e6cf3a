// See disk_space.h.
#include "ledger/store/disk_space.h"

#include <sys/statvfs.h>

#include "absl/strings/str_cat.h"

namespace grantledger {

std::optional<uint64_t> AvailableDiskBytes(const std::string& path) {
  struct statvfs fs;
  if (::statvfs(path.c_str(), &fs) != 0) return std::nullopt;
  return static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
}

absl::Status CheckDiskReserve(const std::string& path, uint64_t reserve_bytes) {
  if (reserve_bytes == 0) return absl::OkStatus();
  return DiskReserveStatus(path, AvailableDiskBytes(path), reserve_bytes);
}

absl::Status DiskReserveStatus(const std::string& path, std::optional<uint64_t> available_bytes,
                               uint64_t reserve_bytes) {
  if (reserve_bytes == 0) return absl::OkStatus();
  if (!available_bytes.has_value() || *available_bytes >= reserve_bytes) return absl::OkStatus();
  return absl::UnavailableError(absl::StrCat(
      "the disk holding ", path, " is full (", *available_bytes >> 20, " MiB free, below the ",
      reserve_bytes >> 20, " MiB the ledger keeps in reserve)"));
}

}  // namespace grantledger
