// How the command line shows ledger answers: aligned tables in Swedish amount form for people,
// JSON (amounts in öre; cli/json_output.h) for machines.
#ifndef GRANTLEDGER_CLI_REPORT_H_
#define GRANTLEDGER_CLI_REPORT_H_

#include <ostream>
#include <string>
#include <vector>

#include "cli/ledger_backend.h"
#include "grantledger/v1/events.pb.h"
#include "grantledger/v1/query_service.pb.h"

namespace grantledger {

void PrintGrantList(const std::vector<GrantView>& grants, std::ostream& out);
// `grants --json`: the query service's ListGrantsResponse (balance totals, no lines).
void PrintGrantListJson(const std::vector<GrantView>& grants, uint64_t as_of_sequence,
                        std::ostream& out);

// Summary, activity lines and divisions of one grant.
void PrintGrant(const GrantView& grant, std::ostream& out);
// `balance --json`: the query service's GetGrantResponse, with activity and division lines.
v1::GetGrantResponse GrantMessage(const GrantView& grant, uint64_t as_of_sequence);
void PrintGrantJson(const GrantView& grant, uint64_t as_of_sequence, std::ostream& out);

// "expense", "receipt", ...
std::string EventKind(const v1::Event& event);
// The event's amount in öre (0 for events without one).
int64_t EventAmountOre(const v1::Event& event);
// One line of history: sequence, recorded time, effective date, kind, amount, line, reference.
std::vector<std::string> HistoryRow(const v1::RecordedEvent& recorded);
std::vector<std::string> HistoryHeader();

}  // namespace grantledger

#endif  // GRANTLEDGER_CLI_REPORT_H_
