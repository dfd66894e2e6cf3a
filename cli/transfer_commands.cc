// Import, export and restore; see transfer_commands.h.
#include "cli/transfer_commands.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "cli/csv_writer.h"
#include "cli/exit_codes.h"
#include "cli/format_count.h"
#include "cli/messages.h"
#include "cli/post_events.h"
#include "cli/progress.h"
#include "cli/report.h"
#include "google/protobuf/util/json_util.h"
#include "ledger/civil_date.h"
#include "ledger/csv.h"
#include "ledger/money.h"
#include "ledger/status_macros.h"
#include "ledger/store/log_format.h"

namespace grantledger {
namespace {

using absl::StrCat;

int Fail(const absl::Status& status) {
  std::cerr << "grantledger: " << status.message() << "\n";
  return ExitCodeFor(status);
}

// The header names each import column may have (lower case; Swedish and English).
struct Column {
  const char* name;
  std::vector<std::string> aliases;
  bool required;
};
const std::vector<Column>& ImportColumns() {
  static const auto* columns = new std::vector<Column>{
      {"booking date",
       {"booking_date", "bokföringsdatum", "bokforingsdatum", "datum", "date"},
       true},
      {"voucher", {"voucher", "verifikation", "verifikationsnummer", "ver.nr", "vernr"}, true},
      {"amount", {"amount", "belopp", "amount_kr", "belopp_kr"}, true},
      {"cost object", {"cost_object", "objekt", "object"}, true},
      {"activity", {"activity", "aktivitet"}, false},
      {"division", {"division"}, false},
      {"purpose", {"purpose", "ändamål", "andamal"}, false},
      {"cost group", {"cost_group", "kostnadsgrupp"}, false},
      {"text", {"text", "beskrivning", "description"}, false},
  };
  return *columns;
}

std::string Lower(std::string text) {
  // ASCII lower case plus the Swedish capitals Å Ä Ö.
  absl::AsciiStrToLower(&text);
  for (auto [upper, lower] :
       {std::pair<const char*, const char*>{"Å", "å"}, {"Ä", "ä"}, {"Ö", "ö"}}) {
    for (size_t at; (at = text.find(upper)) != std::string::npos;) text.replace(at, 2, lower);
  }
  return text;
}

// A cell as one line of ledger text: a multi-line cell's line breaks and tabs become single
// spaces (the ledger's texts hold no control characters).
std::string OneLine(const std::string& cell) {
  std::string out;
  for (char c : cell) {
    const bool control = static_cast<unsigned char>(c) < 0x20;
    if (control && (out.empty() || out.back() == ' ')) continue;
    out += control ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// The grant a row belongs to: the one with the row's cost object whose usage period holds the
// booking date (or the only one with that object).
absl::StatusOr<std::string> GrantFor(const std::string& cost_object, absl::CivilDay date,
                                     const std::vector<GrantPosition>& grants) {
  std::vector<const GrantPosition*> candidates;
  for (const GrantPosition& g : grants) {
    if (g.terms.cost_object == cost_object) candidates.push_back(&g);
  }
  if (candidates.empty()) {
    return absl::NotFoundError(
        StrCat("no grant has cost object \"", cost_object,
               "\"; register the grant with that cost_object, or give --grant"));
  }
  if (candidates.size() == 1) return candidates[0]->grant_id;
  std::vector<const GrantPosition*> in_period;
  for (const GrantPosition* g : candidates) {
    if (date >= g->terms.usage_period_start && date <= g->terms.usage_period_end)
      in_period.push_back(g);
  }
  if (in_period.size() == 1) return in_period[0]->grant_id;
  std::vector<std::string> ids;
  for (const GrantPosition* g : candidates) ids.push_back(g->grant_id);
  return absl::InvalidArgumentError(StrCat("cost object \"", cost_object, "\" belongs to ",
                                           absl::StrJoin(ids, ", "),
                                           " and the booking date does not "
                                           "single one out; give --grant"));
}

}  // namespace

absl::StatusOr<std::vector<EventLine>> ExpensesFromCsv(const std::string& text,
                                                       const std::string& name,
                                                       const std::vector<GrantPosition>& grants,
                                                       const ExpenseImportOptions& options) {
  GL_ASSIGN_OR_RETURN(CsvTable table, ReadCsv(text, name, options.csv));
  std::map<std::string, int> index;  // column name -> field index
  for (size_t i = 0; i < table.header.size(); ++i) {
    const std::string header = Lower(std::string(TrimSpaces(table.header[i])));
    for (const Column& c : ImportColumns()) {
      for (const std::string& alias : c.aliases) {
        if (header == alias && !index.contains(c.name)) index[c.name] = static_cast<int>(i);
      }
    }
  }
  for (const Column& c : ImportColumns()) {
    if (c.required && !index.contains(c.name)) {
      return absl::InvalidArgumentError(StrCat(name, ":1: the header has no ", c.name,
                                               " column; name one column ",
                                               absl::StrJoin(c.aliases, " or ")));
    }
  }
  auto field = [&](const CsvRow& row, const char* column) -> std::string {
    auto it = index.find(column);
    if (it == index.end() || it->second >= static_cast<int>(row.fields.size())) return "";
    return OneLine(row.fields[it->second]);
  };
  std::map<std::string, int> voucher_count;
  for (const CsvRow& row : table.rows) ++voucher_count[field(row, "voucher")];
  std::map<std::string, int> voucher_seen;
  std::vector<EventLine> out;
  for (const CsvRow& row : table.rows) {
    auto at = [&](const absl::Status& s) {
      return absl::Status(s.code(), StrCat(name, ":", row.line, ": ", s.message()));
    };
    // The same, naming the column (its header and its position).
    auto in = [&](const char* column, const absl::Status& s) {
      auto it = index.find(column);
      const std::string where = it == index.end() ? std::string(column)
                                                  : StrCat("column ", it->second + 1, " (",
                                                           table.header[it->second], ")");
      return absl::Status(s.code(), StrCat(name, ":", row.line, ": ", where, ": ", s.message()));
    };
    if (row.fields.size() < table.header.size()) {
      return at(absl::InvalidArgumentError(StrCat("has ", row.fields.size(),
                                                  " fields but the header has ",
                                                  table.header.size(), "; fill in every column")));
    }
    auto date = ParseCivilDay(field(row, "booking date"), "booking date");
    if (!date.ok()) return in("booking date", date.status());
    const std::string voucher = field(row, "voucher");
    if (voucher.empty())
      return at(
          absl::InvalidArgumentError("voucher: is empty; every row needs its voucher number"));
    auto amount = ParseAmountText(field(row, "amount"), options.decimal);
    if (!amount.ok()) return in("amount", amount.status());
    if (*amount == 0) {
      return in("amount", absl::InvalidArgumentError(
                              "amount is 0: leave the row out, or give the amount booked"));
    }
    const std::string cost_object = field(row, "cost object");
    std::string grant_id = options.grant_id;
    if (grant_id.empty()) {
      auto mapped = GrantFor(cost_object, *date, grants);
      if (!mapped.ok()) return in("cost object", mapped.status());
      grant_id = *mapped;
    }
    EventLine line;
    line.line = row.line;
    v1::Event& e = line.event;
    const int occurrence = ++voucher_seen[voucher];
    e.set_event_id(voucher_count[voucher] > 1
                       ? StrCat(options.id_prefix, "-", voucher, "-", occurrence)
                       : StrCat(options.id_prefix, "-", voucher));
    e.set_grant_id(grant_id);
    e.set_effective_date(FormatCivilDay(*date));
    e.set_source(options.source);
    e.set_external_ref(voucher);
    v1::Expense* x = e.mutable_expense();
    // A negative amount (a refund, a correction) is an expense credit: it lowers spending.
    x->set_amount_ore(*amount < 0 ? -*amount : *amount);
    x->set_credit(*amount < 0);
    x->set_activity(field(row, "activity"));
    x->set_division(field(row, "division"));
    x->set_purpose(field(row, "purpose"));
    x->set_cost_group(field(row, "cost group"));
    x->set_cost_object(cost_object);
    x->set_text(field(row, "text"));
    out.push_back(std::move(line));
  }
  return out;
}

void AddTransferCommands(CLI::App& app, int* exit_code) {
  // import-expenses
  {
    auto* cmd =
        app.add_subcommand("import-expenses", "post expenses from an ERP CSV export, atomically");
    auto db = std::make_shared<std::string>();
    auto server = std::make_shared<std::string>(kDefaultServer);
    auto file = std::make_shared<std::string>();
    auto options = std::make_shared<ExpenseImportOptions>();
    auto dry_run = std::make_shared<bool>(false);
    auto batch_size = std::make_shared<size_t>(0);
    cmd->add_option("file", *file,
                    "CSV with a header row (booking date, voucher, amount, cost object, ...)")
        ->required();
    cmd->add_option("--db", *db, "post directly into this data directory instead of a server");
    cmd->add_option("--server", *server, "grantledgerd address (default 127.0.0.1:50051)");
    cmd->add_option("--grant", options->grant_id,
                    "post every row on this grant instead of mapping by cost object");
    cmd->add_option("--id-prefix", options->id_prefix,
                    "event ids are PREFIX-VOUCHER (default erp)");
    cmd->add_option("--batch-size", *batch_size,
                    "split into atomic batches of N rows (default: one batch)");
    cmd->add_flag("--dry-run", *dry_run, "validate only; write nothing");
    auto encoding = std::make_shared<std::string>("auto");
    auto separator = std::make_shared<std::string>("auto");
    auto decimal = std::make_shared<std::string>("auto");
    cmd->add_option("--encoding", *encoding,
                    "the file's encoding: auto (UTF-8, else Windows-1252), utf-8, windows-1252, "
                    "iso-8859-1");
    cmd->add_option("--separator", *separator,
                    "between cells: auto (from the header line), ';', ',' or tab");
    cmd->add_option("--decimal-separator", *decimal,
                    "in amounts: auto (refuse what could be read two ways), ',' or '.'");
    cmd->callback([=] {
      auto enc = ParseTextEncoding(*encoding);
      auto sep = ParseCsvSeparator(*separator);
      auto mark = ParseDecimalMark(*decimal);
      for (const absl::Status& s : {enc.status(), sep.status(), mark.status()}) {
        if (!s.ok()) {
          std::cerr << "grantledger: " << s.message() << "\n";
          *exit_code = kExitUsage;
          return;
        }
      }
      options->csv.encoding = *enc;
      options->csv.separator = *sep;
      options->decimal = *mark;
      auto text = ReadInput(*file);
      if (!text.ok()) {
        *exit_code = Fail(text.status());
        return;
      }
      auto backend = OpenBackend(*db, *server, /*writable=*/true);
      if (!backend.ok()) {
        *exit_code = Fail(backend.status());
        return;
      }
      auto grants = (*backend)->Positions(AsOf{absl::CivilDay(2999, 12, 31), 0});
      if (!grants.ok()) {
        *exit_code = Fail(grants.status());
        return;
      }
      auto lines = ExpensesFromCsv(*text, *file, *grants, *options);
      if (!lines.ok()) {
        *exit_code = Fail(lines.status());
        std::cerr << "grantledger: " << Tr("nothing was written") << "\n";
        return;
      }
      *exit_code =
          PostEventLines(**backend, *lines, *file, *batch_size, *dry_run, std::cout, std::cerr);
    });
  }
  // export
  {
    auto* cmd = app.add_subcommand(
        "export", "the stored records with hashes (JSON Lines), or balances/history as CSV");
    auto db = std::make_shared<std::string>();
    auto server = std::make_shared<std::string>(kDefaultServer);
    auto out_path = std::make_shared<std::string>();
    auto csv = std::make_shared<std::string>();
    auto grant = std::make_shared<std::string>();
    cmd->add_option("--db", *db, "read this data directory directly instead of a server");
    cmd->add_option("--server", *server, "grantledgerd address (default 127.0.0.1:50051)");
    cmd->add_option("--out", *out_path, "write to this file (default: standard output)");
    cmd->add_option("--csv", *csv, "balances or history, as CSV, instead of the records")
        ->check(CLI::IsMember({"balances", "history"}));
    cmd->add_option("--grant", *grant, "only this grant (with --csv)");
    cmd->callback([=] {
      auto backend = OpenBackend(*db, *server, false);
      if (!backend.ok()) {
        *exit_code = Fail(backend.status());
        return;
      }
      std::ofstream file;
      if (!out_path->empty()) {
        file.open(*out_path, std::ios::binary | std::ios::trunc);
        if (!file) {
          *exit_code =
              Fail(absl::InvalidArgumentError(StrCat("--out ", *out_path, ": cannot be written")));
          return;
        }
      }
      std::ostream& out = out_path->empty() ? std::cout : file;
      auto head = (*backend)->Head();
      Progress progress("records exported", head.ok() ? head->sequence : 0);
      uint64_t count = 0;
      absl::Status s;
      if (*csv == "balances") {
        auto positions = (*backend)->Positions(AsOf{absl::CivilDay(2999, 12, 31), 0});
        if (!positions.ok()) {
          *exit_code = Fail(positions.status());
          return;
        }
        CsvWriter writer(out);
        writer.Row(
            {"grant_id", "activity", "division", "allocated_kr", "spent_kr", "remaining_kr"});
        for (const GrantPosition& p : *positions) {
          if (!grant->empty() && p.grant_id != *grant) continue;
          for (const ActivityBalance& a : p.balance.activities) {
            writer.Row({p.grant_id, a.activity, a.division, CsvAmount(a.allocated_ore.value()),
                        CsvAmount(a.spent_ore.value()), CsvAmount(a.remaining_ore.value())});
          }
        }
        count = writer.rows() - 1;
      } else if (*csv == "history") {
        CsvWriter writer(out);
        writer.Row({"sequence", "recorded_time", "effective_date", "grant_id", "event", "amount_kr",
                    "event_id", "external_ref", "text", "author"});
        s = (*backend)->ReadEvents(1, *grant, [&](const v1::RecordedEvent& r) {
          const v1::Event& e = r.record().event();
          writer.Row({StrCat(r.record().sequence()),
                      absl::FormatTime(absl::RFC3339_full,
                                       absl::FromUnixMicros(r.record().recorded_time_unix_micros()),
                                       absl::UTCTimeZone()),
                      e.effective_date(), e.grant_id(), EventKind(e),
                      EventAmountOre(e) ? CsvAmount(EventAmountOre(e)) : "", e.event_id(),
                      e.external_ref(),
                      e.has_expense()    ? e.expense().text()
                      : e.has_reversal() ? e.reversal().reason()
                                         : "",
                      r.record().author()});
          progress.Update(++count);
          return true;
        });
      } else {
        google::protobuf::util::JsonPrintOptions json;
        json.preserve_proto_field_names = true;
        s = (*backend)->ReadEvents(1, "", [&](const v1::RecordedEvent& r) {
          v1::ExportedRecord x;
          x.set_sequence(r.record().sequence());
          x.set_recorded_time_unix_micros(r.record().recorded_time_unix_micros());
          x.set_recorded_time(absl::FormatTime(
              absl::RFC3339_full, absl::FromUnixMicros(r.record().recorded_time_unix_micros()),
              absl::UTCTimeZone()));
          x.set_prev_hash(HexOf(r.record().prev_hash()));
          x.set_hash(HexOf(r.hash()));
          *x.mutable_event() = r.record().event();
          x.set_author(r.record().author());
          std::string line;
          (void)google::protobuf::util::MessageToJsonString(x, &line, json);
          out << line << "\n";
          progress.Update(++count);
          return true;
        });
      }
      out.flush();
      if (!s.ok()) {
        *exit_code = Fail(s);
        return;
      }
      if (!out) {
        *exit_code = Fail(absl::UnavailableError("writing the export failed (disk full?)"));
        return;
      }
      progress.Finish();
      // Standard output may be the export itself: the summary then goes to standard error.
      (out_path->empty() ? std::cerr : std::cout)
          << TrSub(
                 "exported $0 to $1",
                 CountOf(count, csv->empty() ? "record" : "row", csv->empty() ? "records" : "rows"),
                 out_path->empty() ? Tr("standard output") : *out_path)
          << "\n";
      *exit_code = kExitOk;
    });
  }
  // restore
  {
    auto* cmd =
        app.add_subcommand("restore", "rebuild a new ledger from an export, checking every hash");
    auto db = std::make_shared<std::string>();
    auto file = std::make_shared<std::string>();
    cmd->add_option("file", *file, "an export made by `grantledger export` (JSON Lines)")
        ->required();
    cmd->add_option("--db", *db, "a new data directory for the copy")->required();
    cmd->callback([=] {
      if (std::filesystem::exists(*db) && !std::filesystem::is_empty(*db)) {
        std::cerr << "grantledger: restore: " << *db
                  << " is not empty; restore into a new directory\n";
        *exit_code = kExitUsage;
        return;
      }
      // The export is read as a stream: memory holds one batch of records, whatever its size.
      auto in = OpenInput(*file);
      if (!in.ok()) {
        *exit_code = Fail(in.status());
        return;
      }
      // Restore into a scratch directory and move it into place only when every record passed.
      const std::string scratch = *db + ".restoring";
      std::filesystem::remove_all(scratch);
      auto fail = [&](const std::string& message, int code) {
        std::cerr << "grantledger: restore: " << message
                  << "\ngrantledger: " << Tr("nothing was restored") << "\n";
        std::filesystem::remove_all(scratch);
        *exit_code = code;
      };
      Digest head;
      {
        auto backend = OpenDirectBackend(scratch, /*writable=*/true);
        if (!backend.ok()) {
          fail(std::string(backend.status().message()), ExitCodeFor(backend.status()));
          return;
        }
        google::protobuf::util::JsonParseOptions json;
        std::vector<RestoredRecord> batch;
        std::vector<int> batch_lines;
        Progress progress("records restored", 0);
        uint64_t restored = 0;
        auto flush = [&]() -> bool {
          if (batch.empty()) return true;
          const size_t n = batch.size();
          auto r = (*backend)->Restore(std::move(batch));
          batch.clear();
          if (!r.ok()) {
            fail(StrCat(*file, ": ", r.status().message()), kExitRejected);
            return false;
          }
          head = *r;
          restored += n;
          progress.Update(restored);
          batch_lines.clear();
          return true;
        };
        int line_number = 0;
        std::string line;
        while (std::getline(**in, line)) {
          ++line_number;
          if (std::string(TrimSpaces(line)).empty()) continue;
          v1::ExportedRecord x;
          auto parsed = google::protobuf::util::JsonStringToMessage(line, &x, json);
          std::string hash;
          if (!parsed.ok() || x.hash().size() != 64) {
            fail(StrCat(*file, ":", line_number, ": not a record of `grantledger export`",
                        parsed.ok() ? "" : StrCat(" (", std::string(parsed.message()), ")")),
                 kExitRejected);
            return;
          }
          hash = absl::HexStringToBytes(x.hash());
          batch.push_back(RestoredRecord{x.sequence(), x.recorded_time_unix_micros(), x.event(),
                                         hash, x.author()});
          batch_lines.push_back(line_number);
          if (batch.size() == 10'000 && !flush()) return;
        }
        if (!flush()) return;
        if (restored == 0) {
          fail(StrCat(*file, ": has no records"), kExitRejected);
          return;
        }
        // Verified as it opens from disk, in a fresh open: what was written must also read
        // back, and the writing store's memtables are freed before the walk.
        backend->reset();
        auto reopened = OpenDirectBackend(scratch, /*writable=*/false);
        if (!reopened.ok()) {
          fail(StrCat("the restored copy does not open: ", reopened.status().message()),
               kExitDamaged);
          return;
        }
        auto verified = (*reopened)->Verify(0, 0, std::nullopt);
        if (!verified.ok() || !verified->ok) {
          fail("the restored copy does not verify", kExitDamaged);
          return;
        }
      }
      std::error_code ec;
      std::filesystem::rename(scratch, *db, ec);
      if (ec) {
        fail(StrCat("cannot move the copy into ", *db, ": ", ec.message()), kExitUnavailable);
        return;
      }
      std::cout << TrSub("restored $0 records into $1; head $2 $3", head.sequence, *db,
                         head.sequence, HexOf(head.head_hash))
                << "\n";
      *exit_code = kExitOk;
    });
  }
}

}  // namespace grantledger
