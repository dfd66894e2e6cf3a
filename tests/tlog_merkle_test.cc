// The transparency log's pure parts (ledger/tlog/): RFC 9162 hashes, roots and proofs against
// a brute-force tree built here straight from the RFC's definitions, hand-checkable cases, the
// tiles against the same reference, and C2SP checkpoints and signed notes.
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "ledger/tlog/merkle.h"
#include "ledger/tlog/note.h"
#include "ledger/tlog/tiles.h"

namespace grantledger {
namespace {

std::string Hex(const std::string& bytes) { return absl::BytesToHexString(bytes); }

// RFC 9162 2.1.1 MTH, 2.1.3.1 PATH and 2.1.4.1 PROOF, literally, over a list of leaf hashes.
uint64_t K(uint64_t n) {
  uint64_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
std::string Mth(const std::vector<std::string>& d, uint64_t from, uint64_t to) {
  if (to - from == 0) return MerkleEmptyRoot();
  if (to - from == 1) return d[from];
  const uint64_t k = K(to - from);
  return MerkleNodeHash(Mth(d, from, from + k), Mth(d, from + k, to));
}
std::vector<std::string> Path(uint64_t m, const std::vector<std::string>& d, uint64_t from,
                              uint64_t to) {
  const uint64_t n = to - from;
  if (n == 1) return {};
  const uint64_t k = K(n);
  std::vector<std::string> out;
  if (m < k) {
    out = Path(m, d, from, from + k);
    out.push_back(Mth(d, from + k, to));
  } else {
    out = Path(m - k, d, from + k, to);
    out.push_back(Mth(d, from, from + k));
  }
  return out;
}
std::vector<std::string> Subproof(uint64_t m, const std::vector<std::string>& d, uint64_t from,
                                  uint64_t to, bool b) {
  const uint64_t n = to - from;
  if (m == n) return b ? std::vector<std::string>{} : std::vector<std::string>{Mth(d, from, to)};
  const uint64_t k = K(n);
  std::vector<std::string> out;
  if (m <= k) {
    out = Subproof(m, d, from, from + k, b);
    out.push_back(Mth(d, from + k, to));
  } else {
    out = Subproof(m - k, d, from + k, to, false);
    out.push_back(Mth(d, from, from + k));
  }
  return out;
}

std::vector<std::string> Leaves(uint64_t n) {
  std::vector<std::string> d;
  for (uint64_t i = 0; i < n; ++i) d.push_back(MerkleLeafHash(absl::StrCat("record ", i)));
  return d;
}

// Complete nodes of the reference tree, level by level.
struct Reference {
  std::vector<std::vector<std::string>> levels;
  explicit Reference(const std::vector<std::string>& d) {
    levels.push_back(d);
    while (levels.back().size() > 1) {
      const std::vector<std::string>& below = levels.back();
      std::vector<std::string> above;
      for (size_t i = 0; i + 1 < below.size(); i += 2) {
        above.push_back(MerkleNodeHash(below[i], below[i + 1]));
      }
      levels.push_back(std::move(above));
    }
  }
  MerkleNodeSource Source(uint64_t size) const {
    return [this, size](int level, uint64_t index) -> absl::StatusOr<std::string> {
      if (index >= (size >> level)) return absl::InternalError("not a complete node");
      return levels[level][index];
    };
  }
};

TEST(TlogMerkleTest, HashesAreRfc9162s) {
  // SHA-256("") and SHA-256(0x00): the empty tree and the leaf of the empty string.
  EXPECT_EQ(Hex(MerkleEmptyRoot()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Hex(MerkleLeafHash("")),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  const std::string a = MerkleLeafHash("a");
  const std::string b = MerkleLeafHash("b");
  const std::vector<std::string> d = {a, b, MerkleLeafHash("c")};
  Reference ref(d);
  // Size 1: the root is the leaf hash, the path empty.
  EXPECT_EQ(*MerkleRoot(ref.Source(1), 1), a);
  EXPECT_TRUE(MerkleInclusionProof(ref.Source(1), 0, 1)->empty());
  EXPECT_TRUE(VerifyMerkleInclusion(a, 0, 1, {}, a).ok());
  // Size 3 by hand: H(1 || H(1 || a || b) || c); the last leaf's path is [H(ab)].
  const std::string ab = MerkleNodeHash(a, b);
  EXPECT_EQ(*MerkleRoot(ref.Source(3), 3), MerkleNodeHash(ab, d[2]));
  EXPECT_EQ(*MerkleInclusionProof(ref.Source(3), 2, 3), std::vector<std::string>{ab});
  EXPECT_EQ(*MerkleInclusionProof(ref.Source(3), 0, 3), (std::vector<std::string>{b, d[2]}));
  // Consistency 2 -> 3 is [c]; 1 -> 2 is [b]; 2 -> 2 empty.
  EXPECT_EQ(*MerkleConsistencyProof(ref.Source(3), 2, 3), std::vector<std::string>{d[2]});
  EXPECT_EQ(*MerkleConsistencyProof(ref.Source(3), 1, 2), std::vector<std::string>{b});
  EXPECT_TRUE(MerkleConsistencyProof(ref.Source(3), 2, 2)->empty());
  EXPECT_TRUE(VerifyMerkleConsistency(2, 2, ab, ab, {}).ok());
  EXPECT_FALSE(VerifyMerkleConsistency(2, 2, ab, a, {}).ok());
}

TEST(TlogMerkleTest, ConsistencyFromZeroOrBackwardsIsInvalidArgument) {
  Reference ref(Leaves(4));
  EXPECT_EQ(MerkleConsistencyProof(ref.Source(4), 0, 4).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MerkleConsistencyProof(ref.Source(4), 3, 2).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MerkleInclusionProof(ref.Source(4), 4, 4).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(VerifyMerkleConsistency(0, 4, MerkleEmptyRoot(), MerkleEmptyRoot(), {}).ok());
}

TEST(TlogMerkleTest, EveryProofUpTo70LeavesIsTheRfcsAndVerifiesAndNoAlteredOneDoes) {
  const std::vector<std::string> d = Leaves(70);
  Reference ref(d);
  for (uint64_t n = 1; n <= d.size(); ++n) {
    const std::string root = Mth(d, 0, n);
    ASSERT_EQ(*MerkleRoot(ref.Source(n), n), root) << n;
    for (uint64_t m = 0; m < n; ++m) {
      std::vector<std::string> proof = *MerkleInclusionProof(ref.Source(n), m, n);
      ASSERT_EQ(proof, Path(m, d, 0, n)) << m << " in " << n;
      ASSERT_TRUE(VerifyMerkleInclusion(d[m], m, n, proof, root).ok()) << m << " in " << n;
      if (m + 1 < n) {
        EXPECT_FALSE(VerifyMerkleInclusion(d[m], m + 1, n, proof, root).ok());
      }
      for (size_t i = 0; i < proof.size(); ++i) {
        std::vector<std::string> altered = proof;
        altered[i][7] ^= 1;
        EXPECT_FALSE(VerifyMerkleInclusion(d[m], m, n, altered, root).ok());
      }
      std::vector<std::string> longer = proof;
      longer.push_back(root);
      EXPECT_FALSE(VerifyMerkleInclusion(d[m], m, n, longer, root).ok());  // fully consumed
      if (!proof.empty()) {
        proof.pop_back();
        EXPECT_FALSE(VerifyMerkleInclusion(d[m], m, n, proof, root).ok());
      }
    }
    for (uint64_t m = 1; m <= n; ++m) {
      std::vector<std::string> proof = *MerkleConsistencyProof(ref.Source(n), m, n);
      ASSERT_EQ(proof, Subproof(m, d, 0, n, true)) << m << " to " << n;
      const std::string old_root = Mth(d, 0, m);
      ASSERT_TRUE(VerifyMerkleConsistency(m, n, old_root, root, proof).ok()) << m << " to " << n;
      for (size_t i = 0; i < proof.size(); ++i) {
        std::vector<std::string> altered = proof;
        altered[i][0] ^= 0x80;
        EXPECT_FALSE(VerifyMerkleConsistency(m, n, old_root, root, altered).ok());
      }
      if (m < n) {
        EXPECT_FALSE(VerifyMerkleConsistency(m, n, root, root, proof).ok());
        EXPECT_FALSE(VerifyMerkleConsistency(m, n, old_root, old_root, proof).ok());
        std::vector<std::string> longer = proof;
        longer.push_back(root);
        EXPECT_FALSE(VerifyMerkleConsistency(m, n, old_root, root, longer).ok());
        std::vector<std::string> shorter(proof.begin(), proof.end() - 1);
        EXPECT_FALSE(VerifyMerkleConsistency(m, n, old_root, root, shorter).ok());
        if (m + 1 < n) {
          EXPECT_FALSE(VerifyMerkleConsistency(m + 1, n, old_root, root, proof).ok());
        }
      }
    }
  }
}

TEST(TlogTilesTest, TilesGiveTheReferenceTreesRootsAndProofsAcrossTwoTileLevels) {
  const uint64_t kLeaves = 256 * 256 + 300;  // a full level-1 tile and a bit
  const std::vector<std::string> d = Leaves(kLeaves);
  Reference ref(d);
  TreeEdge edge;
  std::map<std::pair<int, uint64_t>, std::string> stored;
  std::vector<CompletedTile> completed;
  std::mt19937_64 random(15);
  auto read = [&stored](int level, uint64_t index) -> absl::StatusOr<std::string> {
    auto it = stored.find({level, index});
    if (it == stored.end()) return absl::NotFoundError("no such tile");
    return it->second;
  };
  const std::vector<uint64_t> checks = {1,   2,     255,   256,   257,    511,
                                        512, 65535, 65536, 65537, kLeaves};
  size_t next_check = 0;
  for (uint64_t i = 0; i < kLeaves; ++i) {
    AddLeafHash(edge, d[i], completed);
    for (CompletedTile& tile : completed) stored[{tile.level, tile.index}] = std::move(tile.hashes);
    completed.clear();
    if (edge.size != checks[next_check]) continue;
    ++next_check;
    const uint64_t n = edge.size;
    ASSERT_EQ(EdgeRoot(edge), Mth(d, 0, n)) << n;
    MerkleNodeSource tiles = TileNodeSource(edge, read);
    for (int k = 0; k < 40; ++k) {
      const uint64_t m = k == 0 ? n - 1 : random() % n;
      ASSERT_EQ(*MerkleInclusionProof(tiles, m, n), *MerkleInclusionProof(ref.Source(n), m, n));
      const uint64_t first = 1 + random() % n;
      const uint64_t second = first + random() % (n - first + 1);
      ASSERT_EQ(*MerkleConsistencyProof(tiles, first, second),
                *MerkleConsistencyProof(ref.Source(second), first, second));
      ASSERT_EQ(*MerkleRoot(tiles, first), Mth(d, 0, first));
    }
  }
  EXPECT_EQ(next_check, checks.size());
  EXPECT_EQ(stored.count({1, 0}), 1u);
  EXPECT_EQ(stored.count({0, 256}), 1u);
  // The edge rebuilt from the tiles, then the leaves after them, is the same edge.
  absl::StatusOr<TreeEdge> rebuilt = EdgeFromTiles(kLeaves / 256 * 256, read);
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status();
  for (uint64_t i = kLeaves / 256 * 256; i < kLeaves; ++i) AddLeafHash(*rebuilt, d[i], completed);
  EXPECT_TRUE(completed.empty());
  EXPECT_EQ(rebuilt->partial, edge.partial);
  // A node beyond the tree is refused, not made up.
  EXPECT_FALSE(TileNodeSource(edge, read)(0, kLeaves).ok());
}

TEST(TlogNoteTest, CheckpointIsSignedAndVerifiedAsC2spSays) {
  const std::string seed(32, '\x07');
  absl::StatusOr<NoteSigner> signer = NoteSigner::FromPrivateKey("example.org/ledger", seed);
  ASSERT_TRUE(signer.ok()) << signer.status();
  TlogCheckpoint checkpoint{"example.org/ledger", 42, MerkleLeafHash("x")};
  const std::string body = CheckpointBody(checkpoint);
  EXPECT_EQ(body,
            absl::StrCat("example.org/ledger\n42\n", absl::Base64Escape(checkpoint.root), "\n"));
  absl::StatusOr<std::string> note = signer->Sign(body);
  ASSERT_TRUE(note.ok());
  // "\n\n— NAME base64(keyid||sig)\n" with a 4-byte key id and a 64-byte signature.
  const std::string prefix = body + "\n\xE2\x80\x94 example.org/ledger ";
  ASSERT_EQ(note->substr(0, prefix.size()), prefix);
  std::string blob;
  ASSERT_TRUE(
      absl::Base64Unescape(note->substr(prefix.size(), note->size() - prefix.size() - 1), &blob));
  EXPECT_EQ(blob.size(), 68u);
  // The key ID is SHA-256(name || 0x0A || 0x01 || public key)[:4].
  const uint32_t id = Ed25519KeyId("example.org/ledger", signer->public_key());
  EXPECT_EQ(static_cast<unsigned char>(blob[0]), id >> 24);
  const std::string vkey = signer->VerifierKey();
  EXPECT_EQ(vkey.substr(0, 19), "example.org/ledger+");
  EXPECT_EQ(vkey.substr(19, 8), absl::StrFormat("%08x", id));
  absl::StatusOr<NoteVerifier> verifier = NoteVerifier::Parse(vkey);
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  absl::StatusOr<std::string> verified = verifier->Verify(*note);
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(*verified, body);
  absl::StatusOr<TlogCheckpoint> parsed = ParseCheckpointBody(*verified);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->size, 42u);
  EXPECT_EQ(parsed->root, checkpoint.root);

  // Another size, another root byte, another key, a cut signature: all fail.
  std::string altered = *note;
  altered.replace(altered.find("\n42\n"), 4, "\n43\n");
  EXPECT_EQ(verifier->Verify(altered).status().code(), absl::StatusCode::kDataLoss);
  NoteSigner other = *NoteSigner::FromPrivateKey("example.org/ledger", std::string(32, '\x08'));
  EXPECT_FALSE(NoteVerifier::Parse(other.VerifierKey())->Verify(*note).ok());
  EXPECT_FALSE(verifier->Verify(*other.Sign(body)).ok());
  EXPECT_FALSE(verifier->Verify(body).ok());
  // A verifier key whose id does not match is refused.
  std::string bad_key = vkey;
  bad_key[19] = bad_key[19] == '0' ? '1' : '0';
  EXPECT_FALSE(NoteVerifier::Parse(bad_key).ok());
}

// Base64 holds '+': a verifier key is NAME+KEYID+KEY split at the first two only.
TEST(TlogNoteTest, EveryGeneratedKeysVerifierKeyParses) {
  int with_plus = 0;
  for (int i = 0; i < 64; ++i) {
    absl::StatusOr<NoteSigner> signer = NoteSigner::Generate("region-jh.se/grantledger");
    ASSERT_TRUE(signer.ok());
    const std::string vkey = signer->VerifierKey();
    with_plus += vkey.find('+', vkey.find('+', vkey.find('+') + 1) + 1) != std::string::npos;
    absl::StatusOr<NoteVerifier> verifier = NoteVerifier::Parse(vkey);
    ASSERT_TRUE(verifier.ok()) << vkey << ": " << verifier.status();
    EXPECT_TRUE(verifier->Verify(*signer->Sign("body\n")).ok());
  }
  EXPECT_GT(with_plus, 0);
}

TEST(TlogNoteTest, MalformedCheckpointBodiesAreRefused) {
  const std::string root = absl::Base64Escape(std::string(32, 'r'));
  EXPECT_TRUE(ParseCheckpointBody(absl::StrCat("o\n1\n", root, "\n")).ok());
  EXPECT_TRUE(ParseCheckpointBody(absl::StrCat("o\n1\n", root, "\nextension\n")).ok());
  EXPECT_FALSE(ParseCheckpointBody(absl::StrCat("o\n1\n", root)).ok());
  EXPECT_FALSE(ParseCheckpointBody(absl::StrCat("o\n01\n", root, "\n")).ok());
  EXPECT_FALSE(ParseCheckpointBody(absl::StrCat("o\n-1\n", root, "\n")).ok());
  EXPECT_FALSE(ParseCheckpointBody(absl::StrCat("\n1\n", root, "\n")).ok());
  EXPECT_FALSE(ParseCheckpointBody("o\n1\nAAAA\n").ok());
  EXPECT_FALSE(ParseCheckpointBody(absl::StrCat("o\n1\n", root, "\n\n")).ok());
}

}  // namespace
}  // namespace grantledger
