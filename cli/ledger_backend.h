// What the commands need from a ledger, whether it is opened directly (`--db DIR`) or reached
// over gRPC (`--server`). Commands print what these return; they hold no domain rules.
#ifndef GRANTLEDGER_CLI_LEDGER_BACKEND_H_
#define GRANTLEDGER_CLI_LEDGER_BACKEND_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "ledger/as_of.h"
#include "ledger/balances.h"
#include "ledger/grant_state.h"
#include "ledger/obligations.h"
#include "ledger/store/store_types.h"
#include "ledger/year_end.h"

namespace grantledger {

class EventStore;

// --as-of and --recorded-as-of as given (cli/as_of_flags.h parses them), before a ledger
// resolves the recorded point.
struct AsOfQuery {
  absl::CivilDay date;                    // effective as-of date
  std::optional<uint64_t> sequence;       // --recorded-as-of SEQ (1 or more)
  std::optional<absl::Time> recorded_at;  // --recorded-as-of DATE or TIME
  std::string recorded_text;              // --recorded-as-of as written, for messages
};

// `obligations`: every grant's obligation by repayment deadline (ledger/year_end.h), at the
// resolved point.
struct ObligationsAnswer {
  AsOf as_of;
  std::vector<Obligation> obligations;
};

// `unused`: the unused list of ledger/year_end.h, at the resolved point.
struct UnusedAnswer {
  AsOf as_of;
  UnusedList unused;
};

// A grant's terms and balances, as of a sequence number.
struct GrantView {
  GrantTerms terms;
  GrantBalance balance;
  uint64_t version = 0;  // the grant's event count
};

class LedgerBackend {
 public:
  virtual ~LedgerBackend() = default;
  virtual absl::StatusOr<AppendResult> Append(std::vector<v1::Event> events, bool dry_run) = 0;
  // Records from `from` on (one grant's, or all when grant_id is empty) until visit says stop.
  virtual absl::Status ReadEvents(uint64_t from, const std::string& grant_id,
                                  const std::function<bool(const v1::RecordedEvent&)>& visit) = 0;
  // The chain over [from, to] (0: the first, the head), and, if given, that the ledger still
  // holds `expect` (verify_request.h); the range is refused alike on both backends.
  virtual absl::StatusOr<VerifyResult> Verify(uint64_t from, uint64_t to,
                                              const std::optional<Digest>& expect) = 0;
  // Appends exported records as they were (only into an empty ledger; see EventStore::Restore).
  virtual absl::StatusOr<Digest> Restore(std::vector<RestoredRecord> records) = 0;
  virtual absl::StatusOr<Digest> Head() = 0;
  // The signed tlog checkpoint of the tree of `tree_size` records (AuditService.GetCheckpoint).
  // Unimplemented where nothing signs checkpoints (a data directory opened directly).
  virtual absl::StatusOr<std::string> Checkpoint(uint64_t /*tree_size*/) {
    return absl::UnimplementedError("this ledger signs no checkpoints");
  }
  // Two clocks: positions as of an effective date and a recorded sequence (0: all recorded).
  virtual absl::StatusOr<GrantPosition> Position(const std::string& grant_id,
                                                 const AsOf& as_of) = 0;
  virtual absl::StatusOr<std::vector<GrantPosition>> Positions(const AsOf& as_of) = 0;
  // The grant's positions on each of `dates`, all as recorded by `sequence`: Position for each
  // (a burn-down's points); a backend over the store reads the grant's stored history once.
  virtual absl::StatusOr<std::vector<GrantPosition>> PositionsOn(
      const std::string& grant_id, const std::vector<absl::CivilDay>& dates, uint64_t sequence) {
    std::vector<GrantPosition> out;
    for (absl::CivilDay date : dates) {
      absl::StatusOr<GrantPosition> p = Position(grant_id, AsOf{date, sequence});
      if (!p.ok()) return p.status();
      out.push_back(*std::move(p));
    }
    return out;
  }
  // The grant's version (event count) as recorded by `sequence` (0: now), as GetGrant says.
  virtual absl::StatusOr<uint64_t> GrantVersion(const std::string& grant_id, uint64_t sequence) = 0;
  // The last sequence recorded at or before `time`.
  virtual absl::StatusOr<uint64_t> SequenceAtRecordedTime(absl::Time time) = 0;
  // The year-end answers, each composed beside the ledger by ledger/year_end.h in one round
  // trip (over gRPC: one GetObligations, one ListUnused call). The point is resolved, and
  // refused, as ResolveAsOf (cli/as_of_flags.h) does.
  virtual absl::StatusOr<ObligationsAnswer> Obligations(const AsOfQuery& query) = 0;
  virtual absl::StatusOr<UnusedAnswer> Unused(const AsOfQuery& query,
                                              const DeadlineRange& range) = 0;
  // Rebuilds the projections from the log and compares them with the kept ones: OK or
  // DataLoss naming the first grant that differs.
  virtual absl::Status Replay() = 0;
};

// Opens the ledger in `path` directly. Read-only unless `writable`; a writable open fails with
// Unavailable while a server holds the directory.
absl::StatusOr<std::unique_ptr<LedgerBackend>> OpenDirectBackend(const std::string& path,
                                                                 bool writable);

// Connects to a grantledgerd at `address` (host:port). Unavailable when none answers.
absl::StatusOr<std::unique_ptr<LedgerBackend>> OpenServerBackend(const std::string& address);

// --db DIR when given (writable only if `writable`), else the server at `server`.
absl::StatusOr<std::unique_ptr<LedgerBackend>> OpenBackend(const std::string& db,
                                                           const std::string& server,
                                                           bool writable);

// The refusals of a recorded point, alike on both backends: a --recorded-as-of sequence
// beyond the head (OutOfRange), a time before the first record (NotFound).
absl::Status RecordedSequenceBeyondHead(uint64_t sequence, uint64_t head);
absl::Status NothingRecordedBy(const std::string& recorded_text);

inline constexpr char kDefaultServer[] = "127.0.0.1:50051";

// Wraps an already open store (the demo's).
std::unique_ptr<LedgerBackend> WrapStore(std::unique_ptr<EventStore> store);

}  // namespace grantledger

#endif  // GRANTLEDGER_CLI_LEDGER_BACKEND_H_
