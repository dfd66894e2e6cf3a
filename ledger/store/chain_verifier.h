// The chain verifier: recomputes the hash chain from the stored bytes over a range of the log,
// and finds the first record that is missing, altered, renumbered or does not parse. What
// `grantledger verify` and AuditService.VerifyChain run (EventStore::Verify).
#ifndef GRANTLEDGER_LEDGER_STORE_CHAIN_VERIFIER_H_
#define GRANTLEDGER_LEDGER_STORE_CHAIN_VERIFIER_H_

#include <cstdint>
#include <functional>

#include "absl/status/statusor.h"
#include "ledger/store/store_types.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
}  // namespace rocksdb

namespace grantledger {

// Checks the records in [from, to] of the log column family `log` (from = 0: 1, to = 0: the
// head; resolved by ResolveVerifyRange, verify_request.h) against `head`, the head the store
// holds: the last record's hash must be head.head_hash when the range ends at the head.
// `progress`, if given, is called now and then with the number of records checked.
absl::StatusOr<VerifyResult> VerifyChain(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* log,
                                         const Digest& head, uint64_t from, uint64_t to,
                                         const std::function<void(uint64_t)>& progress);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_STORE_CHAIN_VERIFIER_H_
