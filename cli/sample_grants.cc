// Sample data from RS/229/2025; see sample_grants.h.
#include "cli/sample_grants.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace grantledger::sample {
namespace {

v1::Event Envelope(std::string event_id, std::string date, std::string source,
                   std::string external_ref) {
  v1::Event e;
  e.set_event_id(std::move(event_id));
  e.set_grant_id(kRs229GrantId);
  e.set_effective_date(std::move(date));
  e.set_source(std::move(source));
  e.set_external_ref(std::move(external_ref));
  return e;
}

v1::Event Expense(const std::string& id, const std::string& date, const AllocationLine& line,
                  int64_t amount_ore, const std::string& purpose, const std::string& cost_group,
                  const std::string& voucher) {
  v1::Event e = Envelope(id, date, "erp", voucher);
  v1::Expense* x = e.mutable_expense();
  x->set_amount_ore(amount_ore);
  x->set_activity(line.activity);
  x->set_division(line.division);
  x->set_purpose(purpose);
  x->set_cost_group(cost_group);
  x->set_cost_object("9929");
  return e;
}

}  // namespace

const std::vector<AllocationLine>& Rs229AllocationLines() {
  static const auto* lines = new std::vector<AllocationLine>{
      {"p1", "Regionen", 500'000,
       "Arbeta med PKS övergripande och på verksamhetsnivå, produktionsplan"},
      {"p2", "Regionen", 8'000'000, "Samverkansavtal St Olav"},
      {"p3", "HS Kir", 1'500'000, "Vårdhotell - nyinrättad vårdnivå"},
      {"p3", "Med", 1'500'000, "Vårdhotell - nyinrättad vårdnivå"},
      {"p4-6", "Regionen", 7'177'000,
       "Dialogyta HR och ledningsgrupper, återhämtning, studiemedel"},
      {"p7", "HS Kir", 36'600'000,
       "Hyr: läkare, sjuksköterskor, audionomer, extern granskning rtg"},
      {"p7", "Med", 21'021'000, "Hyr: läkare, sjuksköterskor, audionomer, extern granskning rtg"},
      {"p7-8", "Nära vård", 28'600'000, "Hyr; Jämtlandsmodellen"},
      {"p9", "Med", 600'000, "Webbtidbok"},
      {"p9", "Nära vård", 1'600'000, "Webbtidbok"},
      {"p10", "Nära vård", 715'000, "Remissflöde och konsultation inom psykiatri"},
      {"p11", "VUP", 6'600'000, "Köpa vård, utredningar (ADHD, komplex PTSD)"},
      {"p11-overkapacitet", "HS Kir", 500'000, "Lämna ifrån oss överkapacitet"},
      {"p11-kopt-vard", "HS Kir", 6'900'000, "Köpt vård: ortopedi, höftoperation, katarakt"},
      {"p12", "HS Kir", 650'000, "Extra mottagningar ex. ögon, röntgen"},
      {"p12", "Med", 1'400'000, "Extra mottagningar ex. ögon, röntgen"},
      {"p13", "Med", 350'000, "Minska andelen mångbesökare akuten"},
      {"p14", "Med", 1'800'000, "Shuntoperationer"},
      {"p15", "Med", 700'000, "Standardiserat vårdförlopp för hjärtsvikt"},
      {"p7-tandvard", "Nära vård", 150'000, "Specialisttandvården utbildar egen personal"},
      {"p16", "Med", 5'400'000, "Mobil verksamhet"},
      {"p16", "Nära vård", 5'000'000, "Mobil verksamhet"},
      {"p17", "Nära vård", 5'800'000, "Ambulanssjukvården, inre befäl, bedömningsbilar"},
      {"p18", "Nära vård", 1'800'000, "Filialer för barn och unga via BUP"},
      {"p19", "Med", 600'000, "Sjuksköterskebaserad mottagning, väntelistor"},
      {"p7-forstarkning", "HS Kir", 2'000'000, "Förstärkningsplatser kirurgen"},
  };
  return *lines;
}

std::vector<v1::Event> Rs229Decision() {
  std::vector<v1::Event> events;
  v1::Event reg = Envelope("rs229-registered", "2025-05-26", "marie.norlen", "RS/229/2025");
  v1::GrantRegistered* g = reg.mutable_grant_registered();
  g->set_title(
      "Stärkt tillgänglighet och ökad vårdkapacitet inom den specialiserade hälso- och sjukvården "
      "2025");
  g->set_grantor("Socialstyrelsen");
  g->set_decided_amount_ore(kRs229ReceivedOre);
  g->set_usage_period_start("2025-01-01");
  g->set_usage_period_end("2025-12-31");
  g->set_repayment_deadline("2026-03-31");
  g->set_reporting_deadline("2026-03-31");
  g->set_cost_object("9929");
  g->set_kind(v1::GRANT_KIND_FIXED);
  g->set_year("2025");
  events.push_back(std::move(reg));

  v1::Event receipt = Envelope("rs229-receipt-1", "2025-05-15", "erp", "SoS utbetalning 2025");
  receipt.mutable_receipt()->set_amount_ore(kRs229ReceivedOre);
  events.push_back(std::move(receipt));

  int n = 0;
  for (const AllocationLine& line : Rs229AllocationLines()) {
    v1::Event a = Envelope(absl::StrCat("rs229-allocation-", ++n), "2025-05-26", "marie.norlen",
                           "RS/229/2025");
    v1::Allocation* x = a.mutable_allocation();
    x->set_amount_ore(line.amount_kr * 100);
    x->set_activity(line.activity);
    x->set_division(line.division);
    x->set_description(line.description);
    events.push_back(std::move(a));
  }
  return events;
}

std::vector<v1::Event> Rs229YearOfExpenses() {
  std::vector<v1::Event> events;
  const auto& lines = Rs229AllocationLines();
  // Spending pattern per line, in per mille of the allocation over June-December: most lines
  // spend 96-99 %, p13 underspends (60 %), p14 overspends (112 %), p2 spends 90 %.
  int voucher = 41000;
  for (size_t i = 0; i < lines.size(); ++i) {
    const AllocationLine& line = lines[i];
    int per_mille = 960 + static_cast<int>((i * 7) % 30);
    if (line.activity == "p13") per_mille = 600;
    if (line.activity == "p14") per_mille = 1120;
    if (line.activity == "p2") per_mille = 900;
    const int64_t total_ore = line.amount_kr * 100 * per_mille / 1000;
    const int months = 7;  // June to December
    for (int m = 0; m < months; ++m) {
      int64_t amount = total_ore / months + (m < total_ore % months ? 1 : 0);
      std::string date = absl::StrFormat("2025-%02d-%02d", 6 + m, m == 6 ? 19 : 25);
      std::string cost_group = (m % 2 == 0) ? "Personalkostnader" : "Köpta tjänster";
      ++voucher;
      events.push_back(Expense(absl::StrCat("erp-9929-", voucher), date, line, amount,
                               line.description, cost_group, absl::StrCat("V", voucher)));
    }
  }
  // p13 will not reach its stipulated cost: 100 000 kr moves to p14 after consultation.
  v1::Event r = Envelope("rs229-omfordelning-1", "2025-11-14", "marie.norlen", "RS/229/2025-omf-1");
  v1::Reallocation* x = r.mutable_reallocation();
  x->set_amount_ore(100'000'00);
  x->set_from_activity("p13");
  x->set_from_division("Med");
  x->set_to_activity("p14");
  x->set_to_division("Med");
  x->set_approver("HSLG");
  x->set_decision_ref("HSLG 2025-11-12 §4");
  events.push_back(std::move(r));
  return events;
}

std::vector<v1::Event> Rs229LateYearEndPostings() {
  const auto& lines = Rs229AllocationLines();
  std::vector<v1::Event> events;
  // Accrued December costs booked in the closing period, dated 2025-12-31.
  events.push_back(Expense("erp-9929-bokslut-1", "2025-12-31", lines[5], 250'000'00,
                           lines[5].description, "Köpta tjänster", "B2026-0007"));
  events.push_back(Expense("erp-9929-bokslut-2", "2025-12-31", lines[20], 80'000'00,
                           lines[20].description, "Personalkostnader", "B2026-0008"));
  return events;
}

}  // namespace grantledger::sample
