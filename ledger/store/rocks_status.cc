// RocksDB statuses as absl::Status; see rocks_status.h.
#include "ledger/store/rocks_status.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace grantledger {

using absl::StrCat;

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  std::string message = StrCat(what, ": ", s.ToString());
  if (s.IsIOError() && absl::StrContains(s.ToString(), "lock")) {
    return absl::UnavailableError(
        StrCat(what,
               ": the data directory is in use by another process (a running grantledgerd?); "
               "stop it, or talk to it over gRPC (",
               s.ToString(), ")"));
  }
  if (s.IsNotFound()) return absl::NotFoundError(message);
  if (s.IsCorruption()) return absl::DataLossError(message);
  if (s.IsInvalidArgument()) return absl::FailedPreconditionError(message);
  return absl::UnavailableError(message);
}

}  // namespace grantledger
