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

namespace {

v1::Event Registered(const std::string& id, const std::string& grant, const std::string& date,
                     const std::string& title, const std::string& grantor, int64_t decided_kr,
                     const std::string& start, const std::string& end, const std::string& deadline,
                     v1::GrantKind kind, const std::string& cost_object) {
  v1::Event e = Envelope(id, date, "helen.persson", grant);
  e.set_grant_id(grant);
  v1::GrantRegistered* g = e.mutable_grant_registered();
  g->set_title(title);
  g->set_grantor(grantor);
  g->set_decided_amount_ore(decided_kr * 100);
  g->set_usage_period_start(start);
  g->set_usage_period_end(end);
  g->set_repayment_deadline(deadline);
  g->set_kind(kind);
  g->set_cost_object(cost_object);
  return e;
}

v1::Event OnGrant(const std::string& id, const std::string& grant, const std::string& date,
                  const std::string& source, const std::string& ref) {
  v1::Event e = Envelope(id, date, source, ref);
  e.set_grant_id(grant);
  return e;
}

}  // namespace

std::vector<v1::Event> OtherSampleGrants() {
  std::vector<v1::Event> out;
  // RS/211/2025: paid per operation above the 2022-2024 average, June-October 2025.
  v1::Event rs211 =
      Registered("rs211-registered", "RS/211/2025", "2025-07-04",
                 "Prestationsersättningar operationer (höftledsprotes, framfall, grå starr) 2025",
                 "Socialstyrelsen", 7'034'468, "2025-06-01", "2025-12-31", "2026-03-31",
                 v1::GRANT_KIND_PERFORMANCE_BASED, "9931");
  // The model's parameters. The counts are invented for the sample (the seed gives only the
  // rates and the cap); the reference years are 2022-2024, June-October.
  v1::EntitlementModel::PerUnit* model =
      rs211.mutable_grant_registered()->mutable_entitlement()->mutable_per_unit();
  model->set_cap_kr(7'034'468);
  const struct {
    const char* name;
    int64_t rate_kr;
    int64_t actual;
    int64_t references[3];
  } categories[] = {{"Höftledsprotes", 108'000, 95, {70, 72, 74}},
                    {"Framfall", 39'000, 60, {40, 42, 44}},
                    {"Grå starr", 19'000, 1'400, {1'180, 1'200, 1'220}}};
  for (const auto& k : categories) {
    v1::EntitlementModel::UnitCategory* u = model->add_categories();
    u->set_name(k.name);
    u->set_rate_kr(k.rate_kr);
    u->set_actual_count(k.actual);
    for (int64_t r : k.references) u->add_reference_counts(r);
  }
  v1::GrantCondition* c = rs211.mutable_grant_registered()->add_conditions();
  c->set_condition_id("rapportering");
  c->set_description(
      "Rapportera den data som krävs för uppföljning senast det datum Socialstyrelsen anger");
  out.push_back(rs211);
  v1::Event rs211_receipt =
      OnGrant("rs211-receipt-prel", "RS/211/2025", "2025-12-15", "erp", "SoS prel");
  rs211_receipt.mutable_receipt()->set_amount_ore(5'200'000'00);
  rs211_receipt.mutable_receipt()->set_preliminary(true);
  out.push_back(rs211_receipt);
  for (int m = 0; m < 5; ++m) {
    v1::Event e =
        OnGrant(absl::StrCat("erp-9931-", 100 + m), "RS/211/2025",
                absl::StrFormat("2025-%02d-28", 6 + m), "erp", absl::StrCat("V9931-", 100 + m));
    v1::Expense* x = e.mutable_expense();
    x->set_amount_ore((900'000 + 50'000 * m) * 100LL);
    x->set_purpose("Köpt vård, operationer");
    x->set_cost_group("Köpta tjänster");
    x->set_cost_object("9931");
    out.push_back(e);
  }

  // National minorities 2019 (Sametinget): the table in the 2020 summary.
  out.push_back(Registered("rs285-registered", "RS/285/2019", "2019-03-11",
                           "Nationella minoriteter och minoritetsspråk 2019", "Sametinget", 250'000,
                           "2019-01-01", "2019-12-31", "2020-03-31", v1::GRANT_KIND_FIXED, "9810"));
  v1::Event nm_receipt = OnGrant("rs285-receipt", "RS/285/2019", "2019-03-20", "erp", "Sametinget");
  nm_receipt.mutable_receipt()->set_amount_ore(250'000'00);
  out.push_back(nm_receipt);
  const struct {
    const char* purpose;
    const char* cost_group;
    int64_t kronor;
  } table[] = {
      {"Inflytande, delaktighet och samråd", "lokalhyra", 17575},
      {"Inflytande, delaktighet och samråd", "förtäring", 2628},
      {"Inflytande, delaktighet och samråd", "arvoden", 34251},
      {"Språk -och kultur", "studiecirklar", 41632},
      {"Språk -och kultur", "litteratur-/tidskriftsinköp", 728},
      {"Samordning", "personal, lön", 31682},
      {"Samordning", "resor och logi", 4937},
      {"Ärendehandläggning", "tolk/översättning", 23139},
      {"Ärendehandläggning", "fortbildning av personal", 77482},
  };
  int n = 0;
  for (const auto& row : table) {
    ++n;
    v1::Event e = OnGrant(absl::StrCat("erp-9810-", n), "RS/285/2019",
                          absl::StrFormat("2019-%02d-15", 3 + n), "erp", absl::StrCat("V9810-", n));
    v1::Expense* x = e.mutable_expense();
    x->set_amount_ore(row.kronor * 100);
    x->set_purpose(row.purpose);
    x->set_cost_group(row.cost_group);
    x->set_cost_object("9810");
    out.push_back(e);
  }
  v1::Event nm_repay =
      OnGrant("rs285-repayment", "RS/285/2019", "2020-03-20", "erp", "Återbetalning 2019");
  nm_repay.mutable_repayment()->set_amount_ore(15'946'00);
  out.push_back(nm_repay);

  // Cancer care: 2019's remaining stimulus funds carried over into RS/28/2020.
  out.push_back(Registered("cancer2019-registered", "RS/40/2019", "2019-02-01",
                           "Jämlik och effektiv cancervård med kortare väntetider 2019", "SKR",
                           4'300'000, "2019-01-01", "2019-12-31", "2020-03-31",
                           v1::GRANT_KIND_FIXED, "9820"));
  v1::Event c19 = OnGrant("cancer2019-receipt", "RS/40/2019", "2019-02-15", "erp", "SKR");
  c19.mutable_receipt()->set_amount_ore(4'300'000'00);
  out.push_back(c19);
  v1::Event c19s = OnGrant("erp-9820-1", "RS/40/2019", "2019-11-30", "erp", "V9820-1");
  c19s.mutable_expense()->set_amount_ore(2'200'000'00);
  c19s.mutable_expense()->set_purpose("SVF-koordinatorer");
  c19s.mutable_expense()->set_cost_group("Personalkostnader");
  out.push_back(c19s);
  out.push_back(Registered("rs28-registered", "RS/28/2020", "2020-01-20",
                           "Jämlik och effektiv cancervård och kortare väntetider 2020", "SKR",
                           3'840'000, "2020-01-01", "2020-12-31", "2021-03-31",
                           v1::GRANT_KIND_FIXED, "9821"));
  v1::Event carry = OnGrant("cancer-carry-over", "RS/40/2019", "2019-12-31", "helen.persson",
                            "Delegationsbeslut 2020-04-16");
  carry.mutable_carry_over()->set_amount_ore(2'100'000'00);
  carry.mutable_carry_over()->set_to_grant_id("RS/28/2020");
  carry.mutable_carry_over()->set_decision_ref("Delegationsbeslut 2020-04-16");
  out.push_back(carry);
  v1::Event c20 = OnGrant("rs28-receipt", "RS/28/2020", "2020-04-01", "erp", "SKR");
  c20.mutable_receipt()->set_amount_ore(2'100'000'00);
  out.push_back(c20);
  v1::Event c20s = OnGrant("erp-9821-1", "RS/28/2020", "2020-12-15", "erp", "V9821-1");
  c20s.mutable_expense()->set_amount_ore(4'200'000'00);
  c20s.mutable_expense()->set_purpose("Prevention och tidig upptäckt");
  c20s.mutable_expense()->set_cost_group("Köpta tjänster");
  out.push_back(c20s);

  // RS/29/2020: the action plans' reporting date moved from 2020-09-30 to 2021-03-31.
  v1::Event rs29 = Registered("rs29-registered", "RS/29/2020", "2020-02-10",
                              "Ökad tillgänglighet i hälso- och sjukvården 2020, prestationsdel",
                              "SKR", 27'600'000, "2020-01-01", "2020-12-31", "2021-03-31",
                              v1::GRANT_KIND_PERFORMANCE_BASED, "9830");
  rs29.mutable_grant_registered()->set_reporting_deadline("2020-09-30");
  out.push_back(rs29);
  v1::Event moved = OnGrant("rs29-senarelaggning", "RS/29/2020", "2020-04-24", "helen.persson",
                            "Tilläggsöverenskommelse 2020-04-24");
  moved.mutable_terms_amended()->set_reporting_deadline("2021-03-31");
  moved.mutable_terms_amended()->set_decision_ref("Tilläggsöverenskommelse 2020-04-24");
  out.push_back(moved);
  v1::Event rs29r = OnGrant("rs29-receipt", "RS/29/2020", "2020-06-30", "erp", "SKR");
  rs29r.mutable_receipt()->set_amount_ore(27'600'000'00);
  out.push_back(rs29r);
  v1::Event rs29s = OnGrant("erp-9830-1", "RS/29/2020", "2020-12-20", "erp", "V9830-1");
  rs29s.mutable_expense()->set_amount_ore(27'600'000'00);
  rs29s.mutable_expense()->set_purpose("Kortare köer");
  rs29s.mutable_expense()->set_cost_group("Köpt vård");
  out.push_back(rs29s);

  // RS/242/2020: applied for 0,9 mkr, rejected.
  out.push_back(Registered("rs242-registered", "RS/242/2020", "2020-03-01",
                           "Förebygga och behandla ohälsosamma levnadsvanor vid psykisk ohälsa",
                           "Socialstyrelsen", 900'000, "2020-01-01", "2020-12-31", "2021-03-31",
                           v1::GRANT_KIND_APPLIED_FOR, ""));
  v1::Event rejected =
      OnGrant("rs242-avslag", "RS/242/2020", "2020-05-15", "helen.persson", "Avslag");
  rejected.mutable_terms_amended()->set_decided_amount_ore(0);
  rejected.mutable_terms_amended()->set_decision_ref("Socialstyrelsen avslag 2020-05-15");
  out.push_back(rejected);
  return out;
}

}  // namespace grantledger::sample
