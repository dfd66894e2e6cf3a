// Explicit limits on everything the ledger accepts (TigerStyle): string lengths, batch sizes,
// balances. Every limit is checked where input enters and named in the error when exceeded.
#ifndef GRANTLEDGER_LEDGER_LIMITS_H_
#define GRANTLEDGER_LEDGER_LIMITS_H_

#include <cstddef>
#include <cstdint>

namespace grantledger {

inline constexpr size_t kMaxIdLength = 128;              // event_id, grant_id, activity, division
inline constexpr size_t kMaxTextLength = 1024;           // titles, descriptions, reasons
inline constexpr size_t kMaxSealCheckpointBytes = 4096;  // a seal's signed note
inline constexpr size_t kMaxEventsPerBatch = 100'000;
inline constexpr size_t kMaxEncodedEventBytes = 16 * 1024;
inline constexpr size_t kMaxActivitiesPerGrant = 1000;
inline constexpr size_t kMaxConditionsPerGrant = 100;
// No account balance may exceed this magnitude (10^13 kr); with at most 1000 activity lines a
// grant's trial balance then never overflows int64.
inline constexpr int64_t kMaxBalanceOre = 1'000'000'000'000'000;

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_LIMITS_H_
