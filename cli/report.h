// How the command line shows ledger answers: aligned tables in Swedish amount form for people,
// JSON (amounts in öre) for machines.
#ifndef GRANTLEDGER_CLI_REPORT_H_
#define GRANTLEDGER_CLI_REPORT_H_

#include <ostream>
#include <string>
#include <vector>

#include "cli/ledger_backend.h"
#include "grantledger/v1/events.pb.h"

namespace grantledger {

// A JSON string literal with escapes.
std::string JsonQuote(const std::string& text);

void PrintGrantList(const std::vector<GrantView>& grants, std::ostream& out);
void PrintGrantListJson(const std::vector<GrantView>& grants, std::ostream& out);

// Summary, activity lines and divisions of one grant.
void PrintGrant(const GrantView& grant, std::ostream& out);
void PrintGrantJson(const GrantView& grant, std::ostream& out);

// "expense", "receipt", ...
std::string EventKind(const v1::Event& event);
// The event's amount in öre (0 for events without one).
int64_t EventAmountOre(const v1::Event& event);
// One line of history: sequence, recorded time, effective date, kind, amount, line, reference.
std::vector<std::string> HistoryRow(const v1::RecordedEvent& recorded);
std::vector<std::string> HistoryHeader();

}  // namespace grantledger

#endif  // GRANTLEDGER_CLI_REPORT_H_
