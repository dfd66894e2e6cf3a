// `entitle show`; see entitle_show_command.h.
#include "cli/entitle_show_command.h"

#include <iostream>

#include "cli/as_of_flags.h"
#include "cli/exit_codes.h"
#include "cli/json_output.h"
#include "cli/ledger_backend.h"
#include "cli/table.h"
#include "grantledger/v1/cli_output.pb.h"
#include "ledger/civil_date.h"
#include "ledger/entitlement_link.h"
#include "ledger/money.h"

namespace grantledger {

void AddEntitleShowCommand(CLI::App& app, int* exit_code) {
  CLI::App* entitle = app.get_subcommand("entitle");
  struct Options {
    std::string grant;
    std::string db;
    std::string server = kDefaultServer;
    AsOfFlags as_of;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = entitle->add_subcommand(
      "show", "a grant's expected amount by its entitlement model, beside what was received");
  cmd->add_option("grant", o->grant, "the grant's diary number, e.g. RS/211/2025")->required();
  cmd->add_option("--db", o->db, "open this data directory read-only instead of a server");
  cmd->add_option("--server", o->server, "grantledgerd address (default 127.0.0.1:50051)");
  o->as_of.AddTo(cmd);
  cmd->add_flag("--json", o->json, "JSON output (amounts in öre)");
  cmd->callback([o, exit_code] {
    auto fail = [&](const absl::Status& s) {
      std::cerr << "grantledger: " << s.message() << "\n";
      *exit_code = ExitCodeFor(s);
    };
    auto backend = OpenBackend(o->db, o->server, false);
    if (!backend.ok()) return fail(backend.status());
    auto as_of = ResolveAsOf(o->as_of, **backend);
    if (!as_of.ok()) return fail(as_of.status());
    auto position = (*backend)->Position(o->grant, *as_of);
    if (!position.ok()) return fail(position.status());
    if (position->terms.entitlement.empty()) {
      return fail(absl::FailedPreconditionError(
          o->grant +
          " records no entitlement model; set grant_registered.entitlement (or "
          "terms_amended.entitlement) with the model's parameters"));
    }
    v1::EntitlementModel model;
    model.ParseFromString(position->terms.entitlement);
    auto expected = ExpectedAmount(model);
    if (!expected.ok()) return fail(expected.status());
    const Ore expected_ore = expected->expected_ore;
    const Ore received_ore = position->balance.received_ore;
    const std::optional<Ore> difference = CheckedSub(received_ore, expected_ore);
    if (!difference.has_value()) {
      return fail(absl::InvalidArgumentError(
          "the model's amount is too far from what was received to compare; check its unit "
          "(whole kronor)"));
    }
    const Ore difference_ore = *difference;
    if (o->json) {
      v1::EntitlementComparison comparison;
      comparison.set_grant_id(o->grant);
      comparison.set_as_of_date(FormatCivilDay(as_of->date));
      comparison.set_model(expected->model);
      comparison.set_basis(expected->basis);
      comparison.set_expected_ore(expected_ore.value());
      comparison.set_decided_ore(position->terms.decided_amount_ore);
      comparison.set_received_ore(received_ore.value());
      comparison.set_difference_ore(difference_ore.value());
      PrintJson(comparison, std::cout);
    } else {
      std::cout << o->grant << "  " << position->terms.title << "\n"
                << "model: " << expected->model << " (" << expected->basis << ")\n\n";
      Table table({"", "amount"}, {false, true});
      table.AddRow({"expected by the model", FormatKronor(expected_ore)});
      table.AddRow({"decided", FormatKronor(position->terms.decided_amount_ore)});
      table.AddRow({"received per " + FormatCivilDay(as_of->date), FormatKronor(received_ore)});
      table.AddRule();
      table.AddRow({difference_ore < Ore(0)   ? "still to come"
                    : difference_ore > Ore(0) ? "received beyond the model"
                                              : "difference",
                    FormatKronor(difference_ore < Ore(0) ? -difference_ore : difference_ore)});
      table.Print(std::cout);
    }
    *exit_code = kExitOk;
  });
}

}  // namespace grantledger
