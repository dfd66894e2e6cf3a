// Rules for sealed years: the seal itself, and what a seal closes (docs/decisions.md, "Sealed
// years"). Pure: what the ledger holds at the seal's point comes in EventContext::seal_facts.
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "ledger/civil_date.h"
#include "ledger/rules.h"
#include "ledger/status_macros.h"
#include "ledger/tlog/note.h"

namespace grantledger {
namespace {
using absl::StrCat;

std::string PeriodText(absl::CivilDay start, absl::CivilDay end) {
  return StrCat(FormatCivilDay(start), "–", FormatCivilDay(end));
}

std::string ShortHex(const std::string& bytes) {
  return StrCat(absl::BytesToHexString(bytes).substr(0, 16), "...");
}

// A seal's checkpoint must be a signed tlog checkpoint of exactly the log the seal closes: the
// tree of the records before the seal, with the root that tree has. Its signature is the
// auditor's to check with the log's verifier key (`grantledger audit public-key`): the store
// checks what the checkpoint says, so that a seal can never carry a checkpoint of another log,
// of another size or of an altered history.
absl::Status CheckSealCheckpoint(const std::string& text, const SealFacts& facts) {
  absl::StatusOr<SignedNote> note = ParseSignedNote(text);
  if (!note.ok()) {
    return absl::InvalidArgumentError(
        StrCat("seal.checkpoint: not a signed note (", note.status().message(),
               "); send the text AuditService.GetCheckpoint gives, or leave it empty"));
  }
  absl::StatusOr<TlogCheckpoint> body = ParseCheckpointBody(note->body);
  if (!body.ok()) {
    return absl::InvalidArgumentError(
        StrCat("seal.checkpoint: not a tlog checkpoint (", body.status().message(), ")"));
  }
  if (body->size != facts.last_sequence) {
    return absl::FailedPreconditionError(
        StrCat("seal.checkpoint: is the checkpoint of a tree of ", body->size,
               " records, but the seal follows record ", facts.last_sequence,
               "; ask for the checkpoint of size ", facts.last_sequence,
               " (AuditService.GetCheckpoint) and seal again"));
  }
  if (!facts.tree_root.ok()) {
    return absl::FailedPreconditionError(
        StrCat("seal.checkpoint: cannot be checked: ", facts.tree_root.status().message()));
  }
  if (body->root != *facts.tree_root) {
    return absl::FailedPreconditionError(
        StrCat("seal.checkpoint: its root ", ShortHex(body->root),
               " is not the root of this log's tree of ", facts.last_sequence, " records (",
               ShortHex(*facts.tree_root),
               "): it is not a checkpoint of this log; ask this server for it"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckSealedPeriods(const v1::Event& event, const GrantState& grant) {
  if (grant.seals.empty() || event.has_grant_registered()) return absl::OkStatus();
  GL_ASSIGN_OR_RETURN(absl::CivilDay date, ParseCivilDay(event.effective_date(), "effective_date"));
  std::optional<SealRef> seal = SealClosing(grant.grant_id, grant.seals, date);
  if (!seal || !event.post_close_reason().empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(StrCat(
      "effective_date ", event.effective_date(), ": grant ", grant.grant_id, "'s year ", seal->year,
      " (", PeriodText(seal->period_start, seal->period_end), ") is sealed (seal at sequence ",
      seal->sequence, "), which closed every date up to ", FormatCivilDay(seal->period_end),
      "; a correction after the close needs post_close_reason (why it is posted now), or date "
      "the event after ",
      FormatCivilDay(seal->period_end)));
}

absl::Status ApplySeal(const v1::Event& event, const EventContext& context, GrantState& grant) {
  const v1::Seal& s = event.seal();
  if (auto it = grant.seals.find(s.year()); it != grant.seals.end()) {
    return absl::AlreadyExistsError(
        StrCat("seal.year: ", s.year(), " of grant ", grant.grant_id,
               " is already sealed (seal at sequence ", it->second.sequence, ", period ",
               PeriodText(it->second.period_start, it->second.period_end),
               "); a year is sealed once: post corrections with post_close_reason"));
  }
  GL_ASSIGN_OR_RETURN(absl::CivilDay start, ParseCivilDay(s.period_start(), "seal.period_start"));
  GL_ASSIGN_OR_RETURN(absl::CivilDay end, ParseCivilDay(s.period_end(), "seal.period_end"));
  GL_ASSIGN_OR_RETURN(absl::CivilDay date, ParseCivilDay(event.effective_date(), "effective_date"));
  if (date <= end) {
    return absl::InvalidArgumentError(
        StrCat("effective_date: ", event.effective_date(), " is not after the sealed period (",
               PeriodText(start, end), "); a seal is dated the day it is made, after the period"));
  }
  if (const SealFacts* facts = context.seal_facts; facts != nullptr) {
    if (s.log_sequence() != facts->last_sequence) {
      return absl::AbortedError(
          StrCat("seal.log_sequence: the seal names record ", s.log_sequence(),
                 " as the last before it, but the ledger's last record is ", facts->last_sequence,
                 " (something was appended meanwhile); compute the account again and seal again"));
    }
    GL_RETURN_IF_ERROR(facts->account.status());
    if (s.log_head_hash() != facts->last_hash) {
      return absl::FailedPreconditionError(
          StrCat("seal.log_head_hash: ", ShortHex(s.log_head_hash()), " is not the hash of record ",
                 facts->last_sequence, " (", ShortHex(facts->last_hash), ")"));
    }
    const SealPeriod& period = facts->account->period;
    if (start != period.start || end != period.end) {
      return absl::FailedPreconditionError(
          StrCat("seal.period_start: grant ", grant.grant_id, "'s reporting period for ", s.year(),
                 " is ", PeriodText(period.start, period.end), ", not ", PeriodText(start, end)));
    }
    if (s.account_sha256() != facts->account_sha256) {
      return absl::FailedPreconditionError(StrCat(
          "seal.account_sha256: the financial account of ", grant.grant_id, " per ",
          FormatCivilDay(period.end), " as recorded up to sequence ", facts->last_sequence,
          " has SHA-256 ", ShortHex(facts->account_sha256), ", not ", ShortHex(s.account_sha256()),
          "; a seal covers the account the ledger holds: compute it again (`grantledger seal` "
          "does)"));
    }
    if (!s.checkpoint().empty()) GL_RETURN_IF_ERROR(CheckSealCheckpoint(s.checkpoint(), *facts));
  }
  grant.seals[s.year()] = SealState{context.sequence, start, end};
  return absl::OkStatus();
}

}  // namespace grantledger
