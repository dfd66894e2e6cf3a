// Sealed years on the command line; see seal_report.h.
#include "cli/seal_report.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "cli/messages.h"
#include "cli/report.h"
#include "cli/table.h"
#include "cli/year_end_report.h"
#include "ledger/civil_date.h"
#include "ledger/money.h"

namespace grantledger {

const RecordedSeal* GrantSeals::Find(std::optional<int32_t> year) const {
  const RecordedSeal* found = nullptr;
  for (const RecordedSeal& s : seals) {
    if (!year || s.event.seal().year() == *year) found = &s;
  }
  return found;
}

absl::StatusOr<GrantSeals> ReadGrantSeals(LedgerBackend& backend, const std::string& grant_id) {
  GrantSeals out;
  SealTracker tracker;
  absl::Status s = backend.ReadEvents(1, grant_id, [&](const v1::RecordedEvent& r) {
    const v1::Event& event = r.record().event();
    const uint64_t sequence = r.record().sequence();
    if (std::optional<SealRef> seal = tracker.Observe(event, sequence)) {
      out.corrections.push_back({sequence, event, *seal});
    }
    if (event.has_seal() && event.grant_id() == grant_id) out.seals.push_back({sequence, event});
    return true;
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<SealedAccount> RecomputeSealedAccount(LedgerBackend& backend,
                                                     const v1::Event& seal) {
  const std::string& grant_id = seal.grant_id();
  return SealedAccountAt(grant_id, seal.seal().year(), seal.seal().log_sequence(),
                         [&](const AsOf& as_of) { return backend.Position(grant_id, as_of); });
}

void PrintSealedAccount(const FinancialAccount& account, const v1::Event& seal,
                        uint64_t seal_sequence, std::ostream& out) {
  const v1::Seal& s = seal.seal();
  PrintFinancialAccount(account, out);
  out << "\nLåst år " << s.year() << " (" << s.period_start() << "–" << s.period_end() << ") den "
      << seal.effective_date() << ", löpnummer " << seal_sequence
      << "; redovisningen som registrerad till och med löpnummer " << s.log_sequence() << "\n"
      << "SHA-256 " << absl::BytesToHexString(s.account_sha256()) << "\n"
      << "kedjehash " << s.log_sequence() << " " << absl::BytesToHexString(s.log_head_hash())
      << "\n";
  if (s.checkpoint().empty()) {
    out << "kontrollpunkt: ingen (servern signerar inga)\n";
  } else {
    out << "kontrollpunkt:\n" << s.checkpoint();
    if (s.checkpoint().back() != '\n') out << "\n";
  }
}

std::vector<PostCloseCorrection> CorrectionsIn(const GrantSeals& seals, absl::CivilDay through,
                                               uint64_t after_sequence, uint64_t up_to_sequence) {
  std::vector<PostCloseCorrection> out;
  for (const PostCloseCorrection& c : seals.corrections) {
    auto date = ParseCivilDay(c.event.effective_date(), "");
    if (!date.ok() || *date > through || c.sequence <= after_sequence) continue;
    if (up_to_sequence != 0 && c.sequence > up_to_sequence) continue;
    out.push_back(c);
  }
  return out;
}

void PrintCorrections(const std::vector<PostCloseCorrection>& corrections, std::ostream& out) {
  if (corrections.empty()) return;
  out << "\nRegistrerade efter låsningen (rättelser efter stängning):\n";
  Table table({"löpnummer", "datum", "händelse", "belopp", "låsning", "skäl"},
              {true, false, false, true, false, false});
  for (const PostCloseCorrection& c : corrections) {
    table.AddRow({absl::StrCat(c.sequence), c.event.effective_date(),
                  absl::StrCat(Tr(EventKind(c.event)), " (registrerad efter låsningen)"),
                  FormatKronor(EventAmountOre(c.event)),
                  absl::StrCat(c.seal.year, ", löpnummer ", c.seal.sequence),
                  c.event.post_close_reason()});
  }
  table.Print(out);
}

}  // namespace grantledger
