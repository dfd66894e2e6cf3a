// QueryService over gRPC: grants and balances now, or as of a sequence or recorded time.
// Reads the store's projections (or rebuilds a grant at a past sequence) and encodes
// ledger/balances.h; computes nothing of its own.
#ifndef GRANTLEDGER_SERVICES_QUERY_SERVICE_H_
#define GRANTLEDGER_SERVICES_QUERY_SERVICE_H_

#include "grantledger/v1/query_service.grpc.pb.h"
#include "services/service_context.h"

namespace grantledger {

// Every method is raw (bytes in, bytes out) and parses through RunUnary
// (services/service_context.h), so a request that does not parse is INVALID_ARGUMENT naming
// the method and field.
using RawQueryService = v1::QueryService::WithRawCallbackMethod_GetGrant<
    v1::QueryService::WithRawCallbackMethod_ListGrants<
        v1::QueryService::WithRawCallbackMethod_GetBalances<v1::QueryService::Service>>>;

class QueryServiceImpl final : public RawQueryService {
 public:
  explicit QueryServiceImpl(ServiceContext& service) : service_(service) {}

  // GetGrantRequest -> GetGrantResponse.
  grpc::ServerUnaryReactor* GetGrant(grpc::CallbackServerContext* context,
                                     const grpc::ByteBuffer* request,
                                     grpc::ByteBuffer* response) override;
  // ListGrantsRequest -> ListGrantsResponse.
  grpc::ServerUnaryReactor* ListGrants(grpc::CallbackServerContext* context,
                                       const grpc::ByteBuffer* request,
                                       grpc::ByteBuffer* response) override;
  // GetBalancesRequest -> GetBalancesResponse.
  grpc::ServerUnaryReactor* GetBalances(grpc::CallbackServerContext* context,
                                        const grpc::ByteBuffer* request,
                                        grpc::ByteBuffer* response) override;

 private:
  ServiceContext& service_;
};

}  // namespace grantledger

#endif  // GRANTLEDGER_SERVICES_QUERY_SERVICE_H_
