// See ledger_service.h.
#include "services/ledger_service.h"

#include <memory>
#include <utility>

#include "ledger/store/event_store.h"
#include "services/append_stream_reactor.h"
#include "services/authorization.h"
#include "services/raw_messages.h"

namespace grantledger {

absl::StatusOr<AppendOptions> AppendOptionsOf(const v1::AppendRequest& request) {
  AppendOptions options;
  options.dry_run = request.dry_run();
  for (const auto& [grant_id, version] : request.expected_versions()) {
    if (grant_id.empty()) {
      return absl::InvalidArgumentError(
          "expected_versions: a key is empty; key each expected version by its grant id");
    }
    options.expected_versions[grant_id] = version;
  }
  return options;
}

void EncodeAppendResult(const AppendResult& result, bool dry_run, const Digest& head,
                        v1::AppendResponse* out) {
  out->mutable_sequences()->Assign(result.sequences.begin(), result.sequences.end());
  out->mutable_duplicates()->Reserve(static_cast<int>(result.duplicates.size()));
  for (bool duplicate : result.duplicates) out->add_duplicates(duplicate);
  out->mutable_head()->set_sequence(head.sequence);
  out->mutable_head()->set_head_hash(head.head_hash);
  out->set_dry_run(dry_run);
}

namespace {

// A unary Append's parsed request and its answer, on one arena (a 1000-event request is
// parsed without a malloc per field), freed when the store is done with the events.
struct AppendCall {
  AppendCall()
      : arena(RequestArenaOptions()),
        request(google::protobuf::Arena::CreateMessage<v1::AppendRequest>(&arena)),
        response(google::protobuf::Arena::CreateMessage<v1::AppendResponse>(&arena)) {}
  google::protobuf::Arena arena;
  v1::AppendRequest* request;
  v1::AppendResponse* response;
};

}  // namespace

grpc::ServerUnaryReactor* LedgerServiceImpl::Append(grpc::CallbackServerContext* context,
                                                    const grpc::ByteBuffer* raw_request,
                                                    grpc::ByteBuffer* raw_response) {
  constexpr char kMethod[] = "LedgerService/Append";
  if (service_.stopping.load()) {
    return FinishNow(context, kMethod,
                     absl::UnavailableError("the server is shutting down; nothing was written; "
                                            "retry the same batch against the restarted server"));
  }
  absl::StatusOr<CallPrincipal> principal = AuthorizeCall(service_, *context, kMethod);
  if (!principal.ok()) return FinishNow(context, kMethod, principal.status());
  auto call = std::make_unique<AppendCall>();
  if (absl::Status parsed = ParseRawMessage(*raw_request, kMethod, call->request); !parsed.ok()) {
    return FinishNow(context, kMethod, parsed);
  }
  absl::StatusOr<AppendOptions> options = AppendOptionsOf(*call->request);
  if (!options.ok()) return FinishNow(context, kMethod, options.status());
  if (absl::Status s = AuthorizeAppend(service_, *principal, call->request->events()); !s.ok()) {
    return FinishNow(context, kMethod, s);
  }
  options->author = std::move(principal->author);
  // No thread waits for the fsync: the store's writer thread finishes the call when the batch
  // is durable (or rejected), so concurrent appends cost no blocked threads.
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  // The request stays alive and unchanged until the store answers, so the store reads its
  // events in place.
  const bool dry_run = options->dry_run;
  EventStore* store = service_.store;
  AppendCall* in_store = call.release();
  service_.store->AppendAsync(
      in_store->request->events(), *std::move(options),
      [context, reactor, raw_response, in_store, dry_run,
       store](absl::StatusOr<AppendResult> result) {
        if (result.ok()) {
          EncodeAppendResult(*result, dry_run, dry_run ? store->Head() : result->head,
                             in_store->response);
          SerializeRawMessage(*in_store->response, raw_response);
        }
        delete in_store;  // the store is done with the events
        reactor->Finish(FinishStatus(context, "LedgerService/Append", result.status()));
      });
  return reactor;
}

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* LedgerServiceImpl::AppendStream(
    grpc::CallbackServerContext* context) {
  return new AppendStreamReactor(service_, context);
}

}  // namespace grantledger
