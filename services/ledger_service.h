// LedgerService over gRPC: Append (one batch per call) and AppendStream (batch after batch on
// one stream, services/append_stream_reactor.h) both hand the request's events to
// EventStore::AppendAsync and encode the sequences and the new head. No rule lives here; every
// rejection is the core's own.
#ifndef GRANTLEDGER_SERVICES_LEDGER_SERVICE_H_
#define GRANTLEDGER_SERVICES_LEDGER_SERVICE_H_

#include "absl/status/statusor.h"
#include "grantledger/v1/ledger_service.grpc.pb.h"
#include "ledger/store/store_types.h"
#include "services/arena_message_allocator.h"
#include "services/service_context.h"

namespace grantledger {

class EventStore;

// The store's options for `request`; INVALID_ARGUMENT for an empty expected_versions key.
absl::StatusOr<AppendOptions> AppendOptionsOf(const v1::AppendRequest& request);

// The answer to an accepted append (`head` is the store's head for a dry run).
void EncodeAppendResult(const AppendResult& result, bool dry_run, const Digest& head,
                        v1::AppendResponse* out);

// Both methods are raw (bytes in, bytes out; services/raw_messages.h): a request that does not
// parse is answered INVALID_ARGUMENT, where gRPC would answer UNIMPLEMENTED with no message or
// end the stream OK.
using RawLedgerService = v1::LedgerService::WithRawCallbackMethod_Append<
    v1::LedgerService::WithRawCallbackMethod_AppendStream<v1::LedgerService::Service>>;

class LedgerServiceImpl final : public RawLedgerService {
 public:
  explicit LedgerServiceImpl(ServiceContext& service) : service_(service) {}

  grpc::ServerUnaryReactor* Append(grpc::CallbackServerContext* context,
                                   const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response) override;
  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* AppendStream(
      grpc::CallbackServerContext* context) override;

 private:
  ServiceContext& service_;
};

}  // namespace grantledger

#endif  // GRANTLEDGER_SERVICES_LEDGER_SERVICE_H_
