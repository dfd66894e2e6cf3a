// Writes a run of ids as a table file and ingests it into the id index (id_runs.h).
#include "ledger/store/id_runs.h"

#include <cstdio>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ledger/status_macros.h"
#include "ledger/store/log_format.h"
#include "ledger/store/rocks_status.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "rocksdb/sst_file_writer.h"
#include "rocksdb/table.h"

namespace grantledger {
namespace {

// Not a name RocksDB gives its own files, so it never takes it for one of them.
std::string RunPath(const std::string& dir) { return absl::StrCat(dir, "/id-run.tmp"); }

}  // namespace

absl::Status IngestIdRun(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* ids_cf,
                         const std::string& dir, const IdTable& run) {
  const std::string path = RunPath(dir);
  // The family's own options (its comparator, filter policy and the shared cache), with one
  // change: the run's filter is whole, not partitioned. While the run sits in level 0, every
  // batch's look-ups probe it, and a whole filter answers a sorted MultiGet without a search of
  // a partition index per id (a third less time per batch's look-ups, docs/performance.md). A
  // run's filter is small (about 330 KiB for 262 144 ids); compaction rewrites the runs into
  // the family's own partitioned format, whose memory is bounded by the cache.
  rocksdb::Options options = db.GetOptions(ids_cf);
  if (const auto* family = options.table_factory->GetOptions<rocksdb::BlockBasedTableOptions>()) {
    rocksdb::BlockBasedTableOptions table = *family;
    table.partition_filters = false;
    table.index_type = rocksdb::BlockBasedTableOptions::kBinarySearch;
    options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  }
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(options), options, ids_cf);
  std::remove(path.c_str());  // never truncate through a name that may still be a link
  GL_RETURN_IF_ERROR(FromRocks(writer.Open(path), "starting a run of the id index"));
  for (const auto& [id, sequence] : run.InKeyOrder()) {
    GL_RETURN_IF_ERROR(
        FromRocks(writer.Put(rocksdb::Slice(id.data(), id.size()), EncodeSequence(sequence)),
                  "writing a run of the id index"));
  }
  // The mark sorts after every id (UTF-8 never has the byte 0xff).
  GL_RETURN_IF_ERROR(FromRocks(writer.Put(kIdsThroughKey, EncodeSequence(run.last())),
                               "writing a run of the id index"));
  // Finish syncs the file before it is ingested.
  GL_RETURN_IF_ERROR(FromRocks(writer.Finish(), "finishing a run of the id index"));
  rocksdb::IngestExternalFileOptions ingest;
  ingest.move_files = true;           // linked in, not copied
  ingest.write_global_seqno = false;  // the sequence is kept in the MANIFEST instead
  ingest.allow_blocking_flush = true;
  rocksdb::Status s = db.IngestExternalFile(ids_cf, {path}, ingest);
  std::remove(path.c_str());  // RocksDB removes it once linked in; not when it fell back to a copy
  return FromRocks(s, "adding a run to the id index");
}

void RemoveUnfinishedIdRun(const std::string& dir) { std::remove(RunPath(dir).c_str()); }

}  // namespace grantledger
