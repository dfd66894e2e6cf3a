// `grantledger audit ...`: the transparency log for auditors. checkpoint (fetch the signed
// checkpoint), public-key (the verifier key, from the signing key file), prove (one record's
// inclusion in a checkpoint), consistency (the log extends a checkpoint kept earlier) and
// witness (keep checkpoints and prove each new one extends the last). Every verification is
// done here, with ledger/tlog/, against the verifier key the auditor gives (--key); any
// failure exits 4.
#ifndef GRANTLEDGER_CLI_AUDIT_COMMANDS_H_
#define GRANTLEDGER_CLI_AUDIT_COMMANDS_H_

#include <CLI/CLI.hpp>

namespace grantledger {

void AddAuditCommands(CLI::App& app, int* exit_code);

}  // namespace grantledger

#endif  // GRANTLEDGER_CLI_AUDIT_COMMANDS_H_
