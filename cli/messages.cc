// The English-Swedish catalogue; see messages.h.
#include "cli/messages.h"

#include <atomic>
#include <cstdlib>

#include "absl/container/flat_hash_map.h"

namespace grantledger {
namespace {

std::atomic<Language> current{Language::kEnglish};

const absl::flat_hash_map<std::string, std::string>& Swedish() {
  static const auto* catalogue = new absl::flat_hash_map<std::string, std::string>{
      // Table headings.
      {"grant", "bidrag"},
      {"title", "benämning"},
      {"grantor", "bidragsgivare"},
      {"kind", "typ"},
      {"cost object", "objekt"},
      {"decided", "beslutat"},
      {"received", "erhållet"},
      {"allocated", "fördelat"},
      {"unallocated", "ofördelat"},
      {"spent", "förbrukat"},
      {"of which unassigned", "varav utan aktivitet"},
      {"repaid", "återbetalt"},
      {"remaining", "kvar"},
      {"remaining (OVERSPENT)", "kvar (ÖVERSKRIDET)"},
      {"usage period", "användningsperiod"},
      {"usage period start", "användningsperiod från"},
      {"usage period end", "användningsperiod till"},
      {"repay by", "återbetalas senast"},
      {"repay unused by", "återbetala oanvänt senast"},
      {"report by", "redovisas senast"},
      {"report", "redovisning"},
      {"amount", "belopp"},
      {"activity", "aktivitet"},
      {"division", "division"},
      {"overspent", "överskridet"},
      {"overspent lines", "överskridna rader"},
      {"total", "totalt"},
      {"eligible spent", "bidragsgrundande kostnader"},
      {"ineligible spent", "ej bidragsgrundande"},
      {"unused", "oanvänt"},
      {"repayable", "återbetalningsskyldigt"},
      {"outstanding", "kvar att återbetala"},
      {"left", "dagar kvar"},
      {"days left", "dagar kvar"},
      {"status", "status"},
      {"grants", "bidrag"},
      {"Grants", "Bidrag"},
      {"Obligations", "Åtaganden"},
      {"lines", "rader"},
      {"divisions", "divisioner"},
      {"purpose (ändamål)", "ändamål"},
      {"cost group (kostnadsgrupp)", "kostnadsgrupp"},
      {"disposable", "disponibelt"},
      {"used", "använt"},
      {"(none)", "(utan)"},
      // Status words.
      {"open", "öppen"},
      {"due soon", "förfaller snart"},
      {"overdue", "förfallen"},
      {"settled", "reglerad"},
      {"rejected", "avslag"},
      {"in period", "pågår"},
      {"upcoming", "kommande"},
      {"submitted", "inlämnad"},
      {"none", "ingen"},
      {"fixed", "fast"},
      {"performance-based", "prestationsbaserat"},
      {"applied-for", "ansökt"},
      {"unspecified", "ospecificerat"},
      {"expense", "kostnad"},
      {"expense credit", "kostnadskreditering"},
      {"receipt", "utbetalning"},
      {"allocation", "fördelning"},
      {"reallocation", "omfördelning"},
      {"repayment", "återbetalning"},
      {"reversal", "rättelse"},
      {"grant registered", "beslut registrerat"},
      {"terms amended", "villkor ändrade"},
      {"seal", "låsning"},
      {"recorded after the seal", "registrerad efter låsningen"},
      // Sentences.
      {"as of", "per"},
      {"as recorded up to sequence", "som registrerat till och med löpnummer"},
      {"days", "dagar"},
      {"days late", "dagar sent"},
      {"Unused funds and repayment obligations with deadlines",
       "Oanvända medel och återbetalningsskyldighet med sista dag"},
      {"nothing is unused or outstanding with a deadline in that range",
       "inget är oanvänt eller obetalt med sista dag i det intervallet"},
      {"nothing is unused, outstanding or overdue as of",
       "inget är oanvänt, obetalt eller förfallet per"},
      {"Targeted state grants", "Riktade statsbidrag"},
      {"warning", "varning"},
      {"note", "obs"},
      {"is booked outside the usage period (ends",
       "är bokfört utanför användningsperioden (slutar"},
      {"): not eligible, it does not reduce the obligation",
       "): ej bidragsgrundande, minskar inte återbetalningsskyldigheten"},
      {"unused must be repaid by", "oanvänt ska återbetalas senast"},
      {"days left)", "dagar kvar)"},
      {"is overdue: it was to be repaid by", "är förfallet: skulle ha återbetalats senast"},
      {"days late)", "dagar sent)"},
      {"spending at this rate ends", "med nuvarande förbrukningstakt blir kostnaderna"},
      {"above the decided amount by", "högre än beslutat belopp till"},
      {"the financial account was due", "den ekonomiska redovisningen skulle ha lämnats"},
      {"days late) and no report is recorded", "dagar sent) och ingen redovisning är registrerad"},
      // Counted things (cli/format_count.h).
      {"event", "händelse"},
      {"events", "händelser"},
      {"record", "post"},
      {"records", "poster"},
      {"row", "rad"},
      {"rows", "rader"},
      {"sheet", "blad"},
      {"sheets", "blad"},
      {"voucher", "verifikation"},
      {"vouchers", "verifikationer"},
      {"expenses", "kostnader"},
      // Progress lines (cli/progress.h).
      {"events checked", "händelser kontrollerade"},
      {"events posted", "händelser bokförda"},
      {"events read", "händelser lästa"},
      {"records verified", "poster verifierade"},
      {"records re-derived", "poster omräknade"},
      {"records replayed", "poster återspelade"},
      {"records exported", "poster exporterade"},
      {"records restored", "poster återställda"},
      // Summaries and the frames around errors ($0, $1, ...: absl::Substitute).
      {"nothing was written", "inget skrevs"},
      {"nothing was restored", "inget återställdes"},
      {"nothing to post", "inget att bokföra"},
      {"the $0 events before this batch were valid; nothing of this batch was written",
       "de $0 händelserna före denna omgång var giltiga; inget av denna omgång skrevs"},
      {"the $0 events before this batch were written; nothing of this batch was written",
       "de $0 händelserna före denna omgång skrevs; inget av denna omgång skrevs"},
      {"valid: $0 ($1 new, $2 already in the ledger); nothing was written",
       "giltigt: $0 ($1 nya, $2 redan i huvudboken); inget skrevs"},
      {"posted $0", "bokförde $0"},
      {" (sequences $0–$1)", " (löpnummer $0–$1)"},
      {", $0 already in the ledger; head $1 $2", ", $0 redan i huvudboken; huvud $1 $2"},
      {"wrote $0: $1, $2", "skrev $0: $1, $2"},
      {"wrote $0: $1 and a header", "skrev $0: $1 och en rubrikrad"},
      {"wrote $0", "skrev $0"},
      {"exported $0 to $1", "exporterade $0 till $1"},
      {"standard output", "standard ut"},
      {"restored $0 records into $1; head $2 $3", "återställde $0 poster till $1; huvud $2 $3"},
      {"$0: SIE $1 from $2, $3$4; $5, $6 ($7 removed rows not counted): $8 on grants ($9 "
       "credits), ",
       "$0: SIE $1 från $2, $3$4; $5, $6 ($7 borttagna rader ej räknade): $8 på bidrag ($9 "
       "krediteringar), "},
      {"$0 dated outside the usage period (ineligible), $1 rows not on a grant's cost object or "
       "not on a cost account",
       "$0 daterade utanför användningsperioden (ej bidragsgrundande), $1 rader inte på ett "
       "bidrags objekt eller inte på ett kostnadskonto"},
      {"an unnamed program", "ett namnlöst program"},
      {", #KSUMMA verified", ", #KSUMMA kontrollerad"},
      {"if the store says an event id exists with other content, this file corrects vouchers "
       "imported before: post reversals of the old rows, or correct the vouchers in a new voucher",
       "om huvudboken säger att ett händelse-id finns med annat innehåll rättar denna fil "
       "verifikationer som importerats tidigare: bokför rättelser av de gamla raderna, eller rätta "
       "verifikationerna i en ny verifikation"},
      {"$0 grant has a repayment or a report due or overdue within $1 days",
       "$0 bidrag har en återbetalning eller redovisning som förfaller eller har förfallit inom "
       "$1 dagar"},
      {"$0 grants have a repayment or a report due or overdue within $1 days",
       "$0 bidrag har en återbetalning eller redovisning som förfaller eller har förfallit inom "
       "$1 dagar"},
  };
  return *catalogue;
}

}  // namespace

void SetLanguage(Language language) { current.store(language); }
Language CurrentLanguage() { return current.load(); }

Language LanguageFromEnvironment() {
  for (const char* name : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') continue;
    const std::string v(value);
    return v.rfind("sv", 0) == 0 ? Language::kSwedish : Language::kEnglish;
  }
  return Language::kEnglish;
}

std::vector<std::string> TrAll(std::vector<std::string> english) {
  for (std::string& e : english) e = Tr(e);
  return english;
}

std::string Tr(const std::string& english) {
  if (current.load() != Language::kSwedish) return english;
  const auto& catalogue = Swedish();
  auto it = catalogue.find(english);
  return it == catalogue.end() ? english : it->second;
}

}  // namespace grantledger
