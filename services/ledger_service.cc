// See ledger_service.h.
#include "services/ledger_service.h"

#include <utility>
#include <vector>

#include "ledger/status_macros.h"

namespace grantledger {

grpc::ServerUnaryReactor* LedgerServiceImpl::Append(grpc::CallbackServerContext* context,
                                                    const v1::AppendRequest* request,
                                                    v1::AppendResponse* response) {
  constexpr char kMethod[] = "LedgerService/Append";
  if (service_.stopping.load()) {
    return FinishNow(context, kMethod,
                     absl::UnavailableError("the server is shutting down; nothing was written; "
                                            "retry the same batch against the restarted server"));
  }
  return RunUnary(service_, context, kMethod, [this, request, response]() -> absl::Status {
    AppendOptions options;
    options.dry_run = request->dry_run();
    for (const auto& [grant_id, version] : request->expected_versions()) {
      if (grant_id.empty()) {
        return absl::InvalidArgumentError(
            "expected_versions: a key is empty; key each expected version by its grant id");
      }
      options.expected_versions[grant_id] = version;
    }
    std::vector<v1::Event> events(request->events().begin(), request->events().end());
    GL_ASSIGN_OR_RETURN(AppendResult result, service_.store->Append(std::move(events), options));
    Digest head = options.dry_run ? service_.store->Head() : result.head;
    response->mutable_sequences()->Assign(result.sequences.begin(), result.sequences.end());
    response->mutable_duplicates()->Reserve(static_cast<int>(result.duplicates.size()));
    for (bool duplicate : result.duplicates) response->add_duplicates(duplicate);
    response->mutable_head()->set_sequence(head.sequence);
    response->mutable_head()->set_head_hash(head.head_hash);
    response->set_dry_run(options.dry_run);
    return absl::OkStatus();
  });
}

}  // namespace grantledger
