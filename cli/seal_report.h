// How the command line reads and shows sealed years: a grant's seals and its post-close
// corrections (events recorded after a seal of a period they are dated in), the sealed account
// as `seal` printed it, and the block that flags corrections in `account`. Swedish, like the
// account's own heading.
#ifndef GRANTLEDGER_CLI_SEAL_REPORT_H_
#define GRANTLEDGER_CLI_SEAL_REPORT_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cli/ledger_backend.h"
#include "grantledger/v1/events.pb.h"
#include "ledger/seal.h"

namespace grantledger {

struct RecordedSeal {
  uint64_t sequence = 0;
  v1::Event event;  // has_seal()
};

// An event recorded after a seal of a period it is dated in.
struct PostCloseCorrection {
  uint64_t sequence = 0;
  v1::Event event;
  SealRef seal;
};

// A grant's seals and post-close corrections, read from its events in the log.
struct GrantSeals {
  std::vector<RecordedSeal> seals;
  std::vector<PostCloseCorrection> corrections;
  // The seal of `year`, or the latest seal when `year` is nullopt; nullptr if none.
  const RecordedSeal* Find(std::optional<int32_t> year) const;
};
absl::StatusOr<GrantSeals> ReadGrantSeals(LedgerBackend& backend, const std::string& grant_id);

// The sealed account of `seal` recomputed from the log as of the record before it.
absl::StatusOr<SealedAccount> RecomputeSealedAccount(LedgerBackend& backend, const v1::Event& seal);

// What `seal` prints and `account --as-sealed` reproduces byte for byte: the account table,
// then a block naming the seal (year, period, sequences, digest, checkpoint).
void PrintSealedAccount(const FinancialAccount& account, const v1::Event& seal,
                        uint64_t seal_sequence, std::ostream& out);

// The corrections that count in an account per `through` as recorded up to `up_to_sequence`
// (0: all) and came after record `after_sequence` (0: any).
std::vector<PostCloseCorrection> CorrectionsIn(const GrantSeals& seals, absl::CivilDay through,
                                               uint64_t after_sequence, uint64_t up_to_sequence);

// A block listing `corrections`, each flagged "registrerad efter låsningen" with its seal and
// reason; nothing when there are none.
void PrintCorrections(const std::vector<PostCloseCorrection>& corrections, std::ostream& out);

}  // namespace grantledger

#endif  // GRANTLEDGER_CLI_SEAL_REPORT_H_
