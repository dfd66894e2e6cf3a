// The two-clock flags every query command takes: --as-of DATE (effective, default today) and
// --recorded-as-of TIME|SEQ (what the ledger knew then: a sequence number, a date meaning the
// end of that day in Swedish time, or an RFC 3339 time), resolved against a backend.
#ifndef GRANTLEDGER_CLI_AS_OF_FLAGS_H_
#define GRANTLEDGER_CLI_AS_OF_FLAGS_H_

#include <CLI/CLI.hpp>
#include <string>

#include "absl/status/statusor.h"
#include "cli/ledger_backend.h"
#include "ledger/as_of.h"

namespace grantledger {

struct AsOfFlags {
  std::string as_of;           // YYYY-MM-DD; empty: today in Sweden
  std::string recorded_as_of;  // SEQ, YYYY-MM-DD or RFC 3339; empty: everything recorded
  void AddTo(CLI::App* command);
};

// Parses the flags without asking a ledger. InvalidArgument names the flag.
absl::StatusOr<AsOfQuery> ParseAsOfFlags(const AsOfFlags& flags);

// Resolves the recorded point against `backend`: a sequence must be at most the head, a time
// maps to the last sequence recorded by then (NotFound when there is none).
absl::StatusOr<AsOf> ResolveAsOf(const AsOfQuery& query, LedgerBackend& backend);

// Both: parses the flags and maps a recorded time to a sequence.
absl::StatusOr<AsOf> ResolveAsOf(const AsOfFlags& flags, LedgerBackend& backend);

// Today's date in Sweden (Europe/Stockholm; the name is kept for the callers).
absl::CivilDay TodayUtc();

}  // namespace grantledger

#endif  // GRANTLEDGER_CLI_AS_OF_FLAGS_H_
