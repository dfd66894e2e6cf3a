// AuditService over gRPC: the event history as streams (ReadEvents to a fixed end, Subscribe
// live), chain verification and digests. Streams run on their own reactor threads
// (event_stream_reactor.h); verification runs on the work pool in slices that check for
// cancellation.
#ifndef GRANTLEDGER_SERVICES_AUDIT_SERVICE_H_
#define GRANTLEDGER_SERVICES_AUDIT_SERVICE_H_

#include "grantledger/v1/audit_service.grpc.pb.h"
#include "services/service_context.h"

namespace grantledger {

class AuditServiceImpl final : public v1::AuditService::CallbackService {
 public:
  explicit AuditServiceImpl(ServiceContext& service) : service_(service) {}

  grpc::ServerWriteReactor<v1::EventsChunk>* ReadEvents(
      grpc::CallbackServerContext* context, const v1::ReadEventsRequest* request) override;
  grpc::ServerWriteReactor<v1::EventsChunk>* Subscribe(
      grpc::CallbackServerContext* context, const v1::SubscribeRequest* request) override;
  grpc::ServerUnaryReactor* VerifyChain(grpc::CallbackServerContext* context,
                                        const v1::VerifyChainRequest* request,
                                        v1::VerifyChainResponse* response) override;
  grpc::ServerUnaryReactor* GetDigest(grpc::CallbackServerContext* context,
                                      const v1::GetDigestRequest* request,
                                      v1::GetDigestResponse* response) override;

 private:
  ServiceContext& service_;
};

}  // namespace grantledger

#endif  // GRANTLEDGER_SERVICES_AUDIT_SERVICE_H_
