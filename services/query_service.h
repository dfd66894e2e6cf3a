// QueryService over gRPC: grants and balances now, or as of a sequence or recorded time.
// Reads the store's projections (or rebuilds a grant at a past sequence) and encodes
// ledger/balances.h; computes nothing of its own.
#ifndef GRANTLEDGER_SERVICES_QUERY_SERVICE_H_
#define GRANTLEDGER_SERVICES_QUERY_SERVICE_H_

#include "grantledger/v1/query_service.grpc.pb.h"
#include "services/service_context.h"

namespace grantledger {

class QueryServiceImpl final : public v1::QueryService::CallbackService {
 public:
  explicit QueryServiceImpl(ServiceContext& service) : service_(service) {}

  grpc::ServerUnaryReactor* GetGrant(grpc::CallbackServerContext* context,
                                     const v1::GetGrantRequest* request,
                                     v1::GetGrantResponse* response) override;
  grpc::ServerUnaryReactor* ListGrants(grpc::CallbackServerContext* context,
                                       const v1::ListGrantsRequest* request,
                                       v1::ListGrantsResponse* response) override;
  grpc::ServerUnaryReactor* GetBalances(grpc::CallbackServerContext* context,
                                        const v1::GetBalancesRequest* request,
                                        v1::GetBalancesResponse* response) override;

 private:
  ServiceContext& service_;
};

}  // namespace grantledger

#endif  // GRANTLEDGER_SERVICES_QUERY_SERVICE_H_
