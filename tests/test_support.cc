// Shared test helpers; see test_support.h.
#include "tests/test_support.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace grantledger::testing {

TempDir::TempDir() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "grantledger-test-XXXXXX").string();
  char* made = ::mkdtemp(pattern.data());
  if (made == nullptr) std::abort();
  path_ = made;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

CliResult RunCli(const TempDir& dir, const std::string& args) {
  const std::string out = dir.Sub("stdout"), err = dir.Sub("stderr");
  const std::string command = absl::StrCat(GRANTLEDGER_BINARY_DIR, "/cli/grantledger ", args, " > ",
                                           out, " 2> ", err, " < /dev/null");
  const int status = std::system(command.c_str());
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = ReadFileBytes(out);
  r.err = ReadFileBytes(err);
  return r;
}

std::string ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

v1::Event Envelope(const std::string& event_id, const std::string& grant_id,
                   const std::string& date) {
  v1::Event e;
  e.set_event_id(event_id);
  e.set_grant_id(grant_id);
  e.set_effective_date(date);
  e.set_source("test");
  return e;
}

v1::Event RegisterGrant(const std::string& event_id, const std::string& grant_id,
                        int64_t decided_ore, const std::string& period_start,
                        const std::string& period_end, const std::string& deadline) {
  v1::Event e = Envelope(event_id, grant_id, period_start);
  v1::GrantRegistered* g = e.mutable_grant_registered();
  g->set_title("Test grant " + grant_id);
  g->set_grantor("Socialstyrelsen");
  g->set_decided_amount_ore(decided_ore);
  g->set_usage_period_start(period_start);
  g->set_usage_period_end(period_end);
  g->set_repayment_deadline(deadline);
  g->set_cost_object("9929");
  g->set_kind(v1::GRANT_KIND_FIXED);
  return e;
}

v1::Event Receipt(const std::string& event_id, const std::string& grant_id, int64_t amount_ore,
                  const std::string& date) {
  v1::Event e = Envelope(event_id, grant_id, date);
  e.mutable_receipt()->set_amount_ore(amount_ore);
  return e;
}

v1::Event Allocate(const std::string& event_id, const std::string& grant_id, int64_t amount_ore,
                   const std::string& activity, const std::string& division) {
  v1::Event e = Envelope(event_id, grant_id);
  e.mutable_allocation()->set_amount_ore(amount_ore);
  e.mutable_allocation()->set_activity(activity);
  e.mutable_allocation()->set_division(division);
  return e;
}

v1::Event Reallocate(const std::string& event_id, const std::string& grant_id, int64_t amount_ore,
                     const std::string& from_activity, const std::string& from_division,
                     const std::string& to_activity, const std::string& to_division) {
  v1::Event e = Envelope(event_id, grant_id);
  v1::Reallocation* r = e.mutable_reallocation();
  r->set_amount_ore(amount_ore);
  r->set_from_activity(from_activity);
  r->set_from_division(from_division);
  r->set_to_activity(to_activity);
  r->set_to_division(to_division);
  r->set_approver("HSLG");
  r->set_decision_ref("HSLG 2025-11-12 §4");
  return e;
}

v1::Event Spend(const std::string& event_id, const std::string& grant_id, int64_t amount_ore,
                const std::string& activity, const std::string& division, const std::string& date) {
  v1::Event e = Envelope(event_id, grant_id, date);
  v1::Expense* x = e.mutable_expense();
  x->set_amount_ore(amount_ore);
  x->set_activity(activity);
  x->set_division(division);
  x->set_purpose("Hyrpersonal");
  x->set_cost_group("Köpta tjänster");
  return e;
}

v1::Event Repay(const std::string& event_id, const std::string& grant_id, int64_t amount_ore) {
  v1::Event e = Envelope(event_id, grant_id);
  e.mutable_repayment()->set_amount_ore(amount_ore);
  return e;
}

v1::Event Reverse(const std::string& event_id, const std::string& grant_id, uint64_t sequence) {
  v1::Event e = Envelope(event_id, grant_id);
  e.mutable_reversal()->set_reversed_sequence(sequence);
  e.mutable_reversal()->set_reason("booked on the wrong grant");
  return e;
}

}  // namespace grantledger::testing
