// YearEndService over gRPC: positions, obligations, the coordinator's unused list, the year
// overview and the financial account, each on both clocks. Decodes, calls the core
// (ledger/as_of.h, ledger/obligations.h, ledger/year_end.h), encodes; computes nothing of its
// own.
#ifndef GRANTLEDGER_SERVICES_YEAR_END_SERVICE_H_
#define GRANTLEDGER_SERVICES_YEAR_END_SERVICE_H_

#include "grantledger/v1/year_end_service.grpc.pb.h"
#include "services/service_context.h"

namespace grantledger {

class YearEndServiceImpl final : public v1::YearEndService::CallbackService {
 public:
  explicit YearEndServiceImpl(ServiceContext& service) : service_(service) {}

  grpc::ServerUnaryReactor* GetPosition(grpc::CallbackServerContext* context,
                                        const v1::PositionRequest* request,
                                        v1::PositionResponse* response) override;
  grpc::ServerUnaryReactor* GetObligations(grpc::CallbackServerContext* context,
                                           const v1::ObligationsRequest* request,
                                           v1::ObligationsResponse* response) override;
  grpc::ServerUnaryReactor* ListUnused(grpc::CallbackServerContext* context,
                                       const v1::UnusedRequest* request,
                                       v1::UnusedResponse* response) override;
  grpc::ServerUnaryReactor* GetYearOverview(grpc::CallbackServerContext* context,
                                            const v1::YearOverviewRequest* request,
                                            v1::YearOverviewResponse* response) override;
  grpc::ServerUnaryReactor* GetFinancialAccount(grpc::CallbackServerContext* context,
                                                const v1::FinancialAccountRequest* request,
                                                v1::FinancialAccountResponse* response) override;

 private:
  ServiceContext& service_;
};

}  // namespace grantledger

#endif  // GRANTLEDGER_SERVICES_YEAR_END_SERVICE_H_
