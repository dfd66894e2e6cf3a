// LedgerService over gRPC: decodes an AppendRequest, calls EventStore::Append, encodes the
// sequences and the new head. No rule lives here; every rejection is the core's own.
#ifndef GRANTLEDGER_SERVICES_LEDGER_SERVICE_H_
#define GRANTLEDGER_SERVICES_LEDGER_SERVICE_H_

#include "grantledger/v1/ledger_service.grpc.pb.h"
#include "services/arena_message_allocator.h"
#include "services/service_context.h"

namespace grantledger {

class LedgerServiceImpl final : public v1::LedgerService::CallbackService {
 public:
  explicit LedgerServiceImpl(ServiceContext& service) : service_(service) {
    SetMessageAllocatorFor_Append(&allocator_);
  }

  grpc::ServerUnaryReactor* Append(grpc::CallbackServerContext* context,
                                   const v1::AppendRequest* request,
                                   v1::AppendResponse* response) override;

 private:
  ServiceContext& service_;
  ArenaMessageAllocator<v1::AppendRequest, v1::AppendResponse> allocator_;
};

}  // namespace grantledger

#endif  // GRANTLEDGER_SERVICES_LEDGER_SERVICE_H_
