// `grantledger entitle ...`; see entitle_command.h.
#include "cli/entitle_command.h"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "cli/csv_writer.h"
#include "cli/json_output.h"
#include "grantledger/v1/cli_output.pb.h"
#include "ledger/entitlement_csv.h"
#include "ledger/entitlement_monthly_pots.h"
#include "ledger/entitlement_per_unit.h"
#include "ledger/entitlement_population_share.h"
#include "ledger/money.h"

namespace grantledger {
namespace {

std::string Kr(int64_t amount_kr) { return FormatKronor(amount_kr * 100); }

// Display width of UTF-8 text: one column per code point (enough for Swedish names).
size_t DisplayWidth(absl::string_view text) {
  size_t width = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++width;
  }
  return width;
}

// An aligned text table: left-aligned text columns, right-aligned number columns.
class TextTable {
 public:
  TextTable(std::vector<std::string> header, std::vector<bool> right_aligned)
      : right_aligned_(std::move(right_aligned)) {
    rows_.push_back(std::move(header));
  }
  void AddRow(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void AddRule() { rows_.push_back({}); }  // a dashed line
  void Print(std::ostream& out) const {
    std::vector<size_t> widths(rows_[0].size(), 0);
    for (const auto& row : rows_) {
      for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], DisplayWidth(row[c]));
    }
    size_t total_width = 0;
    for (size_t w : widths) total_width += w;
    total_width += 2 * (widths.size() - 1);
    auto print_row = [&](const std::vector<std::string>& row) {
      std::string line;
      for (size_t c = 0; c < widths.size(); ++c) {
        const std::string cell = c < row.size() ? row[c] : "";
        const std::string pad(widths[c] - DisplayWidth(cell), ' ');
        if (c > 0) line += "  ";
        line += right_aligned_[c] ? pad + cell : cell + pad;
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out << line << "\n";
    };
    print_row(rows_[0]);
    out << std::string(total_width, '-') << "\n";
    for (size_t r = 1; r < rows_.size(); ++r) {
      if (rows_[r].empty()) {
        out << std::string(total_width, '-') << "\n";
      } else {
        print_row(rows_[r]);
      }
    }
  }

 private:
  std::vector<bool> right_aligned_;
  std::vector<std::vector<std::string>> rows_;
};

int Rejected(std::ostream& err, const absl::Status& status) {
  err << "grantledger: " << status.message() << "\n";
  return kEntitleExitInputRejected;
}

int Usage(std::ostream& err, absl::string_view message) {
  err << "grantledger: " << message << "\n";
  return kEntitleExitUsage;
}

// A kronor flag ("750 000 000" or "750000000"); nullopt after printing a usage error.
std::optional<int64_t> KronorFlag(absl::string_view flag, absl::string_view text,
                                  std::ostream& err) {
  absl::StatusOr<int64_t> value = ParseCount(text, flag);
  if (!value.ok()) {
    Usage(err, value.status().message());
    return std::nullopt;
  }
  return *value;
}

void SetFraction(const ExactFraction& f, v1::Fraction* out) {
  out->set_numerator(f.numerator);
  out->set_denominator(f.denominator);
  out->set_text(FormatFraction(f));
}

// `csv_columns`: the columns `--format csv` writes, for its help.
void AddFormatOptions(CLI::App* sub, EntitleFormat* format, absl::string_view csv_columns) {
  auto format_text = std::make_shared<std::string>("table");
  auto json = std::make_shared<bool>(false);
  CLI::Option* format_option =
      sub->add_option("--format", *format_text,
                      absl::StrCat("table (default, aligned) or csv (", csv_columns, ")"))
          ->check(CLI::IsMember({"table", "csv"}));
  sub->add_flag("--json", *json, "machine-readable JSON instead of the table")
      ->excludes(format_option);
  // Resolve the format before the subcommand's own callback runs.
  sub->preparse_callback([format](size_t) { *format = EntitleFormat::kTable; });
  sub->parse_complete_callback([format, format_text, json] {
    *format = *json                   ? EntitleFormat::kJson
              : *format_text == "csv" ? EntitleFormat::kCsv
                                      : EntitleFormat::kTable;
  });
}

}  // namespace

int RunPopulationShare(const PopulationShareOptions& options, std::ostream& out,
                       std::ostream& err) {
  std::optional<int64_t> pot_kr = KronorFlag("--pot", options.pot_kr, err);
  if (!pot_kr) return kEntitleExitUsage;
  absl::StatusOr<std::vector<WeightedRecipient>> recipients = ReadWeightsCsv(options.weights_path);
  if (!recipients.ok()) return Rejected(err, recipients.status());
  absl::StatusOr<std::vector<RecipientShare>> shares =
      ComputePopulationShares(*pot_kr, *recipients);
  if (!shares.ok()) return Rejected(err, shares.status());
  int64_t total_weight = 0;
  for (const RecipientShare& s : *shares) total_weight += s.weight;

  switch (options.format) {
    case EntitleFormat::kCsv: {
      CsvWriter csv(out);
      csv.Row({"name", "amount_kr"});
      for (const RecipientShare& s : *shares) csv.Row({s.name, absl::StrCat(s.amount_kr)});
      break;
    }
    case EntitleFormat::kJson: {
      v1::PopulationShareOutput json;
      json.set_model("population-share");
      json.set_method("largest remainder");
      json.set_pot_kr(*pot_kr);
      json.set_total_weight(total_weight);
      for (const RecipientShare& s : *shares) {
        v1::PopulationShareOutput::Share* x = json.add_shares();
        x->set_name(s.name);
        x->set_weight(s.weight);
        x->set_amount_kr(s.amount_kr);
        x->set_remainder_krona(s.got_remainder_krona);
      }
      PrintJson(json, out);
      break;
    }
    case EntitleFormat::kTable: {
      TextTable table({"Name", "Weight", "Amount"}, {false, true, true});
      for (const RecipientShare& s : *shares) {
        table.AddRow({s.name, FormatKronor(s.weight * 100, false), Kr(s.amount_kr)});
      }
      table.AddRule();
      table.AddRow({"Total", FormatKronor(total_weight * 100, false), Kr(*pot_kr)});
      table.Print(out);
      out << "Largest remainder: whole kronor summing exactly to the pot; the kronor left over go "
             "to the largest remainders (ties: larger weight, then earlier row).\n";
      break;
    }
  }
  return kEntitleExitOk;
}

int RunPerUnit(const PerUnitOptions& options, std::ostream& out, std::ostream& err) {
  PerUnitTerms terms;
  absl::StatusOr<UnitRule> rule = ParseUnitRule(options.units);
  if (!rule.ok()) return Usage(err, absl::StrCat("--units: ", rule.status().message()));
  terms.unit_rule = *rule;
  if (!options.cap_kr.empty()) {
    std::optional<int64_t> cap_kr = KronorFlag("--cap", options.cap_kr, err);
    if (!cap_kr) return kEntitleExitUsage;
    terms.cap_kr = *cap_kr;
  }
  absl::StatusOr<PerUnitCsv> input = ReadPerUnitCsv(options.counts_path);
  if (!input.ok()) return Rejected(err, input.status());
  absl::StatusOr<PerUnitEntitlement> e = ComputePerUnitEntitlement(input->categories, terms);
  if (!e.ok()) return Rejected(err, e.status());
  const std::string rule_name(UnitRuleName(e->unit_rule));
  const std::string rule_text =
      e->unit_rule == UnitRule::kFloor
          ? "floor: whole units above the baseline are paid"
          : "exact: the fraction of a unit is paid too; amounts rounded down to whole kronor";

  switch (options.format) {
    case EntitleFormat::kCsv: {
      CsvWriter csv(out);
      csv.Row({"name", "baseline", "actual", "units_paid", "unit_rule", "amount_kr"});
      for (const CategoryEntitlement& c : e->categories) {
        csv.Row({c.name, FormatFraction(c.baseline_count), absl::StrCat(c.actual_count),
                 FormatFraction(c.units_paid), rule_name, absl::StrCat(c.amount_kr)});
      }
      csv.Row({"total before cap", "", "", "", rule_name, absl::StrCat(e->total_before_cap_kr)});
      csv.Row({"total after cap", "", "", "", rule_name, absl::StrCat(e->total_after_cap_kr)});
      break;
    }
    case EntitleFormat::kJson: {
      v1::PerUnitOutput json;
      json.set_model("per-unit");
      json.set_unit_rule(rule_name);
      for (const std::string& label : input->reference_labels) json.add_reference_years(label);
      for (const CategoryEntitlement& c : e->categories) {
        v1::PerUnitOutput::Category* x = json.add_categories();
        x->set_name(c.name);
        x->set_rate_kr(c.rate_kr);
        x->set_actual(c.actual_count);
        SetFraction(c.baseline_count, x->mutable_baseline());
        SetFraction(c.units_paid, x->mutable_units_paid());
        SetFraction(c.exact_amount_kr, x->mutable_exact_amount_kr());
        x->set_amount_kr(c.amount_kr);
      }
      json.set_total_before_cap_kr(e->total_before_cap_kr);
      if (e->cap_kr) json.set_cap_kr(*e->cap_kr);
      json.set_cap_reached(e->cap_reached);
      json.set_total_after_cap_kr(e->total_after_cap_kr);
      PrintJson(json, out);
      break;
    }
    case EntitleFormat::kTable: {
      TextTable table({"Category", "Rate", "Baseline", "Actual", "Units paid", "Amount"},
                      {false, true, true, true, true, true});
      for (const CategoryEntitlement& c : e->categories) {
        table.AddRow({c.name, Kr(c.rate_kr), FormatFraction(c.baseline_count),
                      absl::StrCat(c.actual_count), FormatFraction(c.units_paid), Kr(c.amount_kr)});
      }
      table.AddRule();
      table.AddRow({"Total before cap", "", "", "", "", Kr(e->total_before_cap_kr)});
      if (e->cap_kr) table.AddRow({"Cap", "", "", "", "", Kr(*e->cap_kr)});
      table.AddRow({"Total after cap", "", "", "", "", Kr(e->total_after_cap_kr)});
      table.Print(out);
      std::string years;
      for (const std::string& label : input->reference_labels) {
        absl::StrAppend(&years, years.empty() ? "" : ", ", label);
      }
      out << "Baseline: the average of the reference years (" << years << "), kept exact.\n";
      out << "Unit rule: " << rule_text << ".\n";
      if (!e->cap_kr) {
        out << "Cap: none given.\n";
      } else if (e->cut_by_cap_kr > 0) {
        out << "Cap reached: " << Kr(e->cut_by_cap_kr) << " above the cap is not paid.\n";
      } else if (e->cap_reached) {
        out << "Cap reached exactly.\n";
      } else {
        out << "Cap not reached: " << Kr(*e->cap_kr - e->total_after_cap_kr) << " below it.\n";
      }
      break;
    }
  }
  return kEntitleExitOk;
}

int RunMonthlyPots(const MonthlyPotsOptions& options, std::ostream& out, std::ostream& err) {
  MonthlyPotsTerms terms;
  std::optional<int64_t> total_kr = KronorFlag("--total", options.total_kr, err);
  if (!total_kr) return kEntitleExitUsage;
  terms.total_kr = *total_kr;
  std::vector<std::string> month_range = absl::StrSplit(options.months, '-');
  int first = 0, last = 0;
  if (month_range.size() != 2 || !absl::SimpleAtoi(month_range[0], &first) ||
      !absl::SimpleAtoi(month_range[1], &last) || first < 1 || last > 12 || first > last) {
    return Usage(err, absl::StrCat("--months is \"", options.months,
                                   "\": write a range of months within 1-12, e.g. 2-10 for "
                                   "February–October"));
  }
  if (options.year < 1000 || options.year > 9999) {
    return Usage(err, absl::StrCat("--year is ", options.year, ": write a year like 2024"));
  }
  if (options.top < 1) return Usage(err, "--top: write 1 or more (the seed uses 5)");
  terms.period = {options.year, first, last};
  terms.top_count = options.top;
  std::vector<std::string> criteria;
  if (!options.criteria.empty()) {
    criteria = absl::StrSplit(options.criteria, ',', absl::SkipEmpty());
  }
  absl::StatusOr<std::vector<WeightedRecipient>> population =
      ReadWeightsCsv(options.population_path);
  if (!population.ok()) return Rejected(err, population.status());
  absl::StatusOr<MonthlyValuesCsv> values =
      ReadMonthlyValuesCsv(options.values_path, terms.period, *population, criteria);
  if (!values.ok()) return Rejected(err, values.status());
  terms.criteria = values->criteria;
  if (terms.criteria.empty()) {
    return Rejected(err, absl::InvalidArgumentError(absl::StrCat(
                             options.values_path,
                             ": no criteria: the file has no values; give --criteria or rows")));
  }
  absl::StatusOr<MonthlyPotsResult> r =
      ComputeMonthlyPots(*population, values->observations, terms);
  if (!r.ok()) return Rejected(err, r.status());
  std::vector<std::string> notes = r->notes;
  if (values->rows_without_value > 0) {
    notes.push_back(absl::StrCat(values->rows_without_value,
                                 " row(s) in the values file have an empty value: no value."));
  }

  switch (options.format) {
    case EntitleFormat::kCsv: {
      CsvWriter csv(out);
      std::vector<std::string> header = {"name"};
      for (const std::string& c : terms.criteria) header.push_back(c + "_kr");
      header.push_back("bonus_kr");
      header.push_back("amount_kr");
      csv.Row(header);
      for (const RegionMonthlyPotsResult& region : r->regions) {
        std::vector<std::string> row = {region.name};
        for (int64_t kr : region.earned_by_criterion_kr) row.push_back(absl::StrCat(kr));
        row.push_back(absl::StrCat(region.bonus_kr));
        row.push_back(absl::StrCat(region.total_kr));
        csv.Row(row);
      }
      break;
    }
    case EntitleFormat::kJson: {
      v1::MonthlyPotsOutput json;
      json.set_model("monthly-pots");
      json.set_total_kr(terms.total_kr);
      json.mutable_period()->set_year(terms.period.year);
      json.mutable_period()->set_first_month(terms.period.first_month);
      json.mutable_period()->set_last_month(terms.period.last_month);
      for (size_t c = 0; c < terms.criteria.size(); ++c) {
        v1::MonthlyPotsOutput::Criterion* x = json.add_criteria();
        x->set_name(terms.criteria[c]);
        x->set_pot_kr(r->criterion_pot_kr[c]);
      }
      for (const RegionMonthlyPotsResult& region : r->regions) {
        v1::MonthlyPotsOutput::Region* x = json.add_regions();
        x->set_name(region.name);
        for (size_t c = 0; c < terms.criteria.size(); ++c) {
          (*x->mutable_earned_by_criterion_kr())[terms.criteria[c]] =
              region.earned_by_criterion_kr[c];
        }
        x->set_earned_kr(region.earned_kr);
        x->set_bonus_kr(region.bonus_kr);
        x->set_total_kr(region.total_kr);
      }
      for (const MonthCriterionResult& m : r->months) {
        v1::MonthlyPotsOutput::Month* x = json.add_months();
        x->set_month(FormatYearMonth(terms.period.year, m.month));
        x->set_criterion(terms.criteria[m.criterion_index]);
        x->set_pot_kr(m.pot_kr);
        x->set_earned_kr(m.earned_kr);
        x->set_to_bonus_pot_kr(m.to_bonus_pot_kr);
        x->set_regions_earned(m.regions_earned);
        for (size_t k = 0; k < m.regions.size(); ++k) {
          const RegionMonthOutcome& o = m.regions[k];
          v1::MonthlyPotsOutput::Outcome* y = x->add_outcomes();
          y->set_region(r->regions[k].name);
          y->set_reservation_kr(o.reservation_kr);
          y->set_earned_by(std::string(EarnedByName(o.earned_by)));
          if (o.value_millionths) y->set_value(FormatMeasuredValue(*o.value_millionths));
          if (o.last_year_value_millionths) {
            y->set_last_year_value(FormatMeasuredValue(*o.last_year_value_millionths));
          }
        }
      }
      json.set_earned_kr(r->earned_kr);
      json.set_bonus_pot_kr(r->bonus_pot_kr);
      json.set_bonus_paid(r->bonus_paid);
      json.set_paid_kr(r->paid_kr);
      json.set_unpaid_kr(r->unpaid_kr);
      for (const std::string& note : notes) json.add_notes(note);
      PrintJson(json, out);
      break;
    }
    case EntitleFormat::kTable: {
      std::vector<std::string> header = {"Region"};
      std::vector<bool> right = {false};
      for (const std::string& c : terms.criteria) {
        header.push_back(absl::StrCat("Earned ", c));
        right.push_back(true);
      }
      for (const char* h : {"Earned", "Bonus", "Total"}) {
        header.push_back(h);
        right.push_back(true);
      }
      TextTable regions(header, right);
      std::vector<int64_t> by_criterion_kr(terms.criteria.size(), 0);
      int64_t bonus_kr = 0;
      for (const RegionMonthlyPotsResult& region : r->regions) {
        std::vector<std::string> row = {region.name};
        for (size_t c = 0; c < terms.criteria.size(); ++c) {
          row.push_back(Kr(region.earned_by_criterion_kr[c]));
          by_criterion_kr[c] += region.earned_by_criterion_kr[c];
        }
        row.push_back(Kr(region.earned_kr));
        row.push_back(Kr(region.bonus_kr));
        row.push_back(Kr(region.total_kr));
        bonus_kr += region.bonus_kr;
        regions.AddRow(std::move(row));
      }
      regions.AddRule();
      std::vector<std::string> total_row = {"Total"};
      for (int64_t kr : by_criterion_kr) total_row.push_back(Kr(kr));
      total_row.push_back(Kr(r->earned_kr));
      total_row.push_back(Kr(bonus_kr));
      total_row.push_back(Kr(r->paid_kr));
      regions.AddRow(std::move(total_row));
      regions.Print(out);
      out << "\n";
      TextTable months({"Month", "Criterion", "Pot", "Earned", "To bonus pot", "Regions earned"},
                       {false, false, true, true, true, true});
      for (const MonthCriterionResult& m : r->months) {
        months.AddRow({FormatYearMonth(terms.period.year, m.month),
                       terms.criteria[m.criterion_index], Kr(m.pot_kr), Kr(m.earned_kr),
                       Kr(m.to_bonus_pot_kr),
                       absl::StrCat(m.regions_earned, " of ", m.regions.size())});
      }
      months.AddRule();
      months.AddRow({"Total", "", Kr(terms.total_kr), Kr(r->earned_kr), Kr(r->bonus_pot_kr), ""});
      months.Print(out);
      out << "\nBonus pot " << Kr(r->bonus_pot_kr)
          << (r->bonus_paid ? " paid in December in proportion to earned money."
                            : " not paid: nobody earned anything.")
          << " Paid " << Kr(r->paid_kr) << ", unpaid " << Kr(r->unpaid_kr) << ".\n";
      out << "\nNotes:\n";
      for (const std::string& note : notes) out << "- " << note << "\n";
      break;
    }
  }
  return kEntitleExitOk;
}

void AddEntitleCommands(CLI::App& app, int* exit_code) {
  CLI::App* entitle = app.add_subcommand(
      "entitle", "What a performance-based grant should pay (entitlement models from the seeds)");
  entitle->require_subcommand(1);

  auto share = std::make_shared<PopulationShareOptions>();
  CLI::App* share_cmd = entitle->add_subcommand(
      "population-share", "Split a pot by weight (population), largest remainder, exact sum");
  share_cmd->add_option("--pot", share->pot_kr, "the pot in whole kronor, e.g. 750000000")
      ->required();
  share_cmd
      ->add_option("--weights", share->weights_path,
                   "CSV with a header row; name in the first column, weight in the second")
      ->required();
  AddFormatOptions(share_cmd, &share->format, "name,amount_kr");
  share_cmd->callback(
      [share, exit_code] { *exit_code = RunPopulationShare(*share, std::cout, std::cerr); });

  auto unit = std::make_shared<PerUnitOptions>();
  CLI::App* unit_cmd = entitle->add_subcommand(
      "per-unit", "A rate per unit above the reference-year average, with an optional cap");
  unit_cmd
      ->add_option("--counts", unit->counts_path,
                   "CSV: category,rate_kr,actual,<reference year>... (one row per category)")
      ->required();
  unit_cmd->add_option("--cap", unit->cap_kr, "the maximum total in whole kronor, e.g. 7034468");
  unit_cmd
      ->add_option("--units", unit->units,
                   "floor (default): whole units above the baseline; exact: the fraction too")
      ->check(CLI::IsMember({"floor", "exact"}));
  AddFormatOptions(unit_cmd, &unit->format,
                   "name,baseline,actual,units_paid,unit_rule,amount_kr; then the rows "
                   "\"total before cap\" and \"total after cap\"");
  unit_cmd->callback([unit, exit_code] { *exit_code = RunPerUnit(*unit, std::cout, std::cerr); });

  auto pots = std::make_shared<MonthlyPotsOptions>();
  CLI::App* pots_cmd = entitle->add_subcommand(
      "monthly-pots", "Monthly pots per criterion, reserved by population, with a bonus pot");
  pots_cmd->add_option("--total", pots->total_kr, "all criteria and months, e.g. 1240000000")
      ->required();
  pots_cmd->add_option("--population", pots->population_path, "CSV: name,population")->required();
  pots_cmd
      ->add_option("--values", pots->values_path,
                   "CSV: region,criterion,year,month,value (this year and the year before)")
      ->required();
  pots_cmd->add_option("--year", pots->year, "the measured year, e.g. 2024")->required();
  pots_cmd->add_option("--months", pots->months, "the measured months, e.g. 2-10")->required();
  pots_cmd->add_option("--criteria", pots->criteria,
                       "comma-separated criteria (default: as found in the values file)");
  pots_cmd->add_option("--top", pots->top, "how many lowest values earn (default 5)");
  AddFormatOptions(pots_cmd, &pots->format,
                   "name,<criterion>_kr for each criterion,bonus_kr,amount_kr");
  pots_cmd->callback(
      [pots, exit_code] { *exit_code = RunMonthlyPots(*pots, std::cout, std::cerr); });
}

}  // namespace grantledger
