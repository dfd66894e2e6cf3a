// See read_only_backend.h.
#include "services/http/read_only_backend.h"

#include "absl/status/status.h"
#include "cli/as_of_flags.h"
#include "ledger/status_macros.h"
#include "ledger/store/event_store.h"
#include "ledger/store/query_checks.h"
#include "ledger/year_end.h"

namespace grantledger {
namespace {

absl::Status NoWrites() {
  return absl::PermissionDeniedError(
      "the dashboard only reads; post events over gRPC (grantledger post --server)");
}

class ReadOnly final : public LedgerBackend {
 public:
  explicit ReadOnly(const EventStore& store) : store_(store) {}

  absl::StatusOr<AppendResult> Append(std::vector<v1::Event>, bool) override { return NoWrites(); }
  absl::Status ReadEvents(uint64_t from, const std::string& grant_id,
                          const std::function<bool(const v1::RecordedEvent&)>& visit) override {
    if (!grant_id.empty()) {
      if (absl::Status s = CheckGrantRegistered(store_, grant_id); !s.ok()) return s;
    }
    return store_.Scan(from, 0, grant_id, visit);
  }
  absl::StatusOr<VerifyResult> Verify(uint64_t, uint64_t, const std::optional<Digest>&) override {
    return absl::UnimplementedError("verify is the audit service's; use grantledger verify");
  }
  absl::StatusOr<Digest> Restore(std::vector<RestoredRecord>) override { return NoWrites(); }
  absl::StatusOr<Digest> Head() override { return store_.Head(); }
  absl::StatusOr<GrantPosition> Position(const std::string& grant_id, const AsOf& as_of) override {
    return store_.Position(grant_id, as_of);
  }
  absl::StatusOr<std::vector<GrantPosition>> Positions(const AsOf& as_of) override {
    return store_.Positions(as_of);
  }
  absl::StatusOr<std::vector<GrantPosition>> PositionsOn(const std::string& grant_id,
                                                         const std::vector<absl::CivilDay>& dates,
                                                         uint64_t sequence) override {
    return store_.PositionsOn(grant_id, dates, sequence);
  }
  // The year-end answers as the command line's --db composes them (ledger/year_end.h).
  absl::StatusOr<ObligationsAnswer> Obligations(const AsOfQuery& query) override {
    GL_ASSIGN_OR_RETURN(AsOf as_of, ResolveAsOf(query, *this));
    return ObligationsAnswer{as_of, ObligationsByDeadline(store_.Positions(as_of))};
  }
  absl::StatusOr<UnusedAnswer> Unused(const AsOfQuery& query, const DeadlineRange& range) override {
    GL_ASSIGN_OR_RETURN(AsOf as_of, ResolveAsOf(query, *this));
    return UnusedAnswer{as_of, UnusedObligations(ObligationsByDeadline(store_.Positions(as_of)),
                                                 as_of.date, range)};
  }
  absl::StatusOr<uint64_t> GrantVersion(const std::string& grant_id, uint64_t sequence) override {
    return GrantVersionAt(store_, grant_id, sequence);
  }
  absl::StatusOr<uint64_t> SequenceAtRecordedTime(absl::Time time) override {
    return store_.SequenceAtRecordedTime(time);
  }
  absl::Status Replay() override {
    return absl::UnimplementedError("replay is the command line's; use grantledger replay");
  }

 private:
  const EventStore& store_;
};

}  // namespace

std::unique_ptr<LedgerBackend> ReadOnlyBackend(const EventStore& store) {
  return std::make_unique<ReadOnly>(store);
}

}  // namespace grantledger
