// The ledger subcommands; see ledger_commands.h.
#include "cli/ledger_commands.h"

#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <optional>

#include "absl/strings/str_cat.h"
#include "cli/as_of_flags.h"
#include "cli/deadline_report.h"
#include "cli/event_file.h"
#include "cli/exit_codes.h"
#include "cli/json_output.h"
#include "cli/messages.h"
#include "cli/post_events.h"
#include "cli/report.h"
#include "cli/report_output.h"
#include "cli/report_sheets.h"
#include "cli/sample_grants.h"
#include "cli/table.h"
#include "cli/year_end_report.h"
#include "grantledger/v1/cli_output.pb.h"
#include "ledger/civil_date.h"
#include "ledger/money.h"
#include "ledger/obligations.h"
#include "ledger/seal.h"
#include "ledger/store/event_store.h"
#include "ledger/store/log_format.h"
#include "ledger/store/verify_request.h"

namespace grantledger {
namespace {

struct CommonOptions {
  std::string db;
  std::string server = kDefaultServer;
  bool json = false;
};

int Fail(const absl::Status& status, std::ostream& err) {
  err << "grantledger: " << status.message() << "\n";
  return ExitCodeFor(status);
}

absl::StatusOr<std::unique_ptr<LedgerBackend>> Open(const CommonOptions& common, bool writable) {
  return OpenBackend(common.db, common.server, writable);
}

// A read-only backend and the as-of point its flags name; nullopt (the error printed and
// `exit_code` set) when either fails.
struct OpenedAsOf {
  std::unique_ptr<LedgerBackend> backend;
  AsOf as_of;
};
std::optional<OpenedAsOf> OpenAsOf(const CommonOptions& common, const AsOfFlags& flags,
                                   int* exit_code) {
  auto backend = Open(common, false);
  if (!backend.ok()) {
    *exit_code = Fail(backend.status(), std::cerr);
    return std::nullopt;
  }
  auto as_of = ResolveAsOf(flags, **backend);
  if (!as_of.ok()) {
    *exit_code = Fail(as_of.status(), std::cerr);
    return std::nullopt;
  }
  return OpenedAsOf{std::move(*backend), *as_of};
}

}  // namespace

int RunDemo(LedgerBackend& backend, std::ostream& out, std::ostream& err) {
  auto post = [&](std::vector<v1::Event> events, const char* what) -> bool {
    absl::StatusOr<AppendResult> r = backend.Append(std::move(events), false);
    if (!r.ok()) {
      err << "grantledger: demo: " << what << ": " << r.status().message() << "\n";
      return false;
    }
    out << "  " << what << ": " << r->sequences.size() << " events, head " << r->head.sequence
        << "\n";
    return true;
  };
  out << "Loading the sample grant " << sample::kRs229GrantId << " (../shared/seeds):\n";
  if (!post(sample::Rs229Decision(), "decision, receipt and 26 allocation lines") ||
      !post(sample::Rs229YearOfExpenses(),
            "a year of expenses on object 9929 and a reallocation") ||
      !post(sample::Rs229LateYearEndPostings(), "year-end postings dated 2025-12-31") ||
      !post(sample::OtherSampleGrants(),
            "RS/211/2025, and the 2019/2020 grants of the 2020 summary")) {
    return kExitRejected;
  }
  const AsOf year_end{absl::CivilDay(2025, 12, 31), 0};
  out << "\nBalances per 2025-12-31:\n\n";
  absl::StatusOr<GrantPosition> position = backend.Position(sample::kRs229GrantId, year_end);
  if (!position.ok()) return Fail(position.status(), err);
  PrintGrant(GrantView{position->terms, position->balance, 0}, out);
  absl::StatusOr<std::vector<GrantPosition>> positions = backend.Positions(year_end);
  if (!positions.ok()) return Fail(positions.status(), err);
  std::vector<Obligation> obligations;
  for (const GrantPosition& p : *positions) obligations.push_back(ObligationOf(p));
  out << "\nUnused funds and what must be repaid, per 2025-12-31:\n\n";
  PrintObligations(obligations, out);
  absl::StatusOr<VerifyResult> verified = backend.Verify(0, 0, std::nullopt);
  if (!verified.ok()) return Fail(verified.status(), err);
  out << "\nhash chain: " << (verified->ok ? "intact" : "ALTERED") << ", " << verified->checked
      << " records, head " << verified->last_good.sequence << " "
      << HexOf(verified->last_good.head_hash) << "\n";
  return verified->ok ? kExitOk : kExitDamaged;
}

void AddLedgerCommands(CLI::App& app, int* exit_code) {
  auto common = std::make_shared<CommonOptions>();
  auto add_db = [common](CLI::App* cmd) {
    cmd->add_option("--db", common->db,
                    "open this data directory directly (queries read-only) instead of a server");
    cmd->add_option("--server", common->server, "grantledgerd address (default 127.0.0.1:50051)");
  };

  // post
  {
    auto* cmd =
        app.add_subcommand("post", "post events from a JSON Lines file (- for stdin), atomically");
    add_db(cmd);
    auto file = std::make_shared<std::string>();
    auto batch_size = std::make_shared<size_t>(0);
    auto dry_run = std::make_shared<bool>(false);
    cmd->add_option("file", *file, "JSON Lines file, one grantledger.v1.Event per line")
        ->required();
    cmd->add_option("--batch-size", *batch_size,
                    "split into atomic batches of N events (default: one batch)");
    cmd->add_flag("--dry-run", *dry_run, "validate only; write nothing");
    cmd->callback([=] {
      absl::StatusOr<std::unique_ptr<std::istream>> in = OpenInput(*file);
      if (!in.ok()) {
        *exit_code = Fail(in.status(), std::cerr);
        return;
      }
      auto backend = Open(*common, /*writable=*/true);
      if (!backend.ok()) {
        *exit_code = Fail(backend.status(), std::cerr);
        return;
      }
      *exit_code =
          PostEventStream(**backend, **in, *file, *batch_size, *dry_run, std::cout, std::cerr);
    });
  }
  // grants
  {
    auto* cmd = app.add_subcommand("grants", "list the grants with their balances");
    add_db(cmd);
    auto flags = std::make_shared<AsOfFlags>();
    flags->AddTo(cmd);
    auto output = std::make_shared<ReportOutputFlags>();
    output->AddTo(cmd);
    cmd->callback([=] {
      std::optional<OpenedAsOf> opened = OpenAsOf(*common, *flags, exit_code);
      if (!opened) return;
      const AsOf* as_of = &opened->as_of;
      auto positions = opened->backend->Positions(*as_of);
      if (!positions.ok()) {
        *exit_code = Fail(positions.status(), std::cerr);
        return;
      }
      std::vector<GrantView> grants;
      for (const GrantPosition& p : *positions) {
        auto version = opened->backend->GrantVersion(p.grant_id, as_of->sequence);
        if (!version.ok()) {
          *exit_code = Fail(version.status(), std::cerr);
          return;
        }
        grants.push_back(GrantView{p.terms, p.balance, *version});
      }
      *exit_code = EmitReport(
          *output,
          {.table =
               [&](std::ostream& out) {
                 PrintGrantList(grants, out);
                 std::vector<Obligation> obligations;
                 for (const GrantPosition& p : *positions) obligations.push_back(ObligationOf(p));
                 PrintDeadlineWarnings(obligations, out);
               },
           .json = [&](std::ostream& out) { PrintGrantListJson(grants, as_of->sequence, out); },
           .sheets = [&] { return GrantListSheets(grants); }});
    });
  }
  // balance
  {
    auto* cmd = app.add_subcommand("balance", "balances of one grant per activity and division");
    add_db(cmd);
    auto grant = std::make_shared<std::string>();
    auto flags = std::make_shared<AsOfFlags>();
    cmd->add_option("grant", *grant, "the grant's diary number, e.g. RS/229/2025")->required();
    flags->AddTo(cmd);
    auto output = std::make_shared<ReportOutputFlags>();
    output->AddTo(cmd);
    cmd->callback([=] {
      std::optional<OpenedAsOf> opened = OpenAsOf(*common, *flags, exit_code);
      if (!opened) return;
      const AsOf* as_of = &opened->as_of;
      auto position = opened->backend->Position(*grant, *as_of);
      if (!position.ok()) {
        *exit_code = Fail(position.status(), std::cerr);
        return;
      }
      auto version = opened->backend->GrantVersion(*grant, as_of->sequence);
      if (!version.ok()) {
        *exit_code = Fail(version.status(), std::cerr);
        return;
      }
      GrantView view{position->terms, position->balance, *version};
      *exit_code = EmitReport(
          *output, {.table =
                        [&](std::ostream& out) {
                          out << Tr("as of") << " " << FormatCivilDay(as_of->date)
                              << (as_of->sequence
                                      ? absl::StrCat(", ", Tr("as recorded up to sequence"), " ",
                                                     as_of->sequence)
                                      : std::string())
                              << "\n";
                          PrintGrant(view, out);
                        },
                    .json = [&](std::ostream& out) { PrintGrantJson(view, as_of->sequence, out); },
                    .sheets = [&] { return GrantSheets(view); }});
    });
  }
  // history
  {
    auto* cmd =
        app.add_subcommand("history", "the event history of a grant, or of the whole ledger");
    add_db(cmd);
    auto grant = std::make_shared<std::string>();
    auto all = std::make_shared<bool>(false);
    auto from = std::make_shared<uint64_t>(1);
    cmd->add_option("grant", *grant, "the grant's diary number");
    cmd->add_flag("--all", *all, "every event of the ledger");
    cmd->add_option("--from", *from, "start at this sequence number");
    cmd->add_flag("--json", common->json, "JSON Lines output: the stored records with hashes");
    cmd->callback([=] {
      if (grant->empty() == !*all) {
        std::cerr << "grantledger: history: name a grant, or give --all\n";
        *exit_code = kExitUsage;
        return;
      }
      auto backend = Open(*common, false);
      if (!backend.ok()) {
        *exit_code = Fail(backend.status(), std::cerr);
        return;
      }
      Table table(HistoryHeader(), {true, false, false, false, false, true, false, false, false});
      size_t count = 0;
      SealTracker seals;  // flags events recorded after a seal of a period they are dated in
      absl::Status s = (*backend)->ReadEvents(*from, *grant, [&](const v1::RecordedEvent& r) {
        ++count;
        const std::optional<SealRef> after_seal =
            seals.Observe(r.record().event(), r.record().sequence());
        if (common->json) {
          v1::HistoryRecord line;
          line.set_sequence(r.record().sequence());
          line.set_recorded_time_unix_micros(r.record().recorded_time_unix_micros());
          line.set_prev_hash(HexOf(r.record().prev_hash()));
          line.set_hash(HexOf(r.hash()));
          line.set_author(r.record().author());
          *line.mutable_event() = r.record().event();
          if (after_seal) {
            line.mutable_recorded_after_seal()->set_year(after_seal->year);
            line.mutable_recorded_after_seal()->set_seal_sequence(after_seal->sequence);
          }
          PrintJson(line, std::cout);
        } else {
          std::vector<std::string> row = HistoryRow(r);
          if (after_seal) {
            absl::StrAppend(&row[4], " (", Tr("recorded after the seal"), " ", after_seal->year,
                            ", ", after_seal->sequence, ")");
          }
          table.AddRow(std::move(row));
        }
        return true;
      });
      if (!s.ok()) {
        *exit_code = Fail(s, std::cerr);
        return;
      }
      if (!common->json) {
        table.Print(std::cout);
        std::cout << count << " events\n";
      }
      *exit_code = kExitOk;
    });
  }
  // verify
  {
    auto* cmd = app.add_subcommand("verify", "recompute the hash chain from the stored bytes");
    add_db(cmd);
    auto from = std::make_shared<uint64_t>(0);
    auto to = std::make_shared<uint64_t>(0);
    cmd->add_option("--from", *from, "first sequence (default 1)");
    cmd->add_option("--to", *to, "last sequence (default the head)");
    auto expect = std::make_shared<std::string>();
    cmd->add_option("--expect", *expect,
                    "SEQ:HASH, a digest written down earlier: the ledger must still hold record "
                    "SEQ with exactly this hash (exit 4 otherwise)");
    cmd->callback([=] {
      std::optional<Digest> expected;
      if (!expect->empty()) {
        auto parsed = ParseExpectedDigest(*expect);
        if (!parsed.ok()) {
          Fail(parsed.status(), std::cerr);
          *exit_code = kExitUsage;
          return;
        }
        expected = *std::move(parsed);
      }
      auto backend = Open(*common, false);
      if (!backend.ok()) {
        *exit_code = Fail(backend.status(), std::cerr);
        return;
      }
      auto result = (*backend)->Verify(*from, *to, expected);
      if (!result.ok()) {
        *exit_code = Fail(result.status(), std::cerr);
        return;
      }
      if (result->ok) {
        std::cout << "intact: " << result->checked << " records checked; digest "
                  << result->last_good.sequence << " " << HexOf(result->last_good.head_hash)
                  << "\n";
        if (expected.has_value()) {
          std::cout << "expected digest found: record " << expected->sequence << " "
                    << HexOf(expected->head_hash) << "\n";
        }
        *exit_code = kExitOk;
      } else {
        std::cout << "ALTERED at sequence " << result->first_bad_sequence << ": " << result->problem
                  << "\nthe chain is intact up to " << result->last_good.sequence << " "
                  << HexOf(result->last_good.head_hash) << "\n";
        *exit_code = kExitDamaged;
      }
    });
  }
  // reindex
  {
    auto* cmd = app.add_subcommand(
        "reindex", "rebuild every index and checkpoint from the log (the log is not changed)");
    add_db(cmd);
    cmd->callback([=] {
      if (common->db.empty()) {
        std::cerr << "grantledger: reindex works on a data directory: give --db DIR (with the "
                     "server stopped)\n";
        *exit_code = kExitUsage;
        return;
      }
      EventStoreOptions options;
      options.path = common->db;
      options.rebuild_derived = true;
      auto store = EventStore::Open(options);
      if (!store.ok()) {
        *exit_code = Fail(store.status(), std::cerr);
        return;
      }
      std::cout << "rebuilt the indexes and the checkpoint of " << (*store)->Head().sequence
                << " events from the log\n";
      *exit_code = kExitOk;
    });
  }
  // replay
  {
    auto* cmd = app.add_subcommand("replay", "rebuild the projections from the log and compare");
    add_db(cmd);
    cmd->callback([=] {
      auto backend = Open(*common, false);
      if (!backend.ok()) {
        *exit_code = Fail(backend.status(), std::cerr);
        return;
      }
      absl::Status s = (*backend)->Replay();
      if (!s.ok()) {
        *exit_code = Fail(s, std::cerr);
        return;
      }
      auto head = (*backend)->Head();
      std::cout << "replayed " << head->sequence
                << " events: the projections equal a rebuild from the log\n";
      *exit_code = kExitOk;
    });
  }
  // sample-events (hidden): the demo's events as JSON Lines, to regenerate examples/.
  {
    auto* cmd = app.add_subcommand("sample-events", "");
    cmd->group("");
    cmd->callback([=] {
      std::vector<v1::Event> all = sample::Rs229Decision();
      for (auto part : {sample::Rs229YearOfExpenses(), sample::Rs229LateYearEndPostings(),
                        sample::OtherSampleGrants()}) {
        all.insert(all.end(), part.begin(), part.end());
      }
      for (const v1::Event& e : all) std::cout << EventToJson(e) << "\n";
      *exit_code = kExitOk;
    });
  }
  // demo
  {
    auto* cmd =
        app.add_subcommand("demo", "load the RS/229/2025 sample into a fresh ledger and show it");
    auto dir = std::make_shared<std::string>();
    cmd->add_option("--db", *dir,
                    "where to create the ledger (default: a new temporary directory)");
    cmd->callback([=] {
      std::string path = *dir;
      bool temporary = path.empty();
      if (temporary) {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "grantledger-demo-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) {
          std::cerr << "grantledger: demo: cannot create a temporary directory\n";
          *exit_code = kExitUnavailable;
          return;
        }
        path = pattern;
      } else if (std::filesystem::exists(path) && !std::filesystem::is_empty(path)) {
        std::cerr << "grantledger: demo: " << path
                  << " is not empty; give a new directory for the demo ledger\n";
        *exit_code = kExitUsage;
        return;
      }
      {
        auto backend = OpenDirectBackend(path, /*writable=*/true);
        if (!backend.ok()) {
          *exit_code = Fail(backend.status(), std::cerr);
          return;
        }
        std::cout << "Demo ledger in " << path << (temporary ? " (removed afterwards)" : "")
                  << "\n";
        *exit_code = RunDemo(**backend, std::cout, std::cerr);
      }
      if (temporary) std::filesystem::remove_all(path);
    });
  }
}

}  // namespace grantledger
