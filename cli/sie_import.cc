// SIE 4 import; see sie_import.h.
#include "cli/sie_import.h"

#include <algorithm>
#include <iostream>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/error_output.h"
#include "cli/format_count.h"
#include "cli/messages.h"
#include "cli/post_events.h"
#include "cli/table.h"
#include "ledger/civil_date.h"
#include "ledger/csv.h"
#include "ledger/money.h"

namespace grantledger {
namespace {

using absl::StrCat;

// BAS account classes as cost groups (kostnadsgrupper).
std::string CostGroupOf(const std::string& account) {
  if (account.empty()) return "";
  const char c = account[0];
  const char d = account.size() > 1 ? account[1] : '0';
  if (c == '4') return "Varor, material och tjänster";
  if (c == '5' || c == '6') return "Övriga externa kostnader";
  if (c == '7' && (d == '7' || d == '8')) return "Avskrivningar och nedskrivningar";
  if (c == '7' && d == '9') return "Övriga rörelsekostnader";
  if (c == '7') return "Personalkostnader";
  return "";
}

bool IsCostAccount(const std::string& account) {
  return !account.empty() && account[0] >= '4' && account[0] <= '7' &&
         std::all_of(account.begin(), account.end(), absl::ascii_isdigit);
}

const std::string* ObjectIn(const SieRow& row, int dimension) {
  if (dimension <= 0) return nullptr;
  for (const SieObjectRef& ref : row.objects)
    if (ref.dimension == dimension) return &ref.object;
  return nullptr;
}

// The grant a row belongs to (nullptr: none has the object). Several grants with the object:
// the one whose usage period holds the date.
absl::StatusOr<const GrantPosition*> GrantOf(const std::string& object, absl::CivilDay date,
                                             const std::vector<GrantPosition>& grants) {
  std::vector<const GrantPosition*> candidates, in_period;
  for (const GrantPosition& g : grants) {
    if (g.terms.cost_object != object) continue;
    candidates.push_back(&g);
    if (date >= g.terms.usage_period_start && date <= g.terms.usage_period_end)
      in_period.push_back(&g);
  }
  if (candidates.empty()) return static_cast<const GrantPosition*>(nullptr);
  if (candidates.size() == 1) return candidates[0];
  if (in_period.size() == 1) return in_period[0];
  std::vector<std::string> ids;
  for (const GrantPosition* g : candidates) ids.push_back(g->grant_id);
  return absl::InvalidArgumentError(StrCat("cost object \"", object, "\" belongs to ",
                                           absl::StrJoin(ids, ", "),
                                           " and the date does not single one out; give --grant"));
}

// The code of an activity or division object as the grant names its lines: the object number,
// or its #OBJEKT name when that is what the grant's lines use.
std::string LineCode(const SieFile& file, int dimension, const std::string& object,
                     const GrantPosition& grant, bool activity) {
  auto named = file.objects.find({dimension, object});
  for (const ActivityBalance& line : grant.balance.activities) {
    const std::string& code = activity ? line.activity : line.division;
    if (code == object) return object;
  }
  if (named != file.objects.end()) {
    for (const ActivityBalance& line : grant.balance.activities) {
      const std::string& code = activity ? line.activity : line.division;
      if (code == named->second) return named->second;
    }
  }
  return object;
}

}  // namespace

absl::StatusOr<SieImportPlan> ExpensesFromSie(const SieFile& file, const std::string& source,
                                              const std::vector<GrantPosition>& grants,
                                              const SieImportOptions& options) {
  SieImportPlan plan;
  const GrantPosition* given = nullptr;
  if (!options.grant_id.empty()) {
    for (const GrantPosition& g : grants)
      if (g.grant_id == options.grant_id) given = &g;
    if (given == nullptr) {
      return absl::NotFoundError(StrCat("--grant ", options.grant_id,
                                        ": no such grant; register it first (grantledger grants "
                                        "lists them)"));
    }
    if (given->terms.cost_object.empty()) {
      return absl::FailedPreconditionError(
          StrCat("--grant ", options.grant_id,
                 " has no cost object to find its rows by; amend its terms with a cost_object"));
    }
  }
  std::map<std::string, int> id_lines;  // event id -> the row's line
  for (const SieVoucher& v : file.vouchers) {
    ++plan.vouchers;
    for (const SieRow& row : v.rows) {
      if (row.kind == SieRow::Kind::kRemoved) {
        ++plan.removed_rows;
        continue;
      }
      ++plan.rows;
      const std::string* object = ObjectIn(row, options.object_dim);
      if (!IsCostAccount(row.account) || object == nullptr || object->empty()) {
        ++plan.skipped;
        continue;
      }
      const absl::CivilDay date = row.date.value_or(v.date);
      const GrantPosition* grant = nullptr;
      if (given != nullptr) {
        if (*object == given->terms.cost_object) grant = given;
      } else {
        auto found = GrantOf(*object, date, grants);
        if (!found.ok()) {
          return absl::InvalidArgumentError(
              StrCat(source, ":", row.line, ": ", found.status().message()));
        }
        grant = *found;
      }
      if (grant == nullptr || row.amount_ore == 0) {
        ++plan.skipped;
        continue;
      }
      EventLine line;
      line.line = row.line;
      v1::Event& e = line.event;
      e.set_event_id(StrCat(options.id_prefix, "-", v.series.empty() ? "0" : v.series, "-",
                            v.number, "-", row.number));
      // Ids are built from the series and the number, so two vouchers can meet in one id
      // (series "A-1" number 2 and series "A" number "1-2"): refuse rather than drop a row.
      if (auto [first, added] = id_lines.try_emplace(e.event_id(), row.line); !added) {
        return absl::InvalidArgumentError(
            StrCat(source, ":", row.line, ": this row's event id ", e.event_id(),
                   " is also the id of the row at line ", first->second,
                   "; the two vouchers cannot both be imported: rename one of their series in "
                   "the accounting program and export again"));
      }
      e.set_grant_id(grant->grant_id);
      e.set_effective_date(FormatCivilDay(date));
      e.set_source(options.source);
      e.set_external_ref(StrCat(v.series.empty() ? "" : v.series + " ", v.number));
      v1::Expense* x = e.mutable_expense();
      x->set_amount_ore(row.amount_ore < 0 ? -row.amount_ore : row.amount_ore);
      x->set_credit(row.amount_ore < 0);
      if (const std::string* a = ObjectIn(row, options.activity_dim); a && !a->empty())
        x->set_activity(LineCode(file, options.activity_dim, *a, *grant, true));
      if (const std::string* d = ObjectIn(row, options.division_dim); d && !d->empty())
        x->set_division(LineCode(file, options.division_dim, *d, *grant, false));
      x->set_cost_group(CostGroupOf(row.account));
      x->set_cost_object(*object);
      if (row.account.size() >= 2 && row.account[0] == '7' && row.account[1] == '8')
        x->set_nature(v1::COST_NATURE_DEPRECIATION);
      std::string text = row.text.empty() ? v.text : row.text;
      auto account = file.accounts.find(row.account);
      text = StrCat(row.account, account != file.accounts.end() ? StrCat(" ", account->second) : "",
                    text.empty() ? "" : ": ", text);
      if (text.size() > 1000) {  // the ledger's texts hold at most 1 024 bytes
        size_t cut = 1000;
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
        text.resize(cut);  // never inside a character
      }
      x->set_text(text);
      if (x->credit()) ++plan.credits;
      if (date < grant->terms.usage_period_start || date > grant->terms.usage_period_end)
        ++plan.ineligible;
      plan.lines.push_back(std::move(line));
    }
  }
  return plan;
}

void AddSieImportCommand(CLI::App& app, int* exit_code) {
  auto* cmd =
      app.add_subcommand("import-sie",
                         "post expenses from a SIE 4 export (rows on cost accounts with a grant's "
                         "cost object), atomically");
  auto db = std::make_shared<std::string>();
  auto server = std::make_shared<std::string>(kDefaultServer);
  auto file = std::make_shared<std::string>();
  auto options = std::make_shared<SieImportOptions>();
  auto dry_run = std::make_shared<bool>(false);
  auto encoding = std::make_shared<std::string>("auto");
  auto ignore_checksum = std::make_shared<bool>(false);
  cmd->add_option("file", *file, "the SIE 4 file (#SIETYP 4)")->required();
  cmd->add_option("--db", *db, "post directly into this data directory instead of a server");
  cmd->add_option("--server", *server, "grantledgerd address (default 127.0.0.1:50051)");
  cmd->add_option("--grant", options->grant_id,
                  "only the rows on this grant's cost object (default: every grant's)");
  cmd->add_option("--object-dim", options->object_dim,
                  "the object dimension holding the cost object (default 6, projekt)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--activity-dim", options->activity_dim,
                  "the object dimension holding the activity (default: none)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--division-dim", options->division_dim,
                  "the object dimension holding the division (default: none)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--encoding", *encoding,
                  "auto (#FORMAT PC8 = CP437, else detected), cp437, windows-1252, utf-8");
  cmd->add_flag("--ignore-checksum", *ignore_checksum,
                "import even when #KSUMMA does not match (the program computes it differently)");
  cmd->add_flag("--dry-run", *dry_run, "print what would be posted; write nothing");
  cmd->callback([=] {
    auto enc = ParseTextEncoding(*encoding);
    if (!enc.ok()) {
      *exit_code = FailUsage(std::string(enc.status().message()));
      return;
    }
    auto bytes = ReadInput(*file);
    if (!bytes.ok()) {
      *exit_code = FailWith(bytes.status());
      return;
    }
    SieParseOptions parse;
    parse.encoding = *enc;
    parse.verify_checksum = !*ignore_checksum;
    auto sie = ParseSie4(*bytes, *file, parse);
    if (!sie.ok()) {
      *exit_code = FailWith(sie.status());
      std::cerr << kErrorPrefix << Tr("nothing was written") << "\n";
      return;
    }
    auto backend = OpenBackend(*db, *server, /*writable=*/true);
    if (!backend.ok()) {
      *exit_code = FailWith(backend.status());
      return;
    }
    auto grants = (*backend)->Positions(AsOf{absl::CivilDay(2999, 12, 31), 0});
    if (!grants.ok()) {
      *exit_code = FailWith(grants.status());
      return;
    }
    auto plan = ExpensesFromSie(*sie, *file, *grants, *options);
    if (!plan.ok()) {
      *exit_code = FailWith(plan.status());
      std::cerr << kErrorPrefix << Tr("nothing was written") << "\n";
      return;
    }
    std::cout << TrSub(
                     "$0: SIE $1 from $2, $3$4; $5, $6 ($7 removed rows not counted): $8 on "
                     "grants ($9 credits), ",
                     *file, sie->sie_type ? sie->sie_type : 4,
                     sie->program.empty() ? Tr("an unnamed program") : sie->program,
                     TextEncodingName(sie->encoding),
                     sie->checksum_verified ? Tr(", #KSUMMA verified") : "",
                     CountOf(plan->vouchers, "voucher", "vouchers"),
                     CountOf(plan->rows, "row", "rows"), GroupDigits(plan->removed_rows),
                     CountOf(plan->lines.size(), "expense", "expenses"), GroupDigits(plan->credits))
              << TrSub(
                     "$0 dated outside the usage period (ineligible), $1 rows not on a grant's "
                     "cost object or not on a cost account",
                     GroupDigits(plan->ineligible), GroupDigits(plan->skipped))
              << "\n";
    if (plan->lines.empty()) {
      std::cout << Tr("nothing to post") << "\n";
      *exit_code = kExitOk;
      return;
    }
    if (*dry_run) {
      Table table({"line", "event id", "date", "grant", "amount", "activity", "division", "text"},
                  {true, false, false, false, true, false, false, false});
      for (const EventLine& l : plan->lines) {
        const v1::Expense& x = l.event.expense();
        table.AddRow({StrCat(l.line), l.event.event_id(), l.event.effective_date(),
                      l.event.grant_id(),
                      FormatKronor(x.credit() ? -x.amount_ore() : x.amount_ore()), x.activity(),
                      x.division(), x.text().substr(0, 40)});
      }
      table.Print(std::cout);
    }
    *exit_code = PostEventLines(**backend, plan->lines, *file, /*batch_size=*/0, *dry_run,
                                std::cout, std::cerr);
    if (*exit_code == kExitRejected) {
      std::cerr << kErrorPrefix
                << Tr("if the store says an event id exists with other content, this file "
                      "corrects vouchers imported before: post reversals of the old rows, or "
                      "correct the vouchers in a new voucher")
                << "\n";
    }
  });
}

}  // namespace grantledger
