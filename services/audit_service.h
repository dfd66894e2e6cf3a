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

// Every method is raw (bytes in, bytes out) and parses through RunUnary
// (services/service_context.h) or StartEventStream (event_stream_reactor.h), so a request that
// does not parse is INVALID_ARGUMENT naming the method and field.
using RawAuditService = v1::AuditService::WithRawCallbackMethod_ReadEvents<
    v1::AuditService::WithRawCallbackMethod_Subscribe<
        v1::AuditService::WithRawCallbackMethod_VerifyChain<
            v1::AuditService::WithRawCallbackMethod_GetDigest<
                v1::AuditService::WithRawCallbackMethod_GetCheckpoint<
                    v1::AuditService::WithRawCallbackMethod_GetInclusionProof<
                        v1::AuditService::WithRawCallbackMethod_GetConsistencyProof<
                            v1::AuditService::Service>>>>>>>;

class AuditServiceImpl final : public RawAuditService {
 public:
  explicit AuditServiceImpl(ServiceContext& service) : service_(service) {}

  // ReadEventsRequest -> stream of EventsChunk.
  grpc::ServerWriteReactor<grpc::ByteBuffer>* ReadEvents(grpc::CallbackServerContext* context,
                                                         const grpc::ByteBuffer* request) override;
  // SubscribeRequest -> stream of EventsChunk.
  grpc::ServerWriteReactor<grpc::ByteBuffer>* Subscribe(grpc::CallbackServerContext* context,
                                                        const grpc::ByteBuffer* request) override;
  // VerifyChainRequest -> VerifyChainResponse.
  grpc::ServerUnaryReactor* VerifyChain(grpc::CallbackServerContext* context,
                                        const grpc::ByteBuffer* request,
                                        grpc::ByteBuffer* response) override;
  // GetDigestRequest -> GetDigestResponse.
  grpc::ServerUnaryReactor* GetDigest(grpc::CallbackServerContext* context,
                                      const grpc::ByteBuffer* request,
                                      grpc::ByteBuffer* response) override;
  // The transparency log (ledger/store/merkle_store.h, log_signer.h; services/tlog_calls.cc).
  // GetCheckpointRequest -> GetCheckpointResponse.
  grpc::ServerUnaryReactor* GetCheckpoint(grpc::CallbackServerContext* context,
                                          const grpc::ByteBuffer* request,
                                          grpc::ByteBuffer* response) override;
  // GetInclusionProofRequest -> GetInclusionProofResponse.
  grpc::ServerUnaryReactor* GetInclusionProof(grpc::CallbackServerContext* context,
                                              const grpc::ByteBuffer* request,
                                              grpc::ByteBuffer* response) override;
  // GetConsistencyProofRequest -> GetConsistencyProofResponse.
  grpc::ServerUnaryReactor* GetConsistencyProof(grpc::CallbackServerContext* context,
                                                const grpc::ByteBuffer* request,
                                                grpc::ByteBuffer* response) override;

 private:
  ServiceContext& service_;
};

}  // namespace grantledger

#endif  // GRANTLEDGER_SERVICES_AUDIT_SERVICE_H_
