// The free-space reserve of the disk a ledger lives on. RocksDB does not survive a WAL write
// that runs out of space (Debian's build aborts on an assertion at the next write), so the
// store refuses appends before the disk is that full, and takes them again once space is
// freed: nothing is written, nothing acknowledged is at risk.
#ifndef GRANTLEDGER_LEDGER_STORE_DISK_SPACE_H_
#define GRANTLEDGER_LEDGER_STORE_DISK_SPACE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"

namespace grantledger {

// The bytes available (to this user) on the filesystem holding `path`; nullopt when statvfs
// fails.
std::optional<uint64_t> AvailableDiskBytes(const std::string& path);

// OK while the filesystem holding `path` has at least `reserve_bytes` available (to this
// user); Unavailable naming the directory, what is free and the reserve otherwise ("the disk
// holding P is full (N MiB free, below the R MiB the ledger keeps in reserve)"; callers add
// what it means for them). A failing statvfs is OK (the write itself will then say what is
// wrong).
absl::Status CheckDiskReserve(const std::string& path, uint64_t reserve_bytes);
// The same, for an `available_bytes` already read (nullopt: statvfs failed).
absl::Status DiskReserveStatus(const std::string& path, std::optional<uint64_t> available_bytes,
                               uint64_t reserve_bytes);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_STORE_DISK_SPACE_H_
