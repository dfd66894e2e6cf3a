// See ledger_service.h.
#include "services/ledger_service.h"

#include <utility>

#include "services/append_stream_reactor.h"
#include "services/authorization.h"

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

grpc::ServerUnaryReactor* LedgerServiceImpl::Append(grpc::CallbackServerContext* context,
                                                    const v1::AppendRequest* request,
                                                    v1::AppendResponse* response) {
  constexpr char kMethod[] = "LedgerService/Append";
  if (service_.stopping.load()) {
    return FinishNow(context, kMethod,
                     absl::UnavailableError("the server is shutting down; nothing was written; "
                                            "retry the same batch against the restarted server"));
  }
  absl::StatusOr<CallPrincipal> principal = AuthorizeCall(service_, *context, kMethod);
  if (!principal.ok()) return FinishNow(context, kMethod, principal.status());
  absl::StatusOr<AppendOptions> options = AppendOptionsOf(*request);
  if (!options.ok()) return FinishNow(context, kMethod, options.status());
  if (absl::Status s = AuthorizeAppend(service_, *principal, request->events()); !s.ok()) {
    return FinishNow(context, kMethod, s);
  }
  options->author = std::move(principal->author);
  // No thread waits for the fsync: the store's writer thread finishes the call when the batch
  // is durable (or rejected), so concurrent appends cost no blocked threads.
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  // The request (on an arena, ArenaMessageAllocator) stays alive and unchanged until the
  // call finishes, so the store reads its events in place.
  const bool dry_run = options->dry_run;
  EventStore* store = service_.store;
  service_.store->AppendAsync(
      request->events(), *std::move(options),
      [context, reactor, response, dry_run, store](absl::StatusOr<AppendResult> result) {
        if (result.ok()) {
          EncodeAppendResult(*result, dry_run, dry_run ? store->Head() : result->head, response);
        }
        reactor->Finish(FinishStatus(context, "LedgerService/Append", result.status()));
      });
  return reactor;
}

grpc::ServerBidiReactor<v1::AppendRequest, v1::AppendStreamResponse>*
LedgerServiceImpl::AppendStream(grpc::CallbackServerContext* context) {
  return new AppendStreamReactor(service_, context);
}

}  // namespace grantledger
