// Grant histories on disk; see history_store.h.
#include "ledger/store/history_store.h"

#include <cstring>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ledger/move_codec.h"
#include "ledger/store/log_format.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace grantledger {
namespace {

absl::string_view View(const rocksdb::Slice& s) { return absl::string_view(s.data(), s.size()); }

std::string Seal(absl::string_view key, absl::string_view payload) {
  return absl::StrCat(ChainHash(key, payload), payload);
}

// The payload of a value stored under `key`, if its hash holds.
bool Unseal(absl::string_view key, absl::string_view value, absl::string_view& payload) {
  if (value.size() < kHashBytes) return false;
  payload = value.substr(kHashBytes);
  return ChainHash(key, payload) == value.substr(0, kHashBytes);
}

absl::Status Damaged(absl::string_view grant_id, char kind, uint64_t sequence,
                     absl::string_view what) {
  return absl::DataLossError(absl::StrCat(
      "the stored history of grant ", grant_id, " (", kind == 'S' ? "folded moves" : "moves",
      " at sequence ", sequence, ") ", what,
      "; the log is not affected: run `grantledger verify --db`, then reopen the ledger with "
      "`grantledger reindex --db` to rebuild it from the log"));
}

}  // namespace

NameCounts NameCountsOf(const GrantHistory& history) {
  return NameCounts{history.lines().size(), history.purposes().size(),
                    history.cost_groups().size()};
}

std::string HistoryStore::Key(absl::string_view grant_id, char kind, uint64_t sequence) {
  std::string key(grant_id);
  key.push_back('\0');
  key.push_back(kind);
  key += EncodeSequence(sequence);
  return key;
}

std::string HistoryStore::Put(rocksdb::WriteBatch& batch, const std::string& grant_id,
                              uint64_t from, uint64_t through, absl::Span<const Move> chunk,
                              absl::Span<const Move> compacted) const {
  const std::string chunk_key = Key(grant_id, 'C', through);
  batch.Put(family_, chunk_key, Seal(chunk_key, EncodeSequence(from) + EncodeMoves(chunk)));
  const std::string compacted_key = Key(grant_id, 'S', through);
  const std::string value = Seal(compacted_key, EncodeMoves(compacted));
  batch.Put(family_, compacted_key, value);
  return value.substr(0, kHashBytes);
}

absl::StatusOr<std::vector<Move>> HistoryStore::Compacted(const std::string& grant_id,
                                                          uint64_t through,
                                                          absl::string_view sha256,
                                                          NameCounts names) const {
  const std::string key = Key(grant_id, 'S', through);
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), family_, key, &value);
  if (s.IsNotFound()) return Damaged(grant_id, 'S', through, "is missing");
  if (!s.ok()) return absl::UnavailableError(absl::StrCat("reading a history: ", s.ToString()));
  absl::string_view payload;
  if (!Unseal(key, value, payload) || value.substr(0, kHashBytes) != sha256) {
    return Damaged(grant_id, 'S', through, "is not what the checkpoint wrote");
  }
  std::optional<std::vector<Move>> moves =
      DecodeMoves(payload, names.lines, names.purposes, names.cost_groups);
  if (!moves) return Damaged(grant_id, 'S', through, "does not decode");
  return std::move(*moves);
}

absl::StatusOr<HistoryStore::Parts> HistoryStore::PartsAt(const std::string& grant_id,
                                                          uint64_t sequence,
                                                          NameCounts names) const {
  Parts parts;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), family_));
  const std::string compacted_prefix = Key(grant_id, 'S', 0).substr(0, grant_id.size() + 2);
  it->SeekForPrev(Key(grant_id, 'S', sequence));
  if (it->Valid() && absl::StartsWith(View(it->key()), compacted_prefix)) {
    const absl::string_view key = View(it->key());
    absl::string_view payload;
    if (key.size() != compacted_prefix.size() + 8) {
      return Damaged(grant_id, 'S', 0, "has a damaged key");
    }
    parts.compacted_through = DecodeSequence(key.substr(compacted_prefix.size()));
    if (!Unseal(key, View(it->value()), payload)) {
      return Damaged(grant_id, 'S', parts.compacted_through, "does not match its hash");
    }
    std::optional<std::vector<Move>> moves =
        DecodeMoves(payload, names.lines, names.purposes, names.cost_groups);
    if (!moves) return Damaged(grant_id, 'S', parts.compacted_through, "does not decode");
    parts.compacted = std::move(*moves);
  }
  if (!it->status().ok()) {
    return absl::UnavailableError(absl::StrCat("reading a history: ", it->status().ToString()));
  }
  const std::string chunk_prefix = Key(grant_id, 'C', 0).substr(0, grant_id.size() + 2);
  it->Seek(Key(grant_id, 'C', parts.compacted_through + 1));
  if (!it->Valid() || !absl::StartsWith(View(it->key()), chunk_prefix) ||
      it->key().size() != chunk_prefix.size() + 8) {
    return Damaged(grant_id, 'C', parts.compacted_through + 1,
                   "is missing (no moves are stored after the folded ones)");
  }
  const absl::string_view key = View(it->key());
  const uint64_t through = DecodeSequence(key.substr(chunk_prefix.size()));
  absl::string_view payload;
  if (!Unseal(key, View(it->value()), payload) || payload.size() < 8) {
    return Damaged(grant_id, 'C', through, "does not match its hash");
  }
  if (DecodeSequence(payload.substr(0, 8)) != parts.compacted_through) {
    return Damaged(grant_id, 'C', through,
                   absl::StrCat("does not follow the folded moves at sequence ",
                                parts.compacted_through, " (a part is missing)"));
  }
  if (through <= sequence) {
    return Damaged(grant_id, 'S', through, "is missing (the moves after it are stored)");
  }
  std::optional<std::vector<Move>> moves =
      DecodeMoves(payload.substr(8), names.lines, names.purposes, names.cost_groups);
  if (!moves) return Damaged(grant_id, 'C', through, "does not decode");
  parts.later = std::move(*moves);
  return parts;
}

absl::Status HistoryStore::ForEach(
    const std::function<bool(const absl::StatusOr<Entry>&)>& visit) const {
  rocksdb::ReadOptions one_pass;  // for `verify`: nothing of it is kept in the block cache
  one_pass.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(one_pass, family_));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const absl::string_view key = View(it->key());
    const size_t zero = key.find('\0');
    Entry entry;
    absl::string_view payload;
    absl::StatusOr<Entry> out = absl::DataLossError(
        absl::StrCat("a stored history entry has a damaged key (", HexOf(key.substr(0, 40)), ")"));
    if (zero != absl::string_view::npos && key.size() == zero + 10 &&
        (key[zero + 1] == 'C' || key[zero + 1] == 'S')) {
      entry.grant_id = std::string(key.substr(0, zero));
      entry.kind = key[zero + 1];
      entry.sequence = DecodeSequence(key.substr(zero + 2));
      if (!Unseal(key, View(it->value()), payload) || (entry.kind == 'C' && payload.size() < 8)) {
        out = Damaged(entry.grant_id, entry.kind, entry.sequence, "does not match its hash");
      } else {
        if (entry.kind == 'C') {
          entry.from = DecodeSequence(payload.substr(0, 8));
          payload.remove_prefix(8);
        }
        entry.moves = payload;
        out = std::move(entry);
      }
    }
    if (!visit(out)) return absl::OkStatus();
  }
  if (!it->status().ok()) {
    return absl::UnavailableError(absl::StrCat("reading the histories: ", it->status().ToString()));
  }
  return absl::OkStatus();
}

}  // namespace grantledger
