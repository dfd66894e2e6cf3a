// Encoding the core's answers (terms, balances, ledger/as_of.h positions, ledger/obligations.h)
// as the services' messages, and decoding them back (for the command line's server mode).
// Pure conversions, one place for every service.
#ifndef GRANTLEDGER_SERVICES_CODEC_H_
#define GRANTLEDGER_SERVICES_CODEC_H_

#include "grantledger/v1/year_end_service.pb.h"
#include "ledger/as_of.h"
#include "ledger/obligations.h"

namespace grantledger {

void EncodeTerms(const GrantTerms& terms, v1::GrantTermsView* out);
GrantTerms DecodeTerms(const v1::GrantTermsView& in);
// With `with_lines` false the activity and division lines are left out.
void EncodeBalance(const GrantBalance& balance, v1::GrantBalance* out, bool with_lines = true);
GrantBalance DecodeBalance(const v1::GrantBalance& in);
void EncodePosition(const GrantPosition& position, v1::PositionResponse* out);
GrantPosition DecodePosition(const v1::PositionResponse& in);
void EncodeObligation(const Obligation& obligation, v1::Obligation* out);

}  // namespace grantledger

#endif  // GRANTLEDGER_SERVICES_CODEC_H_
