// The Merkle tree over the log (RFC 9162 section 2.1): leaf and node hashes, the root of a
// range, inclusion and consistency proofs generated over any source of complete-node hashes,
// and their verification. Pure: no I/O. The store keeps the nodes (ledger/store/merkle_store.h);
// the CLI and the witness verify with these same functions.
//
// A complete node (level, index) is the root of the 2^level leaves from index * 2^level on.
// Hashes are 32-byte strings.
#ifndef GRANTLEDGER_LEDGER_TLOG_MERKLE_H_
#define GRANTLEDGER_LEDGER_TLOG_MERKLE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace grantledger {

inline constexpr size_t kMerkleHashBytes = 32;

// SHA-256(0x00 || data): the leaf hash of `data` (for the ledger: a record's chain hash).
std::string MerkleLeafHash(absl::string_view data);
// SHA-256(0x01 || left || right).
std::string MerkleNodeHash(absl::string_view left, absl::string_view right);
// The same into `out` (kMerkleHashBytes), without allocating (the writer's hot path).
void MerkleLeafHashInto(absl::string_view data, char* out);
void MerkleNodeHashInto(absl::string_view left, absl::string_view right, char* out);
// SHA-256 of nothing: the root of the empty tree.
std::string MerkleEmptyRoot();

// The hash of complete node (level, index); an error stops the computation and is returned.
using MerkleNodeSource = std::function<absl::StatusOr<std::string>(int level, uint64_t index)>;

// MTH(D[0:size]), the root of the tree of the first `size` leaves. REQUIRES: every complete
// node of that tree is available from `nodes`.
absl::StatusOr<std::string> MerkleRoot(const MerkleNodeSource& nodes, uint64_t size);

// PATH(leaf, D[0:size]) (RFC 9162 2.1.3.1): from the leaf's sibling up. InvalidArgument unless
// leaf < size.
absl::StatusOr<std::vector<std::string>> MerkleInclusionProof(const MerkleNodeSource& nodes,
                                                              uint64_t leaf, uint64_t size);

// PROOF(first, D[0:second]) (RFC 9162 2.1.4.1); empty when first == second. InvalidArgument
// for first 0 (RFC 9162 defines no proof from the empty tree) or first > second.
absl::StatusOr<std::vector<std::string>> MerkleConsistencyProof(const MerkleNodeSource& nodes,
                                                                uint64_t first, uint64_t second);

// RFC 9162 2.1.3.2: OK when `proof` proves `leaf_hash` is leaf `leaf` of the tree of `size`
// leaves with `root`, every hash of it used; DataLoss naming what failed otherwise.
absl::Status VerifyMerkleInclusion(absl::string_view leaf_hash, uint64_t leaf, uint64_t size,
                                   const std::vector<std::string>& proof, absl::string_view root);

// RFC 9162 2.1.4.2: OK when `proof` proves the tree of `second` leaves with `second_root`
// extends the tree of `first` leaves with `first_root`, every hash of it used; DataLoss
// otherwise. first == second: the proof must be empty and the roots equal.
absl::Status VerifyMerkleConsistency(uint64_t first, uint64_t second, absl::string_view first_root,
                                     absl::string_view second_root,
                                     const std::vector<std::string>& proof);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_TLOG_MERKLE_H_
