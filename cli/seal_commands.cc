// The sealed-year subcommands; see seal_commands.h.
#include "cli/seal_commands.h"

#include <iostream>
#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "cli/as_of_flags.h"
#include "cli/error_output.h"
#include "cli/exit_codes.h"
#include "cli/report_sheets.h"
#include "cli/seal_report.h"
#include "cli/year_end_report.h"
#include "ledger/civil_date.h"
#include "ledger/money.h"
#include "ledger/obligations.h"
#include "ledger/store/seal_digest.h"

namespace grantledger {
namespace {

using absl::StrCat;

struct SealOptions {
  std::string db;
  std::string server = kDefaultServer;
  std::string grant;
  int32_t year = 0;
  std::string date;  // the day of sealing; empty: today in Sweden
  std::string event_id;
  std::string source = "grantledger seal";
};

void AddTarget(CLI::App* cmd, SealOptions& o, bool writes) {
  cmd->add_option("grant", o.grant, "the grant's diary number")->required();
  cmd->add_option("--period", o.year, "the year, e.g. 2025 (the grant's reporting period in it)")
      ->required()
      ->check(CLI::Range(1900, 2999));
  cmd->add_option("--db", o.db,
                  writes ? "write this data directory directly instead of a server"
                         : "open this data directory read-only instead of a server");
  cmd->add_option("--server", o.server, "grantledgerd address (default 127.0.0.1:50051)");
}

// The seal of the account the ledger holds now; Aborted when the ledger moved on meanwhile.
absl::StatusOr<std::pair<v1::Event, AppendResult>> SealOnce(LedgerBackend& backend,
                                                            const SealOptions& o,
                                                            SealedAccount& sealed) {
  absl::StatusOr<Digest> head = backend.Head();
  if (!head.ok()) return head.status();
  absl::StatusOr<SealedAccount> account =
      SealedAccountAt(o.grant, o.year, head->sequence,
                      [&](const AsOf& as_of) { return backend.Position(o.grant, as_of); });
  if (!account.ok()) return account.status();
  sealed = *std::move(account);
  // The signed checkpoint at the record before the seal, where the server signs them.
  std::string checkpoint;
  absl::StatusOr<std::string> note = backend.Checkpoint(head->sequence);
  if (note.ok()) {
    checkpoint = *note;
  } else if (!absl::IsUnimplemented(note.status())) {
    return note.status();
  }
  v1::Event event;
  event.set_event_id(o.event_id.empty() ? StrCat("seal-", o.grant, "-", o.year, "-", head->sequence)
                                        : o.event_id);
  event.set_grant_id(o.grant);
  event.set_effective_date(o.date.empty() ? FormatCivilDay(TodayUtc()) : o.date);
  event.set_source(o.source);
  v1::Seal* s = event.mutable_seal();
  s->set_year(o.year);
  s->set_period_start(FormatCivilDay(sealed.period.start));
  s->set_period_end(FormatCivilDay(sealed.period.end));
  s->set_account_sha256(SealedAccountSha256(sealed));
  s->set_log_sequence(head->sequence);
  s->set_log_head_hash(head->head_hash);
  s->set_checkpoint(checkpoint);
  absl::StatusOr<AppendResult> result = backend.Append({event}, /*dry_run=*/false);
  if (!result.ok()) return result.status();
  return std::make_pair(std::move(event), *std::move(result));
}

int RunSeal(const SealOptions& o) {
  auto backend = OpenBackend(o.db, o.server, /*writable=*/true);
  if (!backend.ok()) return FailWith(backend.status());
  // A write between reading the account and appending the seal makes the store refuse the
  // seal (Aborted): read again and seal again, a few times.
  constexpr int kAttempts = 3;
  for (int attempt = 1;; ++attempt) {
    SealedAccount sealed;
    auto done = SealOnce(**backend, o, sealed);
    if (absl::IsAborted(done.status()) && attempt < kAttempts) continue;
    if (!done.ok()) return FailWith(done.status());
    PrintSealedAccount(sealed.account, done->first, done->second.sequences.at(0), std::cout);
    return kExitOk;
  }
}

int RunVerifySeal(const SealOptions& o) {
  auto backend = OpenBackend(o.db, o.server, /*writable=*/false);
  if (!backend.ok()) return FailWith(backend.status());
  auto seals = ReadGrantSeals(**backend, o.grant);
  if (!seals.ok()) return FailWith(seals.status());
  const RecordedSeal* seal = seals->Find(o.year);
  if (seal == nullptr) {
    return FailWith(absl::NotFoundError(StrCat("grant ", o.grant, " has no seal of ", o.year,
                                               "; seal it with `grantledger seal`")));
  }
  const v1::Seal& s = seal->event.seal();
  auto recomputed = RecomputeSealedAccount(**backend, seal->event);
  if (!recomputed.ok()) return FailWith(recomputed.status());
  auto point = (*backend)->Verify(s.log_sequence(), s.log_sequence(),
                                  Digest{s.log_sequence(), s.log_head_hash()});
  if (!point.ok()) return FailWith(point.status());
  std::vector<std::string> problems;
  const std::string period =
      StrCat(FormatCivilDay(recomputed->period.start), "–", FormatCivilDay(recomputed->period.end));
  if (period != StrCat(s.period_start(), "–", s.period_end())) {
    problems.push_back(StrCat("the period is ", period, " in the log, the seal says ",
                              s.period_start(), "–", s.period_end()));
  }
  const std::string digest = SealedAccountSha256(*recomputed);
  if (digest != s.account_sha256()) {
    problems.push_back(StrCat("the account recomputed from the log has SHA-256 ",
                              absl::BytesToHexString(digest), ", the seal says ",
                              absl::BytesToHexString(s.account_sha256())));
  }
  if (!point->ok) {
    problems.push_back(StrCat("the log no longer holds record ", s.log_sequence(),
                              " with the hash the seal names: ", point->problem));
  }
  std::cout << "seal of " << o.year << " for " << o.grant << " (sequence " << seal->sequence
            << ", period " << s.period_start() << "–" << s.period_end()
            << "), account as recorded up to sequence " << s.log_sequence() << ":\n";
  if (problems.empty()) {
    std::cout << "intact: the account recomputed from the log has SHA-256 "
              << absl::BytesToHexString(digest) << ", as sealed; record " << s.log_sequence()
              << " has the sealed hash\n";
    return kExitOk;
  }
  for (const std::string& p : problems) std::cout << "MISMATCH: " << p << "\n";
  return kExitDamaged;
}

}  // namespace

void AddSealCommands(CLI::App& app, int* exit_code) {
  {
    auto o = std::make_shared<SealOptions>();
    CLI::App* cmd = app.add_subcommand(
        "seal",
        "seal a grant's year once its financial account is submitted: later events dated in it "
        "need a post_close_reason, and the account stays reproducible (account --as-sealed)");
    AddTarget(cmd, *o, /*writes=*/true);
    cmd->add_option("--date", o->date, "the day of sealing, YYYY-MM-DD (default today in Sweden)");
    cmd->add_option("--event-id", o->event_id,
                    "the seal's event_id (default seal-GRANT-YEAR-HEAD, a retry is idempotent)");
    cmd->add_option("--source", o->source, "who seals (default \"grantledger seal\")");
    cmd->callback([=] { *exit_code = RunSeal(*o); });
  }
  {
    auto o = std::make_shared<SealOptions>();
    CLI::App* cmd = app.add_subcommand(
        "verify-seal",
        "recompute a sealed account from the log as of its seal and compare it with the seal's "
        "SHA-256 (exit 4 on a mismatch)");
    AddTarget(cmd, *o, /*writes=*/false);
    cmd->callback([=] { *exit_code = RunVerifySeal(*o); });
  }
}

int PrintAccountAsSealed(LedgerBackend& backend, const std::string& grant_id,
                         std::optional<int32_t> year, const ReportOutputFlags& output) {
  auto seals = ReadGrantSeals(backend, grant_id);
  if (!seals.ok()) return FailWith(seals.status());
  const RecordedSeal* seal = seals->Find(year);
  if (seal == nullptr) {
    return FailWith(absl::NotFoundError(
        StrCat("grant ", grant_id, " has no seal", year ? StrCat(" of ", *year) : std::string(),
               "; seal a year with `grantledger seal GRANT --period YEAR`")));
  }
  const v1::Seal& s = seal->event.seal();
  auto sealed = RecomputeSealedAccount(backend, seal->event);
  if (!sealed.ok()) return FailWith(sealed.status());
  if (SealedAccountSha256(*sealed) != s.account_sha256()) {
    std::cerr << "grantledger: the account recomputed from the log does not have the seal's "
                 "SHA-256; run `grantledger verify-seal "
              << grant_id << " --period " << s.year() << "`\n";
    return kExitDamaged;
  }
  auto at_seal = backend.Position(grant_id, AsOf{sealed->period.end, s.log_sequence()});
  if (!at_seal.ok()) return FailWith(at_seal.status());
  const std::vector<PostCloseCorrection> corrections =
      CorrectionsIn(*seals, sealed->period.end, seal->sequence, 0);
  absl::StatusOr<GrantPosition> now = backend.Position(grant_id, AsOf{sealed->period.end, 0});
  if (!now.ok()) return FailWith(now.status());
  const FinancialAccount corrected = FinancialAccountOf(*now);
  return EmitReport(
      output, {.table =
                   [&](std::ostream& out) {
                     PrintSealedAccount(sealed->account, seal->event, seal->sequence, out);
                     if (corrections.empty()) return;
                     PrintCorrections(corrections, out);
                     out << "Med rättelserna per " << FormatCivilDay(sealed->period.end)
                         << ": disponibelt " << FormatKronor(corrected.disposable_ore)
                         << ", använt " << FormatKronor(corrected.used_ore) << ", kvar "
                         << FormatKronor(corrected.remaining_ore) << "\n";
                   },
               .json = [&](std::ostream& out) { PrintFinancialAccountJson(sealed->account, out); },
               .sheets =
                   [&] {
                     return FinancialAccountSheets(sealed->account, at_seal->terms,
                                                   ObligationOf(*at_seal), Organisation{});
                   }});
}

void PrintAccountCorrections(LedgerBackend& backend, const std::string& grant_id, const AsOf& as_of,
                             std::ostream& out) {
  auto seals = ReadGrantSeals(backend, grant_id);
  if (!seals.ok()) {
    std::cerr << "grantledger: warning: could not list corrections posted after a seal: "
              << seals.status().message() << "\n";
    return;
  }
  PrintCorrections(CorrectionsIn(*seals, as_of.date, 0, as_of.sequence), out);
}

}  // namespace grantledger
