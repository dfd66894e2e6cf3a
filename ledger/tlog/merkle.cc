// See merkle.h. The recursions follow RFC 9162 2.1.1, 2.1.3.1 and 2.1.4.1 with an offset, so
// every left part is a complete node the source can give directly.
#include "ledger/tlog/merkle.h"

#include <bit>

#include "absl/strings/str_cat.h"
#include "ledger/tlog/sha256.h"

namespace grantledger {
namespace {

using absl::StrCat;

// SHA-256(prefix || a || b) into out.
void HashInto(unsigned char prefix, absl::string_view a, absl::string_view b, char* out) {
  const char p = static_cast<char>(prefix);
  Sha256Into({absl::string_view(&p, 1), a, b}, out);
}

// The largest power of two below n. REQUIRES: n >= 2.
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

// MTH(D[offset:offset+n]). REQUIRES: n >= 1; offset a multiple of bit_floor(n)'s doubling, as
// the recursions below give it.
absl::StatusOr<std::string> RangeRoot(const MerkleNodeSource& nodes, uint64_t offset, uint64_t n) {
  if (std::has_single_bit(n)) {
    const int level = std::countr_zero(n);
    return nodes(level, offset >> level);
  }
  const uint64_t k = SplitPoint(n);
  absl::StatusOr<std::string> left = RangeRoot(nodes, offset, k);
  if (!left.ok()) return left.status();
  absl::StatusOr<std::string> right = RangeRoot(nodes, offset + k, n - k);
  if (!right.ok()) return right.status();
  return MerkleNodeHash(*left, *right);
}

absl::Status ConsistencySubproof(const MerkleNodeSource& nodes, uint64_t m, uint64_t offset,
                                 uint64_t n, bool whole, std::vector<std::string>& out) {
  if (m == n) {
    if (whole) return absl::OkStatus();
    absl::StatusOr<std::string> root = RangeRoot(nodes, offset, n);
    if (!root.ok()) return root.status();
    out.push_back(std::move(*root));
    return absl::OkStatus();
  }
  const uint64_t k = SplitPoint(n);
  absl::StatusOr<std::string> sibling;
  if (m <= k) {
    if (absl::Status s = ConsistencySubproof(nodes, m, offset, k, whole, out); !s.ok()) return s;
    sibling = RangeRoot(nodes, offset + k, n - k);
  } else {
    absl::Status s = ConsistencySubproof(nodes, m - k, offset + k, n - k, false, out);
    if (!s.ok()) return s;
    sibling = RangeRoot(nodes, offset, k);
  }
  if (!sibling.ok()) return sibling.status();
  out.push_back(std::move(*sibling));
  return absl::OkStatus();
}

bool BadHash(absl::string_view h) { return h.size() != kMerkleHashBytes; }

}  // namespace

void MerkleLeafHashInto(absl::string_view data, char* out) {
  HashInto(0x00, data, absl::string_view(), out);
}

void MerkleNodeHashInto(absl::string_view left, absl::string_view right, char* out) {
  HashInto(0x01, left, right, out);
}

std::string MerkleLeafHash(absl::string_view data) {
  std::string out(kMerkleHashBytes, '\0');
  MerkleLeafHashInto(data, out.data());
  return out;
}

std::string MerkleNodeHash(absl::string_view left, absl::string_view right) {
  std::string out(kMerkleHashBytes, '\0');
  MerkleNodeHashInto(left, right, out.data());
  return out;
}

std::string MerkleEmptyRoot() {
  static const std::string* const empty = [] {
    auto* out = new std::string(kMerkleHashBytes, '\0');
    Sha256Into({}, out->data());
    return out;
  }();
  return *empty;
}

absl::StatusOr<std::string> MerkleRoot(const MerkleNodeSource& nodes, uint64_t size) {
  if (size == 0) return MerkleEmptyRoot();
  return RangeRoot(nodes, 0, size);
}

absl::StatusOr<std::vector<std::string>> MerkleInclusionProof(const MerkleNodeSource& nodes,
                                                              uint64_t leaf, uint64_t size) {
  if (leaf >= size) {
    return absl::InvalidArgumentError(
        StrCat("leaf ", leaf, " is not in a tree of ", size, " leaves"));
  }
  // Top-down, then reversed: RFC 9162 lists the path from the leaf's sibling up.
  std::vector<std::string> path;
  uint64_t offset = 0;
  uint64_t n = size;
  uint64_t m = leaf;
  while (n > 1) {
    const uint64_t k = SplitPoint(n);
    absl::StatusOr<std::string> sibling;
    if (m < k) {
      sibling = RangeRoot(nodes, offset + k, n - k);
      n = k;
    } else {
      sibling = RangeRoot(nodes, offset, k);
      offset += k;
      m -= k;
      n -= k;
    }
    if (!sibling.ok()) return sibling.status();
    path.push_back(std::move(*sibling));
  }
  return std::vector<std::string>(path.rbegin(), path.rend());
}

absl::StatusOr<std::vector<std::string>> MerkleConsistencyProof(const MerkleNodeSource& nodes,
                                                                uint64_t first, uint64_t second) {
  if (first == 0) {
    return absl::InvalidArgumentError(
        "first_size: 0 has no consistency proof (RFC 9162 defines none from the empty tree); "
        "give a size of at least 1");
  }
  if (first > second) {
    return absl::InvalidArgumentError(StrCat("first_size: ", first, " is after second_size ",
                                             second, "; give first_size <= second_size"));
  }
  std::vector<std::string> proof;
  if (absl::Status s = ConsistencySubproof(nodes, first, 0, second, true, proof); !s.ok()) {
    return s;
  }
  return proof;
}

absl::Status VerifyMerkleInclusion(absl::string_view leaf_hash, uint64_t leaf, uint64_t size,
                                   const std::vector<std::string>& proof, absl::string_view root) {
  if (leaf >= size) {
    return absl::DataLossError(StrCat("leaf ", leaf, " is not in a tree of ", size, " leaves"));
  }
  if (BadHash(leaf_hash) || BadHash(root)) {
    return absl::DataLossError("a leaf hash or root is not 32 bytes");
  }
  uint64_t fn = leaf;
  uint64_t sn = size - 1;
  std::string r(leaf_hash);
  for (const std::string& p : proof) {
    if (BadHash(p)) return absl::DataLossError("the inclusion proof holds a hash not 32 bytes");
    if (sn == 0) {
      return absl::DataLossError("the inclusion proof has more hashes than the tree has levels");
    }
    if ((fn & 1) == 1 || fn == sn) {
      r = MerkleNodeHash(p, r);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = MerkleNodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) {
    return absl::DataLossError("the inclusion proof has fewer hashes than the tree has levels");
  }
  if (r != root) {
    return absl::DataLossError(StrCat("the inclusion proof of leaf ", leaf, " in the tree of ",
                                      size, " leaves does not lead to its root"));
  }
  return absl::OkStatus();
}

absl::Status VerifyMerkleConsistency(uint64_t first, uint64_t second, absl::string_view first_root,
                                     absl::string_view second_root,
                                     const std::vector<std::string>& proof) {
  if (BadHash(first_root) || BadHash(second_root)) {
    return absl::DataLossError("a root is not 32 bytes");
  }
  if (first == 0 || first > second) {
    return absl::DataLossError(
        StrCat("no consistency proof exists from size ", first, " to size ", second));
  }
  if (first == second) {
    if (!proof.empty()) {
      return absl::DataLossError("a consistency proof between equal sizes must be empty");
    }
    if (first_root != second_root) {
      return absl::DataLossError(
          StrCat("two different roots for the same size ", first, ": the log forked"));
    }
    return absl::OkStatus();
  }
  if (proof.empty()) return absl::DataLossError("the consistency proof is empty");
  for (const std::string& c : proof) {
    if (BadHash(c)) return absl::DataLossError("the consistency proof holds a hash not 32 bytes");
  }
  std::vector<std::string> path;
  path.reserve(proof.size() + 1);
  if (std::has_single_bit(first)) path.emplace_back(first_root);
  path.insert(path.end(), proof.begin(), proof.end());
  uint64_t fn = first - 1;
  uint64_t sn = second - 1;
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  std::string fr = path[0];
  std::string sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const std::string& c = path[i];
    if (sn == 0) {
      return absl::DataLossError("the consistency proof has more hashes than it needs");
    }
    if ((fn & 1) == 1 || fn == sn) {
      fr = MerkleNodeHash(c, fr);
      sr = MerkleNodeHash(c, sr);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = MerkleNodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return absl::DataLossError("the consistency proof has fewer hashes than it needs");
  if (fr != first_root) {
    return absl::DataLossError(StrCat("the consistency proof from size ", first, " to size ",
                                      second, " does not lead to the root of size ", first,
                                      ": the log does not extend it"));
  }
  if (sr != second_root) {
    return absl::DataLossError(StrCat("the consistency proof from size ", first, " to size ",
                                      second, " does not lead to the root of size ", second));
  }
  return absl::OkStatus();
}

}  // namespace grantledger
