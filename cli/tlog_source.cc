// See tlog_source.h.
#include "cli/tlog_source.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "ledger/status_macros.h"
#include "ledger/store/event_store.h"
#include "ledger/store/log_signer.h"
#include "ledger/store/merkle_store.h"
#ifdef GRANTLEDGER_WITH_SERVER
#include <grpcpp/grpcpp.h>

#include "cli/server_channel.h"
#include "grantledger/v1/audit_service.grpc.pb.h"
#endif

namespace grantledger {
namespace {

class DirectSource : public TlogSource {
 public:
  DirectSource(std::unique_ptr<EventStore> store, std::unique_ptr<LogSigner> signer)
      : store_(std::move(store)), signer_(std::move(signer)) {}

  absl::StatusOr<std::string> Checkpoint(uint64_t size) override {
    GL_ASSIGN_OR_RETURN(SignedCheckpoint checkpoint, signer_->Checkpoint(size));
    return checkpoint.note;
  }
  absl::StatusOr<InclusionAnswer> InclusionProof(uint64_t sequence, uint64_t size) override {
    InclusionAnswer answer;
    answer.tree_size = size == 0 ? store_->Tree().size() : size;
    if (sequence == 0) return absl::OutOfRangeError("sequence: records start at 1");
    GL_ASSIGN_OR_RETURN(answer.hashes,
                        store_->Tree().InclusionProof(sequence - 1, answer.tree_size));
    GL_ASSIGN_OR_RETURN(answer.event, store_->Read(sequence));
    return answer;
  }
  absl::StatusOr<std::vector<std::string>> ConsistencyProof(uint64_t first,
                                                            uint64_t second) override {
    return store_->Tree().ConsistencyProof(first, second == 0 ? store_->Tree().size() : second);
  }

 private:
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<LogSigner> signer_;
};

#ifdef GRANTLEDGER_WITH_SERVER
absl::Status FromGrpc(const grpc::Status& s) {
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
}

class GrpcSource : public TlogSource {
 public:
  explicit GrpcSource(std::shared_ptr<grpc::Channel> channel)
      : audit_(v1::AuditService::NewStub(channel)) {}

  absl::StatusOr<std::string> Checkpoint(uint64_t size) override {
    v1::GetCheckpointRequest request;
    request.set_tree_size(size);
    v1::GetCheckpointResponse response;
    grpc::ClientContext context;
    GL_RETURN_IF_ERROR(FromGrpc(audit_->GetCheckpoint(&context, request, &response)));
    return response.checkpoint();
  }
  absl::StatusOr<InclusionAnswer> InclusionProof(uint64_t sequence, uint64_t size) override {
    v1::GetInclusionProofRequest request;
    request.set_sequence(sequence);
    request.set_tree_size(size);
    v1::GetInclusionProofResponse response;
    grpc::ClientContext context;
    GL_RETURN_IF_ERROR(FromGrpc(audit_->GetInclusionProof(&context, request, &response)));
    InclusionAnswer answer;
    answer.tree_size = response.tree_size();
    answer.hashes.assign(response.hashes().begin(), response.hashes().end());
    answer.event = std::move(*response.mutable_event());
    return answer;
  }
  absl::StatusOr<std::vector<std::string>> ConsistencyProof(uint64_t first,
                                                            uint64_t second) override {
    v1::GetConsistencyProofRequest request;
    request.set_first_size(first);
    request.set_second_size(second);
    v1::GetConsistencyProofResponse response;
    grpc::ClientContext context;
    GL_RETURN_IF_ERROR(FromGrpc(audit_->GetConsistencyProof(&context, request, &response)));
    return std::vector<std::string>(response.hashes().begin(), response.hashes().end());
  }

 private:
  std::unique_ptr<v1::AuditService::Stub> audit_;
};
#endif

}  // namespace

absl::StatusOr<std::unique_ptr<TlogSource>> OpenTlogSource(const TlogSourceFlags& flags) {
  if (!flags.db.empty()) {
    if (!std::filesystem::exists(flags.db)) {
      return absl::NotFoundError(absl::StrCat("--db ", flags.db, ": no such directory"));
    }
    EventStoreOptions options;
    options.path = flags.db;
    options.read_only = true;
    GL_ASSIGN_OR_RETURN(std::unique_ptr<EventStore> store, EventStore::Open(options));
    LogSignerOptions signer_options;
    signer_options.data_dir = flags.db;
    signer_options.key_path = flags.signing_key;
    if (!flags.origin.empty()) signer_options.origin = flags.origin;
    signer_options.create_key = false;
    GL_ASSIGN_OR_RETURN(std::unique_ptr<LogSigner> signer,
                        LogSigner::Open(*store, std::move(signer_options)));
    return std::unique_ptr<TlogSource>(new DirectSource(std::move(store), std::move(signer)));
  }
#ifdef GRANTLEDGER_WITH_SERVER
  GL_ASSIGN_OR_RETURN(std::shared_ptr<grpc::Channel> channel,
                      OpenServerChannel(flags.server.empty() ? "127.0.0.1:50051" : flags.server));
  return std::unique_ptr<TlogSource>(new GrpcSource(std::move(channel)));
#else
  return absl::UnavailableError("this build has no server mode; give --db DIR");
#endif
}

}  // namespace grantledger
