// AuditService's transparency-log calls: GetCheckpoint, GetInclusionProof and
// GetConsistencyProof (see audit_service.h and proto/grantledger/v1/audit_service.proto).
#include "absl/strings/str_cat.h"
#include "ledger/status_macros.h"
#include "ledger/store/event_store.h"
#include "ledger/store/log_signer.h"
#include "ledger/store/merkle_store.h"
#include "services/audit_service.h"

namespace grantledger {
namespace {

using absl::StrCat;

absl::StatusOr<LogSigner*> SignerOf(ServiceContext& service) {
  if (service.signer != nullptr) return service.signer;
  absl::MutexLock lock(&service.signer_mu);
  if (service.default_signer == nullptr) {
    LogSignerOptions options;
    options.data_dir = service.store->options().path;
    GL_ASSIGN_OR_RETURN(std::unique_ptr<LogSigner> signer,
                        LogSigner::Open(*service.store, std::move(options)));
    service.default_signer = std::move(signer);
  }
  return service.default_signer.get();
}

}  // namespace

grpc::ServerUnaryReactor* AuditServiceImpl::GetCheckpoint(grpc::CallbackServerContext* context,
                                                          const grpc::ByteBuffer* raw_request,
                                                          grpc::ByteBuffer* raw_response) {
  return RunUnary(service_, context, "AuditService/GetCheckpoint", raw_request, raw_response,
                  [this](const v1::GetCheckpointRequest& request,
                         v1::GetCheckpointResponse& response) -> absl::Status {
                    GL_ASSIGN_OR_RETURN(LogSigner * signer, SignerOf(service_));
                    GL_ASSIGN_OR_RETURN(SignedCheckpoint checkpoint,
                                        signer->Checkpoint(request.tree_size()));
                    response.set_checkpoint(std::move(checkpoint.note));
                    response.set_tree_size(checkpoint.size);
                    response.set_root_hash(std::move(checkpoint.root));
                    return absl::OkStatus();
                  });
}

grpc::ServerUnaryReactor* AuditServiceImpl::GetInclusionProof(grpc::CallbackServerContext* context,
                                                              const grpc::ByteBuffer* raw_request,
                                                              grpc::ByteBuffer* raw_response) {
  return RunUnary(
      service_, context, "AuditService/GetInclusionProof", raw_request, raw_response,
      [this](const v1::GetInclusionProofRequest& request,
             v1::GetInclusionProofResponse& response) -> absl::Status {
        const MerkleStore& tree = service_.store->Tree();
        const uint64_t head = tree.size();
        const uint64_t size = request.tree_size() == 0 ? head : request.tree_size();
        if (size > head) {
          return absl::OutOfRangeError(StrCat("tree_size: ", size, " is beyond the head (", head,
                                              "); leave it 0 for the head"));
        }
        const uint64_t sequence = request.sequence();
        if (sequence == 0 || sequence > size) {
          return absl::OutOfRangeError(StrCat("sequence: ", sequence,
                                              " is not a record of the tree of ", size,
                                              " records; give a sequence from 1 to ", size));
        }
        GL_ASSIGN_OR_RETURN(std::vector<std::string> proof,
                            tree.InclusionProof(sequence - 1, size));
        GL_ASSIGN_OR_RETURN(*response.mutable_event(), service_.store->Read(sequence));
        response.set_leaf_index(sequence - 1);
        response.set_tree_size(size);
        for (std::string& hash : proof) response.add_hashes(std::move(hash));
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AuditServiceImpl::GetConsistencyProof(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request,
    grpc::ByteBuffer* raw_response) {
  return RunUnary(
      service_, context, "AuditService/GetConsistencyProof", raw_request, raw_response,
      [this](const v1::GetConsistencyProofRequest& request,
             v1::GetConsistencyProofResponse& response) -> absl::Status {
        const MerkleStore& tree = service_.store->Tree();
        const uint64_t head = tree.size();
        const uint64_t first = request.first_size();
        const uint64_t second = request.second_size() == 0 ? head : request.second_size();
        if (first == 0) {
          return absl::InvalidArgumentError(
              "first_size: 0 has no consistency proof (RFC 9162 defines none from the empty tree); "
              "give the size of the checkpoint you hold");
        }
        if (second > head) {
          return absl::OutOfRangeError(StrCat("second_size: ", second, " is beyond the head (",
                                              head, "); leave it 0 for the head"));
        }
        if (first > second) {
          return absl::InvalidArgumentError(StrCat("first_size: ", first, " is after second_size ",
                                                   second, "; give first_size <= second_size"));
        }
        GL_ASSIGN_OR_RETURN(std::vector<std::string> proof, tree.ConsistencyProof(first, second));
        response.set_first_size(first);
        response.set_second_size(second);
        for (std::string& hash : proof) response.add_hashes(std::move(hash));
        return absl::OkStatus();
      });
}

}  // namespace grantledger
