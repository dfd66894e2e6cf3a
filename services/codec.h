// Encoding the core's answers (terms, balances, ledger/as_of.h positions, ledger/obligations.h)
// as the services' messages, and decoding them back exactly (for the command line's server mode).
// Pure conversions, one place for every service.
#ifndef GRANTLEDGER_SERVICES_CODEC_H_
#define GRANTLEDGER_SERVICES_CODEC_H_

#include "grantledger/v1/year_end_service.pb.h"
#include "ledger/as_of.h"
#include "ledger/obligations.h"
#include "ledger/year_end.h"

namespace grantledger {

void EncodeTerms(const GrantTerms& terms, v1::GrantTermsView* out);
GrantTerms DecodeTerms(const v1::GrantTermsView& in);
// With `with_lines` false the activity and division lines are left out.
void EncodeBalance(const GrantBalance& balance, v1::GrantBalance* out, bool with_lines = true);
GrantBalance DecodeBalance(const v1::GrantBalance& in);
void EncodePosition(const GrantPosition& position, v1::PositionResponse* out);
GrantPosition DecodePosition(const v1::PositionResponse& in);
// The grant view the query service's GetGrant and ListGrants answer with.
void EncodeGrantView(const GrantTerms& terms, const GrantBalance& balance, uint64_t version,
                     v1::GrantView* out, bool with_lines = true);
void EncodeObligation(const Obligation& obligation, v1::Obligation* out);
Obligation DecodeObligation(const v1::Obligation& in);
// The list part of a ListUnused answer (not as_of_date and as_of_sequence). A list with
// nothing_due leaves deadline_from empty, and decodes from it.
void EncodeUnusedList(const UnusedList& unused, v1::UnusedResponse* out);
UnusedList DecodeUnusedList(const v1::UnusedResponse& in);
// A year overview and a financial account as GetYearOverview and GetFinancialAccount answer.
void EncodeYearOverview(const YearOverview& overview, v1::YearOverviewResponse* out);
void EncodeFinancialAccount(const FinancialAccount& account, v1::FinancialAccountResponse* out);

}  // namespace grantledger

#endif  // GRANTLEDGER_SERVICES_CODEC_H_
