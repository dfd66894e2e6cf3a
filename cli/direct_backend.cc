// The direct backend: the commands' view of a ledger opened from its data directory.
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "cli/as_of_flags.h"
#include "cli/ledger_backend.h"
#include "cli/progress.h"
#include "ledger/status_macros.h"
#include "ledger/store/event_store.h"
#include "ledger/store/query_checks.h"
#include "ledger/store/verify_request.h"
#include "ledger/year_end.h"

namespace grantledger {
namespace {

class DirectBackend : public LedgerBackend {
 public:
  explicit DirectBackend(std::unique_ptr<EventStore> store) : store_(std::move(store)) {}

  absl::StatusOr<AppendResult> Append(std::vector<v1::Event> events, bool dry_run) override {
    AppendOptions options;
    options.dry_run = dry_run;
    return store_->Append(std::move(events), options);
  }

  absl::Status ReadEvents(uint64_t from, const std::string& grant_id,
                          const std::function<bool(const v1::RecordedEvent&)>& visit) override {
    if (!grant_id.empty()) GL_RETURN_IF_ERROR(CheckGrantRegistered(*store_, grant_id));
    return store_->Scan(from, 0, grant_id, visit);
  }

  absl::StatusOr<VerifyResult> Verify(uint64_t from, uint64_t to,
                                      const std::optional<Digest>& expect) override {
    Progress progress("records verified", store_->Head().sequence);
    GL_ASSIGN_OR_RETURN(VerifyResult result,
                        store_->Verify(from, to, [&](uint64_t n) { progress.Update(n); }));
    if (expect.has_value()) ApplyExpectedDigest(CheckExpectedDigest(*store_, *expect), result);
    if (result.ok && from <= 1 && to == 0) {
      // The whole log is intact: then everything derived from it must equal a rebuild.
      Progress derived_progress("records re-derived", store_->Head().sequence);
      GL_ASSIGN_OR_RETURN(VerifyResult derived,
                          store_->VerifyDerived([&](uint64_t n) { derived_progress.Update(n); }));
      if (!derived.ok) {
        result.ok = false;
        result.first_bad_sequence = derived.first_bad_sequence;
        result.problem = absl::StrCat(
            "the log is intact, but an index derived from it is not: ", derived.problem,
            "; rebuild the indexes from the log with `grantledger reindex --db`");
      }
    }
    return result;
  }

  absl::StatusOr<Digest> Head() override { return store_->Head(); }

  absl::StatusOr<Digest> Restore(std::vector<RestoredRecord> records) override {
    return store_->Restore(std::move(records));
  }

  absl::StatusOr<GrantPosition> Position(const std::string& grant_id, const AsOf& as_of) override {
    return store_->Position(grant_id, as_of);
  }
  absl::StatusOr<std::vector<GrantPosition>> Positions(const AsOf& as_of) override {
    return store_->Positions(as_of);
  }
  absl::StatusOr<std::vector<GrantPosition>> PositionsOn(const std::string& grant_id,
                                                         const std::vector<absl::CivilDay>& dates,
                                                         uint64_t sequence) override {
    return store_->PositionsOn(grant_id, dates, sequence);
  }
  absl::StatusOr<ObligationsAnswer> Obligations(const AsOfQuery& query) override {
    GL_ASSIGN_OR_RETURN(AsOf as_of, ResolveAsOf(query, *this));
    return ObligationsAnswer{as_of, ObligationsByDeadline(store_->Positions(as_of))};
  }
  absl::StatusOr<UnusedAnswer> Unused(const AsOfQuery& query, const DeadlineRange& range) override {
    GL_ASSIGN_OR_RETURN(AsOf as_of, ResolveAsOf(query, *this));
    return UnusedAnswer{as_of, UnusedObligations(ObligationsByDeadline(store_->Positions(as_of)),
                                                 as_of.date, range)};
  }
  absl::StatusOr<uint64_t> GrantVersion(const std::string& grant_id, uint64_t sequence) override {
    return GrantVersionAt(*store_, grant_id, sequence);
  }
  absl::StatusOr<uint64_t> SequenceAtRecordedTime(absl::Time time) override {
    return store_->SequenceAtRecordedTime(time);
  }

  absl::Status Replay() override {
    const LedgerState kept = store_->State();
    Progress progress("records replayed", kept.sequence);
    GL_ASSIGN_OR_RETURN(LedgerState rebuilt,
                        store_->Replay(kept.sequence, [&](uint64_t n) { progress.Update(n); }));
    if (rebuilt == kept) {
      GL_ASSIGN_OR_RETURN(VerifyResult derived, store_->VerifyDerived());
      if (derived.ok) return absl::OkStatus();
      return absl::DataLossError(absl::StrCat(
          "the projections equal a rebuild from the log, but an index derived from it does not: ",
          derived.problem, "; rebuild the indexes with `grantledger reindex --db`"));
    }
    for (const auto& [id, grant] : kept.grants) {
      auto it = rebuilt.grants.find(id);
      if (it == rebuilt.grants.end() || !(it->second == grant)) {
        return absl::DataLossError(absl::StrCat(
            "the projection of grant ", id,
            " differs from a rebuild from the log; the checkpoint is damaged: stop the server, "
            "delete nothing, and report it"));
      }
    }
    return absl::DataLossError("the projections differ from a rebuild from the log");
  }

 private:
  std::unique_ptr<EventStore> store_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<LedgerBackend>> OpenDirectBackend(const std::string& path,
                                                                 bool writable) {
  if (!writable && !std::filesystem::exists(path)) {
    return absl::NotFoundError(absl::StrCat("--db ", path,
                                            ": no such directory; give the data "
                                            "directory of a grantledger ledger"));
  }
  EventStoreOptions options;
  options.path = path;
  options.read_only = !writable;
  GL_ASSIGN_OR_RETURN(std::unique_ptr<EventStore> store, EventStore::Open(options));
  return WrapStore(std::move(store));
}

absl::StatusOr<std::unique_ptr<LedgerBackend>> OpenBackend(const std::string& db,
                                                           const std::string& server,
                                                           bool writable) {
  if (!db.empty()) return OpenDirectBackend(db, writable);
  return OpenServerBackend(server.empty() ? kDefaultServer : server);
}

std::unique_ptr<LedgerBackend> WrapStore(std::unique_ptr<EventStore> store) {
  return std::make_unique<DirectBackend>(std::move(store));
}

#ifndef GRANTLEDGER_WITH_SERVER
// Built without the gRPC services (GRANTLEDGER_BUILD_SERVICES=OFF): no server mode.
absl::StatusOr<std::unique_ptr<LedgerBackend>> OpenServerBackend(const std::string& address) {
  return absl::UnavailableError(
      absl::StrCat("this build has no server mode (", address, "); give --db DIR"));
}
#endif

}  // namespace grantledger
