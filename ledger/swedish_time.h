// Dates as the coordinator lives them: "today" and the end of a day are in Swedish time
// (Europe/Stockholm, from the system's tzdata), not UTC. A recorded time at 00:30 on
// 1 January in Stockholm belongs to 1 January, though it is still 31 December in UTC.
#ifndef GRANTLEDGER_LEDGER_SWEDISH_TIME_H_
#define GRANTLEDGER_LEDGER_SWEDISH_TIME_H_

#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace grantledger {

// Europe/Stockholm. Without tzdata (Debian package tzdata) it falls back to CET (UTC+1, no
// summer time), which is off by an hour only between 23:00 and 24:00 in summer.
absl::TimeZone SwedishTimeZone();

// The date in Sweden at `now`.
absl::CivilDay SwedishDay(absl::Time now);

// The last microsecond of `day` in Sweden.
absl::Time EndOfSwedishDay(absl::CivilDay day);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_SWEDISH_TIME_H_
