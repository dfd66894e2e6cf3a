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
