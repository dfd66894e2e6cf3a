// AuditService over gRPC: the event history as streams (ReadEvents to a fixed end, Subscribe
// live), chain verification and digests, and the transparency log's signed checkpoints and
// proofs. Streams run on their own reactor threads
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
  // The transparency log (ledger/store/merkle_store.h, log_signer.h).
  grpc::ServerUnaryReactor* GetCheckpoint(grpc::CallbackServerContext* context,
                                          const v1::GetCheckpointRequest* request,
                                          v1::GetCheckpointResponse* response) override;
  grpc::ServerUnaryReactor* GetInclusionProof(grpc::CallbackServerContext* context,
                                              const v1::GetInclusionProofRequest* request,
                                              v1::GetInclusionProofResponse* response) override;
  grpc::ServerUnaryReactor* GetConsistencyProof(grpc::CallbackServerContext* context,
                                                const v1::GetConsistencyProofRequest* request,
                                                v1::GetConsistencyProofResponse* response) override;

 private:
  ServiceContext& service_;
};

}  // namespace grantledger

#endif  // GRANTLEDGER_SERVICES_AUDIT_SERVICE_H_
