// The Merkle tree cut into tiles (after C2SP tlog-tiles): a tile of level L and index K holds
// the 256 hashes of nodes (8L, 256K .. 256K+255). A full tile never changes, so it is written
// once; the tree's right edge (the nodes of each level not yet in a full tile) is a TreeEdge,
// kept in memory. Any complete node is then one tile (or the edge) and at most 127 hashings
// away. Pure: the store reads and writes the tiles (ledger/store/merkle_store.h).
#ifndef GRANTLEDGER_LEDGER_TLOG_TILES_H_
#define GRANTLEDGER_LEDGER_TLOG_TILES_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/tlog/merkle.h"

namespace grantledger {

inline constexpr int kTileHeight = 8;
inline constexpr uint64_t kTileWidth = uint64_t{1} << kTileHeight;
inline constexpr size_t kTileBytes = kTileWidth * kMerkleHashBytes;

// The tree of `size` leaves as far as it is not in full tiles: partial[L] holds the hashes of
// level-8L nodes from the first not in a full tile of level L on ((size >> 8L) % 256 of them).
struct TreeEdge {
  uint64_t size = 0;
  std::vector<std::string> partial;
};

// A tile completed by AddLeafHash: to be stored.
struct CompletedTile {
  int level = 0;
  uint64_t index = 0;
  std::string hashes;  // kTileBytes
};

// Appends the leaf with hash `leaf_hash` (MerkleLeafHash of the record's chain hash) to the
// tree; each tile it completes is appended to `completed`.
void AddLeafHash(TreeEdge& edge, absl::string_view leaf_hash,
                 std::vector<CompletedTile>& completed);

// The root of a full tile: the node 8 levels above its hashes. REQUIRES: tile.size() == kTileBytes.
std::string TileRoot(absl::string_view tile);

// The full tile (level, index); its hashes (kTileBytes), or the error that stops the computation.
using TileReader = std::function<absl::StatusOr<std::string>(int level, uint64_t index)>;

// Complete nodes of the tree `edge` stands for: from the edge, or from full tiles got from
// `read_tile` (each read at most once per source). A node not complete in that tree is an
// Internal error. The source keeps a reference to `edge`, which must outlive it.
MerkleNodeSource TileNodeSource(const TreeEdge& edge, TileReader read_tile);

// The root of the tree `edge` stands for, from the edge alone (no tile is read).
std::string EdgeRoot(const TreeEdge& edge);

// The edge of a tree of `size` leaves, a multiple of kTileWidth, whose full tiles `read_tile`
// gives (each level's edge is the roots of the tiles one level down).
absl::StatusOr<TreeEdge> EdgeFromTiles(uint64_t size, const TileReader& read_tile);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_TLOG_TILES_H_
