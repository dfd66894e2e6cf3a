// YearEndService over gRPC: positions, obligations, the coordinator's unused list, the year
// overview and the financial account, each on both clocks. Decodes, calls the core
// (ledger/as_of.h, ledger/obligations.h, ledger/year_end.h), encodes; computes nothing of its
// own.
#ifndef GRANTLEDGER_SERVICES_YEAR_END_SERVICE_H_
#define GRANTLEDGER_SERVICES_YEAR_END_SERVICE_H_

#include "grantledger/v1/year_end_service.grpc.pb.h"
#include "services/service_context.h"

namespace grantledger {

// Every method is raw (bytes in, bytes out) and parses through RunUnary
// (services/service_context.h), so a request that does not parse is INVALID_ARGUMENT naming
// the method and field.
using RawYearEndService = v1::YearEndService::WithRawCallbackMethod_GetPosition<
    v1::YearEndService::WithRawCallbackMethod_GetObligations<
        v1::YearEndService::WithRawCallbackMethod_ListUnused<
            v1::YearEndService::WithRawCallbackMethod_GetYearOverview<
                v1::YearEndService::WithRawCallbackMethod_GetFinancialAccount<
                    v1::YearEndService::Service>>>>>;

class YearEndServiceImpl final : public RawYearEndService {
 public:
  explicit YearEndServiceImpl(ServiceContext& service) : service_(service) {}

  // PositionRequest -> PositionResponse.
  grpc::ServerUnaryReactor* GetPosition(grpc::CallbackServerContext* context,
                                        const grpc::ByteBuffer* request,
                                        grpc::ByteBuffer* response) override;
  // ObligationsRequest -> ObligationsResponse.
  grpc::ServerUnaryReactor* GetObligations(grpc::CallbackServerContext* context,
                                           const grpc::ByteBuffer* request,
                                           grpc::ByteBuffer* response) override;
  // UnusedRequest -> UnusedResponse.
  grpc::ServerUnaryReactor* ListUnused(grpc::CallbackServerContext* context,
                                       const grpc::ByteBuffer* request,
                                       grpc::ByteBuffer* response) override;
  // YearOverviewRequest -> YearOverviewResponse.
  grpc::ServerUnaryReactor* GetYearOverview(grpc::CallbackServerContext* context,
                                            const grpc::ByteBuffer* request,
                                            grpc::ByteBuffer* response) override;
  // FinancialAccountRequest -> FinancialAccountResponse.
  grpc::ServerUnaryReactor* GetFinancialAccount(grpc::CallbackServerContext* context,
                                                const grpc::ByteBuffer* request,
                                                grpc::ByteBuffer* response) override;

 private:
  ServiceContext& service_;
};

}  // namespace grantledger

#endif  // GRANTLEDGER_SERVICES_YEAR_END_SERVICE_H_
