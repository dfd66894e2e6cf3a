// The year-end subcommands; see year_end_commands.h.
#include "cli/year_end_commands.h"

#include <iostream>

#include "absl/strings/str_cat.h"
#include "cli/as_of_flags.h"
#include "cli/deadline_report.h"
#include "cli/exit_codes.h"
#include "cli/ledger_backend.h"
#include "cli/messages.h"
#include "cli/report.h"
#include "cli/report_output.h"
#include "cli/report_sheets.h"
#include "cli/seal_commands.h"
#include "cli/year_end_report.h"
#include "ledger/civil_date.h"
#include "ledger/deadlines.h"
#include "ledger/obligations.h"
#include "ledger/year_end.h"

namespace grantledger {
namespace {

struct QueryOptions {
  std::string db;
  std::string server = kDefaultServer;
  AsOfFlags as_of;
  ReportOutputFlags output;   // --json for every command; --format and --out for reports
  Organisation organisation;  // account only
  std::string organisation_file;
};

int Fail(const absl::Status& status) {
  std::cerr << "grantledger: " << status.message() << "\n";
  return ExitCodeFor(status);
}

// Opens the backend and parses the clock flags: what each year-end command asks the backend
// in one call.
struct Opened {
  std::unique_ptr<LedgerBackend> backend;
  AsOfQuery query;
};
absl::StatusOr<Opened> OpenWithQuery(const QueryOptions& options) {
  auto backend = OpenBackend(options.db, options.server, /*writable=*/false);
  if (!backend.ok()) return backend.status();
  auto query = ParseAsOfFlags(options.as_of);
  if (!query.ok()) return query.status();
  return Opened{*std::move(backend), *std::move(query)};
}

// Every grant's obligation, by repayment deadline, and the point it stands for.
absl::StatusOr<ObligationsAnswer> AllObligations(const QueryOptions& options) {
  auto opened = OpenWithQuery(options);
  if (!opened.ok()) return opened.status();
  return opened->backend->Obligations(opened->query);
}

CLI::App* Command(CLI::App& app, const char* name, const char* help,
                  std::shared_ptr<QueryOptions> o, bool report = true) {
  CLI::App* cmd = app.add_subcommand(name, help);
  cmd->add_option("--db", o->db, "open this data directory read-only instead of a server");
  cmd->add_option("--server", o->server, "grantledgerd address (default 127.0.0.1:50051)");
  o->as_of.AddTo(cmd);
  if (report)
    o->output.AddTo(cmd);
  else
    cmd->add_flag("--json", o->output.json, "JSON output (amounts in öre)");
  return cmd;
}

}  // namespace

void AddYearEndCommands(CLI::App& app, int* exit_code) {
  {
    auto o = std::make_shared<QueryOptions>();
    auto from = std::make_shared<std::string>();
    auto to = std::make_shared<std::string>();
    CLI::App* cmd = Command(app, "unused",
                            "grants with unused funds or amounts to repay, by repayment deadline "
                            "(default: everything overdue, and the next deadline)",
                            o, /*report=*/false);
    cmd->add_option("--from", *from, "first repayment deadline to include (YYYY-MM-DD)");
    cmd->add_option("--to", *to, "last repayment deadline to include (YYYY-MM-DD)");
    cmd->callback([=] {
      auto opened = OpenWithQuery(*o);
      if (!opened.ok()) {
        *exit_code = Fail(opened.status());
        return;
      }
      auto range = ParseDeadlineRange(*from, *to, "--from", "--to");
      if (!range.ok()) {
        // A refused recorded point is reported before a bad range (checked without the range).
        auto as_of = ResolveAsOf(opened->query, *opened->backend);
        *exit_code = Fail(as_of.ok() ? range.status() : as_of.status());
        return;
      }
      auto answer = opened->backend->Unused(opened->query, *range);
      if (!answer.ok()) {
        *exit_code = Fail(answer.status());
        return;
      }
      const AsOf& as_of = answer->as_of;
      const ObligationList& list = answer->unused.list;
      if (o->output.json) {
        PrintUnusedJson(answer->unused, as_of, std::cout);
        *exit_code = kExitOk;
        return;
      }
      if (answer->unused.nothing_due) {
        std::cout << Tr("nothing is unused, outstanding or overdue as of") << " "
                  << FormatCivilDay(as_of.date) << "\n";
        *exit_code = kExitOk;
        return;
      }
      std::cout << Tr("as of") << " " << FormatCivilDay(as_of.date)
                << (as_of.sequence
                        ? absl::StrCat(", ", Tr("as recorded up to sequence"), " ", as_of.sequence)
                        : "")
                << "\n";
      PrintObligationList(list, std::cout);
      PrintDeadlineWarnings(list.obligations, std::cout);
      *exit_code = kExitOk;
    });
  }
  {
    auto o = std::make_shared<QueryOptions>();
    CLI::App* cmd = Command(app, "obligations",
                            "every grant's unused funds, repayable amount, deadline and status", o);
    auto due_within = std::make_shared<int64_t>(-1);
    cmd->add_option("--due-within", *due_within,
                    "exit 5 when a repayment or a report is due or overdue within DAYS days "
                    "(for a daily cron job)")
        ->check(CLI::NonNegativeNumber);
    cmd->callback([=] {
      auto answer = AllObligations(*o);
      if (!answer.ok()) {
        *exit_code = Fail(answer.status());
        return;
      }
      const AsOf& as_of = answer->as_of;
      const std::vector<Obligation>& obligations = answer->obligations;
      *exit_code = EmitReport(
          o->output,
          {.table =
               [&](std::ostream& out) {
                 out << Tr("as of") << " " << FormatCivilDay(as_of.date)
                     << (as_of.sequence ? absl::StrCat(", ", Tr("as recorded up to sequence"), " ",
                                                       as_of.sequence)
                                        : "")
                     << "\n";
                 PrintObligations(obligations, out);
                 PrintDeadlineWarnings(obligations, out);
               },
           .json = [&](std::ostream& out) { PrintObligationsJson(obligations, as_of, out); },
           .sheets = [&] { return ObligationSheets(obligations); }});
      if (*exit_code == kExitOk && *due_within >= 0) {
        size_t due = 0;
        for (const Obligation& ob : obligations) due += DueWithin(ob, *due_within) ? 1 : 0;
        if (due > 0) {
          std::cerr << "grantledger: "
                    << TrSub(due == 1 ? "$0 grant has a repayment or a report due or overdue "
                                        "within $1 days"
                                      : "$0 grants have a repayment or a report due or overdue "
                                        "within $1 days",
                             due, *due_within)
                    << "\n";
          *exit_code = kExitAttention;
        }
      }
    });
  }
  {
    auto o = std::make_shared<QueryOptions>();
    auto year = std::make_shared<std::string>();
    CLI::App* cmd = Command(
        app, "overview", "every grant of a year: decided, received, spent, unused, repayable", o);
    cmd->add_option("--year", *year, "the grants' year, e.g. 2025")->required();
    cmd->callback([=] {
      if (o->as_of.as_of.empty()) o->as_of.as_of = *year + "-12-31";
      auto answer = AllObligations(*o);
      if (!answer.ok()) {
        *exit_code = Fail(answer.status());
        return;
      }
      const AsOf& as_of = answer->as_of;
      YearOverview overview = OverviewOfYear(answer->obligations, *year);
      *exit_code = EmitReport(
          o->output,
          {.table =
               [&](std::ostream& out) {
                 out << Tr("as of") << " " << FormatCivilDay(as_of.date) << "\n";
                 PrintYearOverview(overview, out);
               },
           .json = [&](std::ostream& out) { PrintYearOverviewJson(overview, as_of.date, out); },
           .sheets = [&] { return YearOverviewSheets(overview); }});
    });
  }
  {
    auto o = std::make_shared<QueryOptions>();
    auto grant = std::make_shared<std::string>();
    CLI::App* cmd = Command(
        app, "account",
        "financial account (ekonomisk redovisning): used funds by purpose and cost group", o);
    cmd->add_option("grant", *grant, "the grant's diary number")->required();
    cmd->add_option("--org", o->organisation.name,
                    "the organisation that sends the account (its header block)");
    cmd->add_option("--org-number", o->organisation.number, "its organisationsnummer");
    cmd->add_option("--org-file", o->organisation_file,
                    "a file with lines `organisation = NAME` and `org_number = NNNNNN-NNNN` "
                    "(--org and --org-number override it)");
    auto as_sealed = std::make_shared<bool>(false);
    auto sealed_year = std::make_shared<int32_t>(0);
    cmd->add_flag("--as-sealed", *as_sealed,
                  "the account exactly as sealed (grantledger seal), with the corrections posted "
                  "after the seal beside it");
    cmd->add_option("--period", *sealed_year,
                    "with --as-sealed: the sealed year (default the last)")
        ->check(CLI::Range(1900, 2999));
    cmd->callback([=] {
      auto backend = OpenBackend(o->db, o->server, false);
      if (!backend.ok()) {
        *exit_code = Fail(backend.status());
        return;
      }
      if (*as_sealed) {
        *exit_code = PrintAccountAsSealed(
            **backend, *grant, *sealed_year ? std::optional<int32_t>(*sealed_year) : std::nullopt,
            o->output);
        return;
      }
      auto as_of = ResolveAsOf(o->as_of, **backend);
      if (!as_of.ok()) {
        *exit_code = Fail(as_of.status());
        return;
      }
      auto position = (*backend)->Position(*grant, *as_of);
      if (!position.ok()) {
        *exit_code = Fail(position.status());
        return;
      }
      FinancialAccount account = FinancialAccountOf(*position);
      const Obligation obligation = ObligationOf(*position);
      Organisation organisation;
      if (!o->organisation_file.empty()) {
        auto read = ReadOrganisationFile(o->organisation_file);
        if (!read.ok()) {
          *exit_code = Fail(read.status());
          return;
        }
        organisation = *read;
      }
      if (!o->organisation.name.empty()) organisation.name = o->organisation.name;
      if (!o->organisation.number.empty()) organisation.number = o->organisation.number;
      *exit_code = EmitReport(
          o->output, {.table =
                          [&](std::ostream& out) {
                            PrintFinancialAccount(account, out);
                            PrintAccountCorrections(**backend, *grant, *as_of, out);
                          },
                      .json = [&](std::ostream& out) { PrintFinancialAccountJson(account, out); },
                      .sheets =
                          [&] {
                            return FinancialAccountSheets(account, position->terms, obligation,
                                                          organisation);
                          }});
    });
  }
}

}  // namespace grantledger
