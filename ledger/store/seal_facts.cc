// The seal digest, and what the store hands the seal rule: the record before the seal and the
// account the ledger holds there (EventStore::SealFactsAt).
#include "ledger/store/event_store.h"
#include "ledger/store/log_format.h"
#include "ledger/store/seal_digest.h"
#include "ledger/store/write_group.h"

namespace grantledger {

std::string SealedAccountSha256(const SealedAccount& account) {
  return ChainHash(/*prev_hash=*/"", account.canonical);  // SHA-256 of the bytes alone
}

SealFacts EventStore::SealFactsAt(const v1::Event& event, const WriteGroup& group,
                                  uint64_t sequence) const {
  SealFacts facts;
  facts.last_sequence = sequence - 1;
  // Only a seal with nothing uncommitted before it can be checked: the histories are the
  // committed ones. A seal after earlier records of its group names an older record than the
  // one before it, and the rule refuses it for that (Aborted: seal again).
  if (sequence != group.first_sequence) {
    facts.account = absl::FailedPreconditionError(
        "seal: events are written in the same batch or write before it; post the seal alone, "
        "once the events it seals are written");
    return facts;
  }
  facts.last_hash = group.head_hash;
  state_mu_.AssertReaderHeld();
  auto it = histories_.find(event.grant_id());
  if (it == histories_.end()) {
    facts.account = absl::NotFoundError("the grant has no history");
    return facts;
  }
  const GrantHistory& history = it->second;
  facts.account = SealedAccountAt(event.grant_id(), event.seal().year(), 0,
                                  [&](const AsOf& as_of) -> absl::StatusOr<GrantPosition> {
                                    return PositionAsOf(event.grant_id(), history, as_of);
                                  });
  if (facts.account.ok()) facts.account_sha256 = SealedAccountSha256(*facts.account);
  return facts;
}

}  // namespace grantledger
