// Civil dates ("YYYY-MM-DD") as absl::CivilDay: strict parsing with field-named errors.
// Effective dates, usage periods and deadlines are civil dates, never instants.
#ifndef GRANTLEDGER_LEDGER_CIVIL_DATE_H_
#define GRANTLEDGER_LEDGER_CIVIL_DATE_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace grantledger {

// Parses exactly "YYYY-MM-DD" (a real calendar day, years 1900-2999). `field` names the
// field in the error message, e.g. "effective_date".
absl::StatusOr<absl::CivilDay> ParseCivilDay(absl::string_view text, absl::string_view field);

// "2025-12-31".
std::string FormatCivilDay(absl::CivilDay day);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_CIVIL_DATE_H_
