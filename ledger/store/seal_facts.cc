// The seal digest, and what the batch validator hands the seal rule: the record before the
// seal and the account the committed history holds there (SealFactsFor, batch_validator.h).
#include "absl/status/status.h"
#include "ledger/as_of.h"
#include "ledger/store/batch_validator.h"
#include "ledger/store/log_format.h"
#include "ledger/store/seal_digest.h"

namespace grantledger {

std::string SealedAccountSha256(const SealedAccount& account) {
  return ChainHash(/*prev_hash=*/"", account.canonical);  // SHA-256 of the bytes alone
}

SealFacts SealFactsFor(const v1::Event& seal, const LedgerView& view, uint64_t sequence) {
  SealFacts facts;
  facts.last_sequence = sequence - 1;
  // Only a seal with nothing uncommitted before it can be checked: the histories are the
  // committed ones. A seal after earlier records of its group names an older record than the
  // one before it, and the rule refuses it for that (Aborted: seal again).
  if (sequence != view.first_pending_sequence) {
    facts.account = absl::FailedPreconditionError(
        "seal: events are written in the same batch or write before it; post the seal alone, "
        "once the events it seals are written");
    return facts;
  }
  facts.last_hash = view.committed_head_hash;
  const GrantHistory* history = view.History(seal.grant_id());
  if (history == nullptr) {
    facts.account = absl::NotFoundError("the grant has no history");
    return facts;
  }
  facts.account = SealedAccountAt(seal.grant_id(), seal.seal().year(), 0,
                                  [&](const AsOf& as_of) -> absl::StatusOr<GrantPosition> {
                                    return PositionAsOf(seal.grant_id(), *history, as_of);
                                  });
  if (facts.account.ok()) facts.account_sha256 = SealedAccountSha256(*facts.account);
  if (!seal.seal().checkpoint().empty()) {
    facts.tree_root = view.committed_tree_root
                          ? view.committed_tree_root()
                          : absl::FailedPreconditionError("the ledger's Merkle tree is not open");
  }
  return facts;
}

}  // namespace grantledger
