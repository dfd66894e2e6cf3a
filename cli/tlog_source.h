// Where the audit commands (audit_commands.h) get checkpoints and proofs: a grantledgerd over
// gRPC (AuditService), or a data directory opened read-only (--db) with the log's signing key.
// The commands verify what these return; these only fetch.
#ifndef GRANTLEDGER_CLI_TLOG_SOURCE_H_
#define GRANTLEDGER_CLI_TLOG_SOURCE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grantledger/v1/events.pb.h"

namespace grantledger {

struct InclusionAnswer {
  uint64_t tree_size = 0;
  std::vector<std::string> hashes;
  v1::RecordedEvent event;
};

class TlogSource {
 public:
  virtual ~TlogSource() = default;
  // The signed checkpoint note of the tree of `size` records (0: the head).
  virtual absl::StatusOr<std::string> Checkpoint(uint64_t size) = 0;
  virtual absl::StatusOr<InclusionAnswer> InclusionProof(uint64_t sequence, uint64_t size) = 0;
  virtual absl::StatusOr<std::vector<std::string>> ConsistencyProof(uint64_t first,
                                                                    uint64_t second) = 0;
};

// Where to fetch from: the data directory `db` (read-only, signing with `signing_key`, default
// DATA_DIR/checkpoint-signing-key.pem, under `origin`) when given, else the server.
struct TlogSourceFlags {
  std::string db;
  std::string server;
  std::string signing_key;
  std::string origin;
};
absl::StatusOr<std::unique_ptr<TlogSource>> OpenTlogSource(const TlogSourceFlags& flags);

}  // namespace grantledger

#endif  // GRANTLEDGER_CLI_TLOG_SOURCE_H_
