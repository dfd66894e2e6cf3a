// The transparency log over a real server: GetCheckpoint returns a C2SP signed note that
// verifies with the key in the data directory, inclusion and consistency proofs from
// AuditService verify against checkpoints (ledger/tlog/merkle.h), the edge cases of the
// contract (OUT_OF_RANGE beyond the head, INVALID_ARGUMENT from size 0 or backwards, an empty
// proof between equal sizes), and grantledgerd refusing to start, exit 4, on a log that
// contradicts the last checkpoint it signed.
#include <sys/wait.h>

#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/store/log_signer.h"
#include "ledger/tlog/merkle.h"
#include "ledger/tlog/note.h"
#include "ledger/tlog/signing_key_file.h"
#include "tests/grpc_child_server.h"
#include "tests/grpc_test_support.h"

namespace grantledger::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kGrant[] = "RS/229/2025";

class ServicesTlogTest : public ::testing::Test {
 public:
  void SetUp() override {
    ledger_ = v1::LedgerService::NewStub(NewChannel(server_.address()));
    audit_ = v1::AuditService::NewStub(NewChannel(server_.address()));
    v1::AppendResponse appended;
    ASSERT_TRUE(
        AppendEvents(*ledger_, {RegisterGrant("reg", kGrant, 1'000'000'000)}, &appended).ok());
    std::vector<v1::Event> batch;
    for (int i = 0; i < 299; ++i) batch.push_back(Spend(absl::StrCat("s", i), kGrant, 1 + i));
    ASSERT_TRUE(AppendEvents(*ledger_, batch, &appended).ok());
  }
  grpc::Status Checkpoint(uint64_t size, v1::GetCheckpointResponse* response) {
    v1::GetCheckpointRequest request;
    request.set_tree_size(size);
    return audit_->GetCheckpoint(ContextWithDeadline().get(), request, response);
  }
  grpc::Status Inclusion(uint64_t sequence, uint64_t size, v1::GetInclusionProofResponse* r) {
    v1::GetInclusionProofRequest request;
    request.set_sequence(sequence);
    request.set_tree_size(size);
    return audit_->GetInclusionProof(ContextWithDeadline().get(), request, r);
  }
  grpc::Status Consistency(uint64_t first, uint64_t second, v1::GetConsistencyProofResponse* r) {
    v1::GetConsistencyProofRequest request;
    request.set_first_size(first);
    request.set_second_size(second);
    return audit_->GetConsistencyProof(ContextWithDeadline().get(), request, r);
  }
  NoteVerifier Verifier() {
    absl::StatusOr<NoteSigner> signer = LoadSigningKey(
        server_.store().options().path + "/" + kSigningKeyFileName, kDefaultOrigin, false);
    EXPECT_TRUE(signer.ok()) << signer.status();
    return *NoteVerifier::Parse(signer->VerifierKey());
  }
  std::vector<std::string> Hashes(const google::protobuf::RepeatedPtrField<std::string>& h) {
    return std::vector<std::string>(h.begin(), h.end());
  }

  TestServer server_;
  std::unique_ptr<v1::LedgerService::Stub> ledger_;
  std::unique_ptr<v1::AuditService::Stub> audit_;
};

TEST_F(ServicesTlogTest, CheckpointIsASignedNoteOfTheHead) {
  v1::GetCheckpointResponse response;
  ASSERT_TRUE(Checkpoint(0, &response).ok());
  EXPECT_EQ(response.tree_size(), 300u);
  ASSERT_EQ(response.root_hash().size(), 32u);
  absl::StatusOr<std::string> body = Verifier().Verify(response.checkpoint());
  ASSERT_TRUE(body.ok()) << body.status();
  absl::StatusOr<TlogCheckpoint> checkpoint = ParseCheckpointBody(*body);
  ASSERT_TRUE(checkpoint.ok());
  EXPECT_EQ(checkpoint->origin, "grantledger");
  EXPECT_EQ(checkpoint->size, 300u);
  EXPECT_EQ(checkpoint->root, response.root_hash());
  EXPECT_THAT(response.checkpoint(), HasSubstr("\n\n\xE2\x80\x94 grantledger "));
  // The key file was created 0600, and the checkpoint kept in the data directory.
  const auto perms =
      std::filesystem::status(server_.store().options().path + "/" + kSigningKeyFileName)
          .permissions();
  EXPECT_EQ(perms & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_TRUE(
      std::filesystem::exists(server_.store().options().path + "/" + kLastCheckpointFileName));
  // An earlier size: its own root.
  v1::GetCheckpointResponse earlier;
  ASSERT_TRUE(Checkpoint(1, &earlier).ok());
  EXPECT_EQ(earlier.tree_size(), 1u);
  EXPECT_NE(earlier.root_hash(), response.root_hash());
  EXPECT_THAT(Checkpoint(301, &earlier),
              GrpcStatusIs(grpc::StatusCode::OUT_OF_RANGE, HasSubstr("300")));
}

TEST_F(ServicesTlogTest, InclusionProofsVerifyAgainstCheckpoints) {
  for (uint64_t size : {1, 255, 256, 257, 300}) {
    v1::GetCheckpointResponse checkpoint;
    ASSERT_TRUE(Checkpoint(size, &checkpoint).ok());
    for (uint64_t sequence : {uint64_t{1}, size / 2 + 1, size}) {
      v1::GetInclusionProofResponse proof;
      ASSERT_TRUE(Inclusion(sequence, size, &proof).ok()) << sequence << " in " << size;
      EXPECT_EQ(proof.leaf_index(), sequence - 1);
      EXPECT_EQ(proof.tree_size(), size);
      EXPECT_EQ(proof.event().record().sequence(), sequence);
      EXPECT_TRUE(VerifyMerkleInclusion(MerkleLeafHash(proof.event().hash()), sequence - 1, size,
                                        Hashes(proof.hashes()), checkpoint.root_hash())
                      .ok())
          << sequence << " in " << size;
    }
  }
  v1::GetInclusionProofResponse head;
  ASSERT_TRUE(Inclusion(300, 0, &head).ok());
  EXPECT_EQ(head.tree_size(), 300u);
  EXPECT_THAT(Inclusion(0, 0, &head),
              GrpcStatusIs(grpc::StatusCode::OUT_OF_RANGE, HasSubstr("sequence")));
  EXPECT_THAT(Inclusion(11, 10, &head),
              GrpcStatusIs(grpc::StatusCode::OUT_OF_RANGE, HasSubstr("sequence")));
  EXPECT_THAT(Inclusion(1, 301, &head),
              GrpcStatusIs(grpc::StatusCode::OUT_OF_RANGE, HasSubstr("tree_size")));
}

TEST_F(ServicesTlogTest, ConsistencyProofsVerifyAndTheEdgeCasesAreRefusedAsDocumented) {
  std::vector<v1::GetCheckpointResponse> checkpoints(301);
  for (uint64_t size : {1, 2, 3, 128, 255, 256, 257, 299, 300}) {
    ASSERT_TRUE(Checkpoint(size, &checkpoints[size]).ok());
  }
  for (uint64_t first : {1, 2, 3, 128, 255, 256, 257, 299, 300}) {
    for (uint64_t second : {1, 2, 3, 128, 255, 256, 257, 299, 300}) {
      if (second < first) continue;
      v1::GetConsistencyProofResponse proof;
      ASSERT_TRUE(Consistency(first, second, &proof).ok()) << first << " to " << second;
      EXPECT_EQ(proof.first_size(), first);
      EXPECT_EQ(proof.second_size(), second);
      if (first == second) {
        EXPECT_EQ(proof.hashes_size(), 0);
      }
      EXPECT_TRUE(VerifyMerkleConsistency(first, second, checkpoints[first].root_hash(),
                                          checkpoints[second].root_hash(), Hashes(proof.hashes()))
                      .ok())
          << first << " to " << second;
    }
  }
  v1::GetConsistencyProofResponse proof;
  ASSERT_TRUE(Consistency(128, 0, &proof).ok());
  EXPECT_EQ(proof.second_size(), 300u);
  EXPECT_THAT(Consistency(0, 300, &proof),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("first_size")));
  EXPECT_THAT(Consistency(0, 0, &proof),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("first_size")));
  EXPECT_THAT(Consistency(200, 100, &proof),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("second_size")));
  EXPECT_THAT(Consistency(1, 301, &proof),
              GrpcStatusIs(grpc::StatusCode::OUT_OF_RANGE, HasSubstr("second_size")));
}

// A restart on a log that no longer extends the last checkpoint signed: grantledgerd refuses
// to start, exit 4, naming the sizes.
TEST(ServicesTlogStartTest, GrantledgerdRefusesALogShorterThanItsLastSignedCheckpoint) {
  TempDir dir;
  const std::string data = dir.Sub("data");
  {
    EventStoreOptions options;
    options.path = data;
    auto store = EventStore::Open(options);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->Append({RegisterGrant("reg", kGrant, 1'000'000)}).ok());
    ASSERT_TRUE((*store)->Append({Spend("s1", kGrant, 1)}).ok());
    LogSignerOptions signer_options;
    signer_options.data_dir = data;
    auto signer = LogSigner::Open(**store, signer_options);
    ASSERT_TRUE(signer.ok()) << signer.status();
    ASSERT_TRUE((*signer)->Checkpoint(0).ok());
  }
  // A copy whose log is one record shorter: the last record's entry gone, with what would
  // betray it (the head note and the projection checkpoint).
  const std::string cut = dir.Sub("cut");
  {
    EventStoreOptions options;
    options.path = cut;
    auto store = EventStore::Open(options);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->Append({RegisterGrant("reg", kGrant, 1'000'000)}).ok());
  }
  std::filesystem::copy_file(data + "/" + kSigningKeyFileName, cut + "/" + kSigningKeyFileName);
  std::filesystem::copy_file(data + "/" + kLastCheckpointFileName,
                             cut + "/" + kLastCheckpointFileName);
  const std::string log = dir.Sub("log");
  const std::string command =
      absl::StrCat("timeout 60 ", GRANTLEDGER_BINARY_DIR, "/services/grantledgerd --data-dir ", cut,
                   " --listen 127.0.0.1:0 2> ", log);
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 4);
  EXPECT_THAT(ReadWholeFile(log), HasSubstr("checkpoint of 2 was signed"));
}

}  // namespace
}  // namespace grantledger::testing
