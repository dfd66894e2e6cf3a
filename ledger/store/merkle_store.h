// The Merkle tree over the log (ledger/tlog/merkle.h) in RocksDB: its full tiles
// (ledger/tlog/tiles.h) in the `tree` column family, each written once, in the write that
// follows the records that complete it (with their ids: EventStore::WriteIndexes); the right
// edge in memory, rebuilt on open from the last tiles and the log's records after them. The root at
// any size and any proof then take one tile read per 8 levels. Derived data: checked on open
// against the root the projection checkpoint records, by VerifyDerived against a rebuild, and
// rebuilt by `grantledger reindex`.
//
//   tree   key: the tile's level (1 byte), its index (8 bytes big-endian)
//          value: the tile's 256 hashes (8 KiB)
#ifndef GRANTLEDGER_LEDGER_STORE_MERKLE_STORE_H_
#define GRANTLEDGER_LEDGER_STORE_MERKLE_STORE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "ledger/tlog/tiles.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class WriteBatch;
}  // namespace rocksdb

namespace grantledger {

inline constexpr char kTreeColumnFamily[] = "tree";

std::string TileKey(int level, uint64_t index);

class MerkleStore {
 public:
  // `tree` may be null (a read-only open of a ledger written before the tree): every query is
  // then FailedPrecondition.
  MerkleStore(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* tree, rocksdb::ColumnFamilyHandle* log,
              bool writable);

  // Brings the tree to the log's first `size` records: the tiles stored for the first
  // `trusted` records (those the caller checks against a root it holds), then the records
  // after them from the log (tiles they complete are written, or, read-only, kept in memory).
  absl::Status Open(uint64_t size, uint64_t trusted);
  // Makes every query fail with FailedPrecondition saying `why` (a read-only open that found
  // the tree damaged).
  void MarkUnusable(std::string why);

  // The writer: the edge after the records of log entry `entry` (the records right after
  // size()), with the tiles they complete put in `batch`; then, once the batch is durable,
  // Publish it. REQUIRES: called by one thread at a time.
  TreeEdge Extend(absl::string_view entry, rocksdb::WriteBatch& batch) const;
  void Publish(TreeEdge edge);

  uint64_t size() const;
  // Waits until the published tree has at least `size` records, or `timeout` has passed.
  void AwaitSize(uint64_t size, absl::Duration timeout) const;
  // OutOfRange for a size beyond size(); DataLoss for a damaged tile.
  absl::StatusOr<std::string> Root(uint64_t size) const;
  // InvalidArgument for leaf >= size.
  absl::StatusOr<std::vector<std::string>> InclusionProof(uint64_t leaf, uint64_t size) const;
  // InvalidArgument for first 0 or first > second.
  absl::StatusOr<std::vector<std::string>> ConsistencyProof(uint64_t first, uint64_t second) const;

  // The stored tile, as stored; NotFound when there is none. `fill_cache` false: a walk over
  // every tile (`verify`) reads past the block cache instead of filling it.
  absl::StatusOr<std::string> ReadStoredTile(int level, uint64_t index,
                                             bool fill_cache = true) const;
  // Calls `visit` with every stored tile's level and index, in key order (a damaged key: -1),
  // past the block cache.
  absl::Status ForEachStoredTile(const std::function<void(int, uint64_t)>& visit) const;

 private:
  std::shared_ptr<const TreeEdge> Edge() const;
  absl::Status Usable() const;
  absl::StatusOr<std::string> ReadTile(int level, uint64_t index) const;
  absl::Status CheckSize(uint64_t size, absl::string_view what, uint64_t tree_size) const;

  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* tree_;
  rocksdb::ColumnFamilyHandle* log_;
  bool writable_;
  std::string unusable_;
  // Tiles a read-only open built and could not store.
  std::map<std::pair<int, uint64_t>, std::string> unstored_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const TreeEdge> edge_ ABSL_GUARDED_BY(mu_);
};

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_STORE_MERKLE_STORE_H_
