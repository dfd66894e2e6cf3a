// The free-space reserve of the disk a ledger lives on. RocksDB does not survive a WAL write
// that runs out of space (Debian's build aborts on an assertion at the next write), so the
// store refuses appends before the disk is that full, and takes them again once space is
// freed: nothing is written, nothing acknowledged is at risk.
#ifndef GRANTLEDGER_LEDGER_STORE_DISK_SPACE_H_
#define GRANTLEDGER_LEDGER_STORE_DISK_SPACE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"

namespace grantledger {

// OK while the filesystem holding `path` has at least `reserve_bytes` available (to this
// user); Unavailable naming the directory, what is free and the reserve otherwise. A failing
// statvfs is OK (the write itself will then say what is wrong).
absl::Status CheckDiskReserve(const std::string& path, uint64_t reserve_bytes);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_STORE_DISK_SPACE_H_
