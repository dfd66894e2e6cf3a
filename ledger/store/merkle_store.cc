// The Merkle tree's tiles in RocksDB; see merkle_store.h. EventStore::OpenTree is here too:
// the tree brought to the head on open and checked against the projection checkpoint.
#include "ledger/store/merkle_store.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "ledger/status_macros.h"
#include "ledger/store/event_store.h"
#include "ledger/store/log_format.h"
#include "ledger/store/rocks_status.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace grantledger {
namespace {

using absl::StrCat;

constexpr char kReindexAdvice[] = "rebuild it from the log with `grantledger reindex --db DIR`";
// Records per write while the tree is built from the log on open.
constexpr uint64_t kBuildBatchRecords = 1 << 16;

}  // namespace

std::string TileKey(int level, uint64_t index) {
  return std::string(1, static_cast<char>(level)) + EncodeSequence(index);
}

MerkleStore::MerkleStore(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* tree,
                         rocksdb::ColumnFamilyHandle* log, bool writable)
    : db_(db), tree_(tree), log_(log), writable_(writable), edge_(std::make_shared<TreeEdge>()) {
  if (tree_ == nullptr) {
    unusable_ =
        "this ledger was written before the Merkle tree; open it once writable "
        "(`grantledger reindex --db DIR`, or start grantledgerd on it) to build it";
  }
}

void MerkleStore::MarkUnusable(std::string why) { unusable_ = std::move(why); }

absl::Status MerkleStore::Usable() const {
  if (unusable_.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(unusable_);
}

std::shared_ptr<const TreeEdge> MerkleStore::Edge() const {
  absl::MutexLock lock(&mu_);
  return edge_;
}

uint64_t MerkleStore::size() const { return Edge()->size; }

namespace {
struct SizeWanted {
  const std::shared_ptr<const TreeEdge>* edge;
  uint64_t size;
};
bool SizeReached(SizeWanted* wanted) { return (*wanted->edge)->size >= wanted->size; }
}  // namespace

void MerkleStore::AwaitSize(uint64_t size, absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  SizeWanted wanted{&edge_, size};
  (void)mu_.AwaitWithTimeout(absl::Condition(&SizeReached, &wanted), timeout);
}

absl::StatusOr<std::string> MerkleStore::ReadStoredTile(int level, uint64_t index,
                                                        bool fill_cache) const {
  if (tree_ == nullptr) return absl::NotFoundError("no tree");
  std::string value;
  rocksdb::ReadOptions read_options;
  read_options.fill_cache = fill_cache;
  rocksdb::Status s = db_->Get(read_options, tree_, TileKey(level, index), &value);
  if (s.IsNotFound()) return absl::NotFoundError(StrCat("no tile (", level, ", ", index, ")"));
  GL_RETURN_IF_ERROR(FromRocks(s, "reading the Merkle tree"));
  return value;
}

absl::StatusOr<std::string> MerkleStore::ReadTile(int level, uint64_t index) const {
  if (auto it = unstored_.find({level, index}); it != unstored_.end()) return it->second;
  absl::StatusOr<std::string> tile = ReadStoredTile(level, index);
  if (absl::IsNotFound(tile.status())) {
    return absl::DataLossError(
        StrCat("tile (", level, ", ", index, ") of the Merkle tree is missing; ", kReindexAdvice));
  }
  if (tile.ok() && tile->size() != kTileBytes) {
    return absl::DataLossError(
        StrCat("tile (", level, ", ", index, ") of the Merkle tree is damaged; ", kReindexAdvice));
  }
  return tile;
}

absl::Status MerkleStore::ForEachStoredTile(const std::function<void(int, uint64_t)>& visit) const {
  if (tree_ == nullptr) return absl::OkStatus();
  rocksdb::ReadOptions read_options;
  read_options.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, tree_));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const absl::string_view key = View(it->key());
    if (key.size() != 9) {
      visit(-1, 0);
      continue;
    }
    visit(static_cast<unsigned char>(key[0]), DecodeSequence(key.substr(1)));
  }
  return FromRocks(it->status(), "reading the Merkle tree");
}

absl::Status MerkleStore::Open(uint64_t size, uint64_t trusted) {
  if (tree_ == nullptr) return absl::OkStatus();
  // The level-0 tiles stored (a crash never leaves a gap: the tiles are written in order, in
  // the write after their records', EventStore::WriteIndexes).
  uint64_t stored = 0;
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), tree_));
    it->SeekForPrev(TileKey(0, ~uint64_t{0}));
    if (it->Valid() && it->key().size() == 9 && it->key()[0] == 0) {
      stored = DecodeSequence(View(it->key()).substr(1)) + 1;
    }
    GL_RETURN_IF_ERROR(FromRocks(it->status(), "reading the Merkle tree"));
  }
  const uint64_t from = std::min({stored, size >> kTileHeight, trusted >> kTileHeight})
                        << kTileHeight;
  GL_ASSIGN_OR_RETURN(TreeEdge edge, EdgeFromTiles(from, [this](int level, uint64_t index) {
                        return ReadTile(level, index);
                      }));
  rocksdb::WriteBatch batch;
  if (writable_ && stored > (size >> kTileHeight)) {
    // Tiles beyond the log's head (a log cut back and reopened): not the log's.
    for (int level = 0; level < 8; ++level) {
      batch.DeleteRange(tree_, TileKey(level, size >> (kTileHeight * (level + 1))),
                        TileKey(level + 1, 0));
    }
  }
  // The records after the stored tiles, from the log.
  std::vector<CompletedTile> completed;
  auto keep = [&]() -> absl::Status {
    for (CompletedTile& tile : completed) {
      if (writable_) {
        batch.Put(tree_, TileKey(tile.level, tile.index), tile.hashes);
      } else {
        unstored_[{tile.level, tile.index}] = std::move(tile.hashes);
      }
    }
    completed.clear();
    if (batch.Count() == 0) return absl::OkStatus();
    GL_RETURN_IF_ERROR(
        FromRocks(db_->Write(rocksdb::WriteOptions(), &batch), "writing the Merkle tree"));
    batch.Clear();
    return absl::OkStatus();
  };
  if (edge.size < size) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), log_));
    const uint64_t start = edge.size + 1;
    it->SeekForPrev(EncodeSequence(start));
    if (!it->Valid()) it->SeekToFirst();
    std::vector<LogValue> records;
    char leaf[kMerkleHashBytes];
    for (; it->Valid() && edge.size < size; it->Next()) {
      if (it->key().size() != 8) return absl::DataLossError("the log has a damaged key");
      const uint64_t first = DecodeSequence(View(it->key()));
      records.clear();
      if (!SplitLogEntry(View(it->value()), records)) {
        return absl::DataLossError(StrCat("the log entry at ", first, " is damaged"));
      }
      for (size_t k = 0; k < records.size() && edge.size < size; ++k) {
        if (first + k < start) continue;
        if (first + k != edge.size + 1) {
          return absl::DataLossError(StrCat("record ", edge.size + 1, " is missing from the log"));
        }
        MerkleLeafHashInto(records[k].hash, leaf);
        AddLeafHash(edge, absl::string_view(leaf, kMerkleHashBytes), completed);
        if (edge.size % kBuildBatchRecords == 0) GL_RETURN_IF_ERROR(keep());
      }
    }
    GL_RETURN_IF_ERROR(FromRocks(it->status(), "reading the log"));
    if (edge.size != size) {
      return absl::DataLossError(StrCat("the log ends at ", edge.size, ", not at ", size));
    }
  }
  GL_RETURN_IF_ERROR(keep());
  Publish(std::move(edge));
  return absl::OkStatus();
}

TreeEdge MerkleStore::Extend(absl::string_view entry, rocksdb::WriteBatch& batch) const {
  TreeEdge edge = *Edge();
  thread_local std::vector<LogValue> records;
  records.clear();
  SplitLogEntry(entry, records);
  std::vector<CompletedTile> completed;
  char leaf[kMerkleHashBytes];
  for (const LogValue& record : records) {
    MerkleLeafHashInto(record.hash, leaf);
    AddLeafHash(edge, absl::string_view(leaf, kMerkleHashBytes), completed);
  }
  for (const CompletedTile& tile : completed) {
    batch.Put(tree_, TileKey(tile.level, tile.index), tile.hashes);
  }
  return edge;
}

void MerkleStore::Publish(TreeEdge edge) {
  auto published = std::make_shared<const TreeEdge>(std::move(edge));
  absl::MutexLock lock(&mu_);
  edge_ = std::move(published);
}

absl::Status MerkleStore::CheckSize(uint64_t size, absl::string_view what,
                                    uint64_t tree_size) const {
  if (size > tree_size) {
    return absl::OutOfRangeError(StrCat(what, ": ", size, " is beyond the head (", tree_size,
                                        "); give a size up to the head, or 0 for the head"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> MerkleStore::Root(uint64_t size) const {
  GL_RETURN_IF_ERROR(Usable());
  std::shared_ptr<const TreeEdge> edge = Edge();
  GL_RETURN_IF_ERROR(CheckSize(size, "tree_size", edge->size));
  if (size == edge->size) return EdgeRoot(*edge);
  return MerkleRoot(
      TileNodeSource(*edge, [this](int level, uint64_t index) { return ReadTile(level, index); }),
      size);
}

absl::StatusOr<std::vector<std::string>> MerkleStore::InclusionProof(uint64_t leaf,
                                                                     uint64_t size) const {
  GL_RETURN_IF_ERROR(Usable());
  std::shared_ptr<const TreeEdge> edge = Edge();
  GL_RETURN_IF_ERROR(CheckSize(size, "tree_size", edge->size));
  return MerkleInclusionProof(
      TileNodeSource(*edge, [this](int level, uint64_t index) { return ReadTile(level, index); }),
      leaf, size);
}

absl::StatusOr<std::vector<std::string>> MerkleStore::ConsistencyProof(uint64_t first,
                                                                       uint64_t second) const {
  GL_RETURN_IF_ERROR(Usable());
  std::shared_ptr<const TreeEdge> edge = Edge();
  GL_RETURN_IF_ERROR(CheckSize(second, "second_size", edge->size));
  return MerkleConsistencyProof(
      TileNodeSource(*edge, [this](int level, uint64_t index) { return ReadTile(level, index); }),
      first, second);
}

absl::Status EventStore::CheckTreeAgainstCheckpoint() const {
  if (checkpoint_tree_root_.empty()) return absl::OkStatus();
  GL_ASSIGN_OR_RETURN(std::string root, tree_->Root(checkpoint_tree_size_));
  if (root != checkpoint_tree_root_) {
    return absl::DataLossError(StrCat("has another root at sequence ", checkpoint_tree_size_,
                                      " than the projection checkpoint recorded"));
  }
  return absl::OkStatus();
}

absl::Status EventStore::OpenTree() {
  const uint64_t head = Head().sequence;
  tree_ = std::make_unique<MerkleStore>(db_.get(), tree_cf_, log_cf_, !options_.read_only);
  // Tiles are believed only as far as the checkpoint's root checks them; after it, the tree is
  // rebuilt from the log (the records ReplayTail checked).
  const uint64_t trusted = checkpoint_tree_root_.empty() ? 0 : checkpoint_tree_size_;
  absl::Status opened = tree_->Open(head, trusted);
  if (opened.ok()) opened = CheckTreeAgainstCheckpoint();
  if (!opened.ok()) {
    if (options_.read_only) {
      tree_->MarkUnusable(StrCat("the Merkle tree at ", options_.path, " cannot be used (",
                                 opened.message(), "); rebuild it with `grantledger reindex --db ",
                                 options_.path, "`"));
      return absl::OkStatus();
    }
    Warn(StrCat("the Merkle tree at ", options_.path, " cannot be used (", opened.message(),
                "); rebuilding it from the log"));
    rocksdb::WriteBatch clear;
    clear.DeleteRange(tree_cf_, rocksdb::Slice(), rocksdb::Slice("\xff", 1));
    GL_RETURN_IF_ERROR(FromRocks(db_->Write(rocksdb::WriteOptions(), &clear),
                                 "clearing the Merkle tree to rebuild it"));
    tree_ = std::make_unique<MerkleStore>(db_.get(), tree_cf_, log_cf_, true);
    GL_RETURN_IF_ERROR(tree_->Open(head, 0));
    checkpoint_tree_root_.clear();  // the rebuild stands; the checkpoint is rewritten below
  }
  if (!options_.read_only && checkpoint_tree_root_.empty()) {
    // Record the root in the checkpoint, so the next open checks the tree against it.
    absl::MutexLock lock(&state_mu_);
    GL_RETURN_IF_ERROR(WriteCheckpointLocked());
  }
  return absl::OkStatus();
}

}  // namespace grantledger
