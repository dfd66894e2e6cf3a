// EventStore::VerifyDerived: every structure derived from the log against a rebuild from it,
// in one pass; see event_store.h.
#include <algorithm>
#include <cstring>
#include <map>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "ledger/history_checkpoint.h"
#include "ledger/move_codec.h"
#include "ledger/status_macros.h"
#include "ledger/store/checkpoint.h"
#include "ledger/store/event_store.h"
#include "ledger/store/history_store.h"
#include "ledger/store/log_format.h"
#include "ledger/store/merkle_store.h"
#include "ledger/store/rocks_status.h"
#include "rocksdb/db.h"

namespace grantledger {
namespace {

using absl::StrCat;

// An order-free digest of a set of (id, sequence) pairs: sums of their hashes, and a count.
struct SetDigest {
  uint64_t a = 0;
  uint64_t b = 0;
  uint64_t count = 0;
  void Add(absl::string_view id, uint64_t sequence) {
    const std::string h = ChainHash(EncodeSequence(sequence), id);
    uint64_t x = 0;
    uint64_t y = 0;
    std::memcpy(&x, h.data(), 8);
    std::memcpy(&y, h.data() + 8, 8);
    a += x;
    b += y;
    ++count;
  }
  bool operator==(const SetDigest&) const = default;
};

// Reads for one pass over a whole family: its blocks are not kept in the block cache.
rocksdb::ReadOptions OnePass() {
  rocksdb::ReadOptions options;
  options.fill_cache = false;
  return options;
}

// A grant's sequences in order, hashed as they come (4 KiB at a time): what `verify` keeps of
// a grant's by_grant lists instead of the lists themselves.
class ListDigest {
 public:
  void Add(uint64_t sequence) {
    pending_ += EncodeSequence(sequence);
    if (pending_.size() >= 4096) {
      hash_ = ChainHash(hash_, pending_);
      pending_.clear();
    }
  }
  std::string Finish() const { return pending_.empty() ? hash_ : ChainHash(hash_, pending_); }

 private:
  std::string hash_;
  std::string pending_;
};

std::string PayloadDigest(absl::string_view payload) {
  return ChainHash(/*prev_hash=*/"", payload);  // SHA-256 of the bytes alone
}

}  // namespace

absl::StatusOr<VerifyResult> EventStore::VerifyDerived(
    const std::function<void(uint64_t)>& progress) const {
  VerifyResult result;
  auto bad = [&](uint64_t sequence, std::string problem) {
    result.ok = false;
    result.first_bad_sequence = sequence;
    result.problem = std::move(problem);
    return result;
  };
  const Digest head = Head();

  // How far the id index reaches (its mark, a key of its own that each run carries, id_runs.h):
  // its entries up to the mark must be the log's ids through it, exactly. The ids after it are
  // held in memory by a writing store; an entry past it must name its own record.
  uint64_t ids_through = head.sequence;
  {
    absl::StatusOr<uint64_t> mark = IdsThrough(head.sequence);
    if (absl::IsDataLoss(mark.status())) {
      return bad(0, "the id index's mark is damaged or ahead of the log's head");
    }
    GL_RETURN_IF_ERROR(mark.status());
    ids_through = *mark;
  }
  // What is stored: the id index's digest (and its entries past the mark, a run at most),
  // every grant's by_grant sequences (hashed in order), and the boundaries of every grant's
  // history parts.
  SetDigest stored_ids;
  absl::flat_hash_map<std::string, uint64_t> stored_past_mark;
  const size_t max_past_mark = std::max<size_t>(size_t{1} << 20, 4 * options_.id_run_size);
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(OnePass(), ids_cf_));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (View(it->key()) == kIdsThroughKey) continue;  // the mark, read above
      if (it->value().size() != 8) return bad(0, "the id index has a damaged entry");
      const uint64_t sequence = DecodeSequence(View(it->value()));
      if (sequence <= ids_through) {
        stored_ids.Add(View(it->key()), sequence);
      } else if (stored_past_mark.size() < max_past_mark) {
        stored_past_mark.emplace(View(it->key()), sequence);
      } else {
        return bad(ids_through + 1, StrCat("the id index holds more than ", max_past_mark,
                                           " entries past its mark at record ", ids_through));
      }
    }
    GL_RETURN_IF_ERROR(FromRocks(it->status(), "reading the id index"));
  }
  // How far the Merkle tree reaches: the head, or (after a crash between a write and its tree
  // write, on a copy not yet opened to write) the sequence before the log's last write.
  uint64_t indexed_through = head.sequence;
  {
    absl::StatusOr<uint64_t> mark = IndexedThrough(head.sequence);
    if (absl::IsDataLoss(mark.status())) {
      return bad(0, "the Merkle tree's mark is damaged or ahead of the log's head");
    }
    GL_RETURN_IF_ERROR(mark.status());
    indexed_through = *mark;
    if (indexed_through < head.sequence) {
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), log_cf_));
      it->SeekToLast();
      GL_RETURN_IF_ERROR(FromRocks(it->status(), "reading the log"));
      if (!it->Valid() || View(it->key()) != EncodeSequence(indexed_through + 1)) {
        return bad(indexed_through + 1,
                   StrCat("the Merkle tree reaches only record ", indexed_through,
                          ", before the log's last write: records are missing from it"));
      }
    }
  }
  std::map<std::string, ListDigest> stored_grant_lists;  // grant -> its sequences, hashed
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(OnePass(), grant_cf_));
    std::map<std::string, uint64_t> counts;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const absl::string_view key = View(it->key());
      const size_t zero = key.find('\0');
      if (zero == absl::string_view::npos || key.size() != zero + 9) {
        return bad(0, "the grant index has an entry with a damaged key");
      }
      const std::string grant_id(key.substr(0, zero));
      std::vector<uint64_t> sequences;
      uint64_t prior = 0;
      if (!DecodeGrantIndexEntry(DecodeSequence(key.substr(zero + 1)), View(it->value()), prior,
                                 sequences)) {
        return bad(0, StrCat("the grant index entry of ", grant_id, " does not decode"));
      }
      uint64_t& count = counts[grant_id];
      if (prior != count) {
        return bad(sequences.front(),
                   StrCat("the grant index of ", grant_id, " at sequence ", sequences.front(),
                          " follows ", prior, " records, not ", count));
      }
      count += sequences.size();
      ListDigest& list = stored_grant_lists[grant_id];
      for (uint64_t s : sequences) list.Add(s);
    }
    GL_RETURN_IF_ERROR(FromRocks(it->status(), "reading the grant index"));
  }
  // Each part's payloads are kept as their SHA-256, not whole: together they are the whole
  // history, and holding them made `verify` (and `restore`, which ends with it) grow with it.
  struct PartRef {
    std::string grant_id;
    uint64_t from = 0;
    std::string chunk;      // SHA-256 of the stored moves
    std::string compacted;  // SHA-256 of the stored folded moves
    bool has_chunk = false;
    bool has_compacted = false;
  };
  std::map<uint64_t, std::vector<PartRef>> parts;  // by sequence
  {
    std::map<std::pair<uint64_t, std::string>, PartRef> found;
    absl::Status problem = absl::OkStatus();
    GL_RETURN_IF_ERROR(history_store_->ForEach([&](const absl::StatusOr<HistoryStore::Entry>& e) {
      if (!e.ok()) {
        problem = e.status();
        return false;
      }
      PartRef& part = found[{e->sequence, e->grant_id}];
      part.grant_id = e->grant_id;
      if (e->kind == 'C') {
        part.has_chunk = true;
        part.from = e->from;
        part.chunk = PayloadDigest(e->moves);
      } else {
        part.has_compacted = true;
        part.compacted = PayloadDigest(e->moves);
      }
      return true;
    }));
    if (!problem.ok()) return bad(0, std::string(problem.message()));
    for (auto& [key, part] : found) {
      if (!part.has_chunk || !part.has_compacted || key.first > head.sequence) {
        return bad(key.first, StrCat("the stored history of ", part.grant_id, " at sequence ",
                                     key.first, " is incomplete or beyond the head"));
      }
      parts[key.first].push_back(std::move(part));
    }
  }
  // The checkpoint, as stored.
  v1::ProjectionCheckpoint checkpoint;
  bool has_checkpoint = false;
  {
    std::string sealed;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), checkpoint_cf_, kCheckpointKey, &sealed);
    if (s.ok()) {
      absl::StatusOr<v1::ProjectionCheckpoint> unsealed = UnsealCheckpoint(sealed);
      if (!unsealed.ok()) return bad(0, "the projection checkpoint does not match its seal");
      checkpoint = std::move(*unsealed);
      has_checkpoint = true;
    } else if (!s.IsNotFound()) {
      return FromRocks(s, "reading the projection checkpoint");
    }
  }

  // The same, rebuilt from the log in one pass.
  SetDigest rebuilt_ids;
  std::map<std::string, ListDigest> rebuilt_grant_lists;
  std::map<std::string, GrantHistory> histories;
  std::map<std::string, uint64_t> folded_through;
  LedgerState state;
  state.head_hash = GenesisHash();
  absl::Status failed = absl::OkStatus();
  // The Merkle tree, rebuilt: each tile it completes must be stored as it is.
  TreeEdge tree;
  std::vector<CompletedTile> tiles;
  auto check_tiles = [&](uint64_t sequence) -> bool {
    for (const CompletedTile& tile : tiles) {
      absl::StatusOr<std::string> stored =
          tree_->ReadStoredTile(tile.level, tile.index, /*fill_cache=*/false);
      // The last write's tiles may not be stored yet (see indexed_through).
      if (absl::IsNotFound(stored.status()) && sequence > indexed_through) continue;
      if (!stored.ok() || *stored != tile.hashes) {
        failed = absl::DataLossError(
            StrCat("tile (", tile.level, ", ", tile.index,
                   ") of the Merkle tree (completed at "
                   "sequence ",
                   sequence, ") is ", stored.ok() ? "not as a rebuild from the log" : "missing"));
        return false;
      }
    }
    tiles.clear();
    return true;
  };
  auto check_parts = [&](uint64_t sequence) -> bool {
    auto at = parts.find(sequence);
    if (at == parts.end()) return true;
    for (const PartRef& part : at->second) {
      GrantHistory& history = histories[part.grant_id];
      const uint64_t from = history.compacted_through();
      std::vector<Move> chunk = history.Fold(sequence);
      if (part.from != from || PayloadDigest(EncodeMoves(chunk)) != part.chunk) {
        failed = absl::DataLossError(StrCat("the stored moves of ", part.grant_id, " at sequence ",
                                            sequence, " differ from a rebuild from the log"));
        return false;
      }
      if (PayloadDigest(EncodeMoves(history.compacted())) != part.compacted) {
        failed = absl::DataLossError(StrCat("the stored folded moves of ", part.grant_id,
                                            " at sequence ", sequence,
                                            " differ from a rebuild from the log"));
        return false;
      }
    }
    return true;
  };
  auto check_checkpoint = [&]() -> bool {
    v1::ProjectionCheckpoint expected = ToCheckpoint(state);
    expected.set_format_version(2);
    if (!checkpoint.tree_root().empty()) expected.set_tree_root(EdgeRoot(tree));
    for (const auto& [id, history] : histories) {
      v1::GrantHistoryCheckpoint* h = expected.add_histories();
      *h = HistoryToCheckpoint(id, history, "");
      // The folded part is compared above; here its place and names.
      for (const v1::GrantHistoryCheckpoint& c : checkpoint.histories()) {
        if (c.grant_id() == id) h->set_compacted_sha256(c.compacted_sha256());
      }
    }
    for (v1::GrantHistoryCheckpoint& h : *expected.mutable_histories()) {
      if (!histories.at(h.grant_id()).moves().empty()) {
        // Moves not folded at the checkpoint's sequence cannot be: checkpoints fold them all.
        h.set_compacted_through(~uint64_t{0});
      }
    }
    if (expected.SerializeAsString() != checkpoint.SerializeAsString()) {
      failed = absl::DataLossError(StrCat("the projection checkpoint at sequence ",
                                          checkpoint.sequence(),
                                          " differs from a rebuild from the log"));
      return false;
    }
    return true;
  };
  if (has_checkpoint && checkpoint.sequence() == 0 && !check_checkpoint()) {
    return bad(0, std::string(failed.message()));
  }
  auto visit = [&](const v1::RecordedEvent& recorded) {
    const v1::Event& event = recorded.record().event();
    const uint64_t sequence = recorded.record().sequence();
    if (sequence <= ids_through) {
      rebuilt_ids.Add(event.event_id(), sequence);
    } else if (!stored_past_mark.empty()) {
      auto past = stored_past_mark.find(event.event_id());
      if (past != stored_past_mark.end() && past->second == sequence) stored_past_mark.erase(past);
    }
    rebuilt_grant_lists[event.grant_id()].Add(sequence);
    if (event.has_carry_over()) {
      rebuilt_grant_lists[event.carry_over().to_grant_id()].Add(sequence);
    }
    failed = ApplyLogged(event, sequence, state.grants);
    if (!failed.ok()) return false;
    std::unique_ptr<v1::Event> target;
    if (event.has_reversal()) {
      auto t = ReadEvent(event.reversal().reversed_sequence());
      if (t.ok()) target = std::move(*t);
    }
    histories[event.grant_id()].Add(event, sequence, target.get(), false);
    if (event.has_carry_over()) {
      histories[event.carry_over().to_grant_id()].Add(event, sequence, nullptr, true);
    }
    state.sequence = sequence;
    state.head_hash = recorded.hash();
    state.last_recorded_time_unix_micros = recorded.record().recorded_time_unix_micros();
    if (!check_parts(sequence)) return false;
    if (tree_cf_ != nullptr) {
      AddLeafHash(tree, MerkleLeafHash(recorded.hash()), tiles);
      if (!check_tiles(sequence)) return false;
    }
    if (has_checkpoint && checkpoint.sequence() == sequence && !check_checkpoint()) return false;
    ++result.checked;
    if (progress && sequence % 4096 == 0) progress(sequence);
    return true;
  };
  GL_RETURN_IF_ERROR(ScanImpl(1, head.sequence, "", false, visit, /*fill_cache=*/false));
  if (!failed.ok()) return bad(state.sequence, std::string(failed.message()));
  if (has_checkpoint && checkpoint.sequence() > head.sequence) {
    return bad(head.sequence, "the projection checkpoint is ahead of the log");
  }
  if (!(rebuilt_ids == stored_ids)) {
    return bad(
        0, StrCat("the id index holds ", stored_ids.count, " entries that differ from the log's ",
                  rebuilt_ids.count, " event ids (an entry missing, extra or changed)"));
  }
  if (!stored_past_mark.empty()) {
    const auto& [id, sequence] = *stored_past_mark.begin();
    return bad(sequence, StrCat("the id index names record ", sequence, " for event_id ", id,
                                ", which that record does not hold"));
  }
  for (const auto& [grant_id, list] : rebuilt_grant_lists) {
    auto it = stored_grant_lists.find(grant_id);
    if (it == stored_grant_lists.end() || it->second.Finish() != list.Finish()) {
      return bad(0, StrCat("the grant index of ", grant_id, " differs from the log"));
    }
  }
  if (stored_grant_lists.size() != rebuilt_grant_lists.size()) {
    return bad(0, "the grant index lists a grant the log does not have");
  }
  if (tree_cf_ != nullptr) {
    std::string extra;
    GL_RETURN_IF_ERROR(tree_->ForEachStoredTile([&](int level, uint64_t index) {
      if (extra.empty() && (level < 0 || index >= (head.sequence >> (kTileHeight * (level + 1))))) {
        extra =
            level < 0 ? std::string("a damaged key") : StrCat("tile (", level, ", ", index, ")");
      }
    }));
    if (!extra.empty()) {
      return bad(head.sequence, StrCat("the Merkle tree holds ", extra, ", beyond the log's head ",
                                       head.sequence));
    }
  }
  result.last_good = head;
  return result;
}

}  // namespace grantledger
