// See query_service.h.
#include "services/query_service.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ledger/balances.h"
#include "ledger/civil_date.h"
#include "ledger/status_macros.h"
#include "ledger/store/event_store.h"
#include "services/codec.h"
#include "services/recorded_point.h"

namespace grantledger {
namespace {

// Grants as they stood at one point of the log.
struct GrantsAt {
  uint64_t sequence = 0;
  std::vector<GrantState> grants;
};

absl::Status NotRegistered(const std::string& grant_id, std::optional<uint64_t> point) {
  if (point.has_value()) {
    return absl::NotFoundError(
        absl::StrCat("grant_id: grant ", grant_id, " was not registered by sequence ", *point));
  }
  return absl::NotFoundError(
      absl::StrCat("grant_id: grant ", grant_id, " is not registered; ListGrants lists them"));
}

// One grant now, consistent with the head reported beside it.
absl::StatusOr<GrantsAt> OneGrantNow(const EventStore& store, const std::string& grant_id) {
  constexpr int kAttempts = 4;
  uint64_t head = 0;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    head = store.Head().sequence;
    std::optional<GrantState> grant = store.Grant(grant_id);
    // Grants never disappear: absent now means absent at `head`.
    if (!grant.has_value()) return NotRegistered(grant_id, std::nullopt);
    // No event of the grant after `head` yet: this is the grant as of `head`.
    if (grant->last_sequence <= head) return GrantsAt{head, {std::move(*grant)}};
  }
  // The grant is being appended to as we read: rebuild it at a fixed point.
  GL_ASSIGN_OR_RETURN(GrantState grant, store.GrantAtSequence(grant_id, head));
  return GrantsAt{head, {std::move(grant)}};
}

// The named grants (all of them when `grant_ids` is empty) at `point` (nullopt: now).
absl::StatusOr<GrantsAt> GrantsAtPoint(const EventStore& store,
                                       const std::vector<std::string>& grant_ids,
                                       std::optional<uint64_t> point) {
  GrantsAt out;
  if (!point.has_value()) {
    if (grant_ids.size() == 1) return OneGrantNow(store, grant_ids[0]);
    LedgerState state = store.State();
    out.sequence = state.sequence;
    if (grant_ids.empty()) {
      for (auto& [id, grant] : state.grants) out.grants.push_back(std::move(grant));
      return out;
    }
    for (const std::string& id : grant_ids) {
      auto it = state.grants.find(id);
      if (it == state.grants.end()) return NotRegistered(id, std::nullopt);
      out.grants.push_back(it->second);
    }
    return out;
  }
  out.sequence = *point;
  if (grant_ids.empty()) {
    if (*point == 0) return out;  // before the first event
    for (const std::string& id : store.GrantIds()) {
      absl::StatusOr<GrantState> grant = store.GrantAtSequence(id, *point);
      if (absl::IsNotFound(grant.status())) continue;  // registered later
      GL_RETURN_IF_ERROR(grant.status());
      out.grants.push_back(std::move(*grant));
    }
    return out;
  }
  for (const std::string& id : grant_ids) {
    if (*point == 0) return NotRegistered(id, point);
    absl::StatusOr<GrantState> grant = store.GrantAtSequence(id, *point);
    if (absl::IsNotFound(grant.status())) return NotRegistered(id, point);
    GL_RETURN_IF_ERROR(grant.status());
    out.grants.push_back(std::move(*grant));
  }
  return out;
}

template <typename Request>
absl::StatusOr<std::optional<uint64_t>> PointOf(const EventStore& store, const Request& request) {
  switch (request.recorded_point_case()) {
    case Request::kAsOfSequence: {
      const uint64_t sequence = request.as_of_sequence();
      return ResolveRecordedPoint(store, &sequence, nullptr);
    }
    case Request::kRecordedAsOf:
      return ResolveRecordedPoint(store, nullptr, &request.recorded_as_of());
    default:
      return ResolveRecordedPoint(store, nullptr, nullptr);
  }
}

void EncodeGrant(const GrantState& grant, bool with_lines, v1::GrantView* out) {
  out->set_grant_id(grant.grant_id);
  EncodeTerms(grant.terms, out->mutable_terms());
  out->set_version(grant.event_count);
  out->set_registered_sequence(grant.registered_sequence);
  out->set_last_sequence(grant.last_sequence);
  EncodeBalance(BalanceOfGrant(grant), out->mutable_balance(), with_lines);
}

}  // namespace

grpc::ServerUnaryReactor* QueryServiceImpl::GetGrant(grpc::CallbackServerContext* context,
                                                     const grpc::ByteBuffer* raw_request,
                                                     grpc::ByteBuffer* raw_response) {
  return RunUnary(
      service_, context, "QueryService/GetGrant", raw_request, raw_response,
      [this](const v1::GetGrantRequest& request, v1::GetGrantResponse& response) -> absl::Status {
        if (request.grant_id().empty()) {
          return absl::InvalidArgumentError(
              "grant_id: empty; give the grant's diary number, e.g. RS/229/2025");
        }
        GL_ASSIGN_OR_RETURN(std::optional<uint64_t> point, PointOf(*service_.store, request));
        GL_ASSIGN_OR_RETURN(GrantsAt at,
                            GrantsAtPoint(*service_.store, {request.grant_id()}, point));
        EncodeGrant(at.grants.front(), /*with_lines=*/true, response.mutable_grant());
        response.set_as_of_sequence(at.sequence);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* QueryServiceImpl::ListGrants(grpc::CallbackServerContext* context,
                                                       const grpc::ByteBuffer* raw_request,
                                                       grpc::ByteBuffer* raw_response) {
  return RunUnary(
      service_, context, "QueryService/ListGrants", raw_request, raw_response,
      [this](const v1::ListGrantsRequest& request,
             v1::ListGrantsResponse& response) -> absl::Status {
        if (!v1::GrantKind_IsValid(request.kind())) {
          return absl::InvalidArgumentError(absl::StrCat(
              "kind: ", request.kind(), " is not a GrantKind; leave it unset for any kind"));
        }
        GL_ASSIGN_OR_RETURN(std::optional<uint64_t> point, PointOf(*service_.store, request));
        GL_ASSIGN_OR_RETURN(GrantsAt at, GrantsAtPoint(*service_.store, {}, point));
        for (const GrantState& grant : at.grants) {
          if (!request.year().empty() && grant.terms.year != request.year()) continue;
          if (!request.grantor().empty() && grant.terms.grantor != request.grantor()) continue;
          if (request.kind() != v1::GRANT_KIND_UNSPECIFIED && grant.terms.kind != request.kind())
            continue;
          EncodeGrant(grant, /*with_lines=*/false, response.add_grants());
        }
        response.set_as_of_sequence(at.sequence);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* QueryServiceImpl::GetBalances(grpc::CallbackServerContext* context,
                                                        const grpc::ByteBuffer* raw_request,
                                                        grpc::ByteBuffer* raw_response) {
  return RunUnary(
      service_, context, "QueryService/GetBalances", raw_request, raw_response,
      [this](const v1::GetBalancesRequest& request,
             v1::GetBalancesResponse& response) -> absl::Status {
        std::vector<std::string> ids(request.grant_ids().begin(), request.grant_ids().end());
        for (size_t i = 0; i < ids.size(); ++i) {
          if (ids[i].empty()) {
            return absl::InvalidArgumentError(absl::StrCat(
                "grant_ids[", i, "]: empty; give a diary number, or no grant_ids for every grant"));
          }
        }
        GL_ASSIGN_OR_RETURN(std::optional<uint64_t> point, PointOf(*service_.store, request));
        GL_ASSIGN_OR_RETURN(GrantsAt at, GrantsAtPoint(*service_.store, ids, point));
        for (const GrantState& grant : at.grants) {
          EncodeBalance(BalanceOfGrant(grant), response.add_balances());
        }
        response.set_as_of_sequence(at.sequence);
        return absl::OkStatus();
      });
}

}  // namespace grantledger
