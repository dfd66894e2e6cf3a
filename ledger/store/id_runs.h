// The id index's runs: the ids the writer thread held in memory (unindexed_ids.h), written as
// one sorted table file and ingested into the index's column family whole. No memtable insert
// and no write-ahead log per id: RocksDB links the file in and records it in its MANIFEST, and
// a run is either in the index or not, and with it the mark of how far the index reaches
// (kIdsThroughKey): a crash before it is in leaves the mark where it was (the open holds those
// ids in memory again, from the log).
#ifndef GRANTLEDGER_LEDGER_STORE_ID_RUNS_H_
#define GRANTLEDGER_LEDGER_STORE_ID_RUNS_H_

#include <string>

#include "absl/status/status.h"
#include "ledger/store/unindexed_ids.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
}  // namespace rocksdb

namespace grantledger {

// Writes every id of `run` (at least one), and the index's mark (kIdsThroughKey) at the run's
// last sequence, to a table file in the data directory `dir`, and ingests it into the id index
// `ids_cf`: the ids and the mark that counts them go in together.
absl::Status IngestIdRun(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* ids_cf,
                         const std::string& dir, const IdTable& run);

// Removes the file of a run that a crash stopped before it was ingested (writable opens).
void RemoveUnfinishedIdRun(const std::string& dir);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_STORE_ID_RUNS_H_
