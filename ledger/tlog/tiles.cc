// See tiles.h.
#include "ledger/tlog/tiles.h"

#include <map>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"

namespace grantledger {
namespace {

// The root of the 2^height hashes at `hashes` (height <= kTileHeight).
std::string SubtreeRoot(absl::string_view hashes, int height) {
  if (height == 0) return std::string(hashes.substr(0, kMerkleHashBytes));
  std::string level(hashes.substr(0, kMerkleHashBytes << height));
  for (int h = height; h > 0; --h) {
    const size_t count = size_t{1} << (h - 1);
    for (size_t i = 0; i < count; ++i) {
      MerkleNodeHashInto(
          absl::string_view(level).substr(2 * i * kMerkleHashBytes, kMerkleHashBytes),
          absl::string_view(level).substr((2 * i + 1) * kMerkleHashBytes, kMerkleHashBytes),
          level.data() + i * kMerkleHashBytes);
    }
  }
  level.resize(kMerkleHashBytes);
  return level;
}

}  // namespace

void AddLeafHash(TreeEdge& edge, absl::string_view leaf_hash,
                 std::vector<CompletedTile>& completed) {
  ++edge.size;
  if (edge.partial.empty()) edge.partial.resize(1);
  edge.partial[0].append(leaf_hash.data(), leaf_hash.size());
  for (size_t level = 0; edge.partial[level].size() == kTileBytes; ++level) {
    // The tile is full: it is to be stored, and its root carried to the level above.
    CompletedTile tile;
    tile.level = static_cast<int>(level);
    tile.index = (edge.size >> (kTileHeight * (level + 1))) - 1;
    std::string root = TileRoot(edge.partial[level]);
    tile.hashes = std::move(edge.partial[level]);
    edge.partial[level].clear();
    completed.push_back(std::move(tile));
    if (edge.partial.size() <= level + 1) edge.partial.resize(level + 2);
    edge.partial[level + 1].append(root);
  }
}

std::string TileRoot(absl::string_view tile) { return SubtreeRoot(tile, kTileHeight); }

MerkleNodeSource TileNodeSource(const TreeEdge& edge, TileReader read_tile) {
  auto cache = std::make_shared<std::map<std::pair<int, uint64_t>, std::string>>();
  return [&edge, read_tile = std::move(read_tile), cache](
             int level, uint64_t index) -> absl::StatusOr<std::string> {
    if (level < 0 || level >= 64 || index >= (edge.size >> level)) {
      return absl::InternalError(absl::StrCat(
          "node (", level, ", ", index, ") is not complete in the tree of ", edge.size, " leaves"));
    }
    const int tile_level = level / kTileHeight;
    const int height = level % kTileHeight;
    const uint64_t first = index << height;  // at level 8 * tile_level
    const uint64_t tile_index = first >> kTileHeight;
    const size_t offset = (first & (kTileWidth - 1)) * kMerkleHashBytes;
    const uint64_t full_tiles = edge.size >> (kTileHeight * (tile_level + 1));
    if (tile_index >= full_tiles) {
      const std::string& partial = edge.partial[tile_level];
      return SubtreeRoot(absl::string_view(partial).substr(offset), height);
    }
    auto [at, added] = cache->try_emplace({tile_level, tile_index});
    if (added) {
      absl::StatusOr<std::string> tile = read_tile(tile_level, tile_index);
      if (!tile.ok()) {
        cache->erase(at);
        return tile.status();
      }
      at->second = std::move(*tile);
    }
    return SubtreeRoot(absl::string_view(at->second).substr(offset), height);
  };
}

std::string EdgeRoot(const TreeEdge& edge) {
  absl::StatusOr<std::string> root =
      MerkleRoot(TileNodeSource(edge,
                                [](int level, uint64_t index) -> absl::StatusOr<std::string> {
                                  return absl::InternalError(absl::StrCat(
                                      "the edge's root read tile (", level, ", ", index, ")"));
                                }),
                 edge.size);
  return root.ok() ? *root : std::string();  // the edge holds every node of its root
}

absl::StatusOr<TreeEdge> EdgeFromTiles(uint64_t size, const TileReader& read_tile) {
  TreeEdge edge;
  edge.size = size;
  edge.partial.resize(1);
  for (int level = 1; (size >> (kTileHeight * level)) != 0; ++level) {
    const uint64_t nodes = size >> (kTileHeight * level);  // complete nodes at level 8L
    const uint64_t first = (nodes >> kTileHeight) << kTileHeight;
    std::string partial;
    for (uint64_t i = first; i < nodes; ++i) {
      absl::StatusOr<std::string> tile = read_tile(level - 1, i);
      if (!tile.ok()) return tile.status();
      partial += TileRoot(*tile);
    }
    edge.partial.push_back(std::move(partial));
  }
  return edge;
}

}  // namespace grantledger
