// See year_end_service.h.
#include "services/year_end_service.h"

#include <optional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "ledger/civil_date.h"
#include "ledger/status_macros.h"
#include "ledger/store/event_store.h"
#include "ledger/swedish_time.h"
#include "ledger/year_end.h"
#include "services/codec.h"
#include "services/recorded_point.h"

namespace grantledger {
namespace {

// The request's two clocks; `default_date` when as_of_date is empty. nullopt: the recorded
// point lies before the first event (nothing was known).
absl::StatusOr<std::optional<AsOf>> Resolve(const EventStore& store, const v1::AsOfPoint& point,
                                            absl::CivilDay default_date) {
  AsOf as_of;
  if (point.as_of_date().empty()) {
    as_of.date = default_date;
  } else {
    GL_ASSIGN_OR_RETURN(as_of.date, ParseCivilDay(point.as_of_date(), "as_of.as_of_date"));
  }
  std::optional<uint64_t> sequence;
  if (point.has_as_of_sequence()) sequence = point.as_of_sequence();
  const google::protobuf::Timestamp* time =
      point.has_recorded_as_of() ? &point.recorded_as_of() : nullptr;
  GL_ASSIGN_OR_RETURN(std::optional<uint64_t> resolved,
                      ResolveRecordedPoint(store, sequence, time));
  if (resolved.has_value()) {
    if (*resolved == 0) return std::optional<AsOf>();
    as_of.sequence = *resolved;
  }
  return std::optional<AsOf>(as_of);
}

absl::CivilDay Today() { return SwedishDay(absl::Now()); }

// Every grant's obligation at the point, by repayment deadline (ledger/year_end.h); none
// before the first event.
std::vector<Obligation> ObligationsAt(const EventStore& store, const std::optional<AsOf>& as_of) {
  if (!as_of.has_value()) return {};
  return ObligationsByDeadline(store.Positions(*as_of));
}

// One grant's position on the request's two clocks.
absl::StatusOr<GrantPosition> PositionFor(const EventStore& store, const std::string& grant_id,
                                          const v1::AsOfPoint& point) {
  if (grant_id.empty()) {
    return absl::InvalidArgumentError("grant_id: is required, e.g. \"RS/229/2025\"");
  }
  GL_ASSIGN_OR_RETURN(std::optional<AsOf> as_of, Resolve(store, point, Today()));
  if (!as_of.has_value()) {
    return absl::NotFoundError(
        absl::StrCat("grant ", grant_id, " was not registered at that recorded point"));
  }
  return store.Position(grant_id, *as_of);
}

}  // namespace

grpc::ServerUnaryReactor* YearEndServiceImpl::GetPosition(grpc::CallbackServerContext* context,
                                                          const grpc::ByteBuffer* raw_request,
                                                          grpc::ByteBuffer* raw_response) {
  return RunUnary(
      service_, context, "YearEndService/GetPosition", raw_request, raw_response,
      [this](const v1::PositionRequest& request, v1::PositionResponse& response) -> absl::Status {
        GL_ASSIGN_OR_RETURN(GrantPosition position,
                            PositionFor(*service_.store, request.grant_id(), request.as_of()));
        EncodePosition(position, &response);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* YearEndServiceImpl::GetObligations(grpc::CallbackServerContext* context,
                                                             const grpc::ByteBuffer* raw_request,
                                                             grpc::ByteBuffer* raw_response) {
  return RunUnary(service_, context, "YearEndService/GetObligations", raw_request, raw_response,
                  [this](const v1::ObligationsRequest& request,
                         v1::ObligationsResponse& response) -> absl::Status {
                    GL_ASSIGN_OR_RETURN(std::optional<AsOf> as_of,
                                        Resolve(*service_.store, request.as_of(), Today()));
                    if (as_of) {
                      response.set_as_of_date(FormatCivilDay(as_of->date));
                      response.set_as_of_sequence(as_of->sequence);
                    }
                    for (const Obligation& o : ObligationsAt(*service_.store, as_of))
                      EncodeObligation(o, response.add_obligations());
                    return absl::OkStatus();
                  });
}

grpc::ServerUnaryReactor* YearEndServiceImpl::ListUnused(grpc::CallbackServerContext* context,
                                                         const grpc::ByteBuffer* raw_request,
                                                         grpc::ByteBuffer* raw_response) {
  return RunUnary(
      service_, context, "YearEndService/ListUnused", raw_request, raw_response,
      [this](const v1::UnusedRequest& request, v1::UnusedResponse& response) -> absl::Status {
        GL_ASSIGN_OR_RETURN(std::optional<AsOf> as_of,
                            Resolve(*service_.store, request.as_of(), Today()));
        GL_ASSIGN_OR_RETURN(DeadlineRange range,
                            ParseDeadlineRange(request.deadline_from(), request.deadline_to(),
                                               "deadline_from", "deadline_to"));
        const absl::CivilDay date = as_of ? as_of->date : Today();
        response.set_as_of_date(FormatCivilDay(date));
        if (as_of) response.set_as_of_sequence(as_of->sequence);
        EncodeUnusedList(UnusedObligations(ObligationsAt(*service_.store, as_of), date, range),
                         &response);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* YearEndServiceImpl::GetYearOverview(grpc::CallbackServerContext* context,
                                                              const grpc::ByteBuffer* raw_request,
                                                              grpc::ByteBuffer* raw_response) {
  return RunUnary(
      service_, context, "YearEndService/GetYearOverview", raw_request, raw_response,
      [this](const v1::YearOverviewRequest& request,
             v1::YearOverviewResponse& response) -> absl::Status {
        int year = 0;
        if (request.year().size() != 4 || !absl::SimpleAtoi(request.year(), &year)) {
          return absl::InvalidArgumentError(
              "year: write the budget year as four digits, e.g. \"2025\"");
        }
        GL_ASSIGN_OR_RETURN(std::optional<AsOf> as_of, Resolve(*service_.store, request.as_of(),
                                                               absl::CivilDay(year, 12, 31)));
        YearOverview overview =
            OverviewOfYear(ObligationsAt(*service_.store, as_of), request.year());
        EncodeYearOverview(overview, &response);
        response.set_as_of_date(FormatCivilDay(as_of ? as_of->date : absl::CivilDay(year, 12, 31)));
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* YearEndServiceImpl::GetFinancialAccount(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request,
    grpc::ByteBuffer* raw_response) {
  return RunUnary(
      service_, context, "YearEndService/GetFinancialAccount", raw_request, raw_response,
      [this](const v1::FinancialAccountRequest& request,
             v1::FinancialAccountResponse& response) -> absl::Status {
        GL_ASSIGN_OR_RETURN(GrantPosition position,
                            PositionFor(*service_.store, request.grant_id(), request.as_of()));
        EncodeFinancialAccount(FinancialAccountOf(position), &response);
        return absl::OkStatus();
      });
}

}  // namespace grantledger
