// Swedish dates; see swedish_time.h.
#include "ledger/swedish_time.h"

namespace grantledger {

absl::TimeZone SwedishTimeZone() {
  static const absl::TimeZone zone = [] {
    absl::TimeZone tz;
    if (absl::LoadTimeZone("Europe/Stockholm", &tz)) return tz;
    return absl::FixedTimeZone(3600);
  }();
  return zone;
}

absl::CivilDay SwedishDay(absl::Time now) { return absl::ToCivilDay(now, SwedishTimeZone()); }

absl::Time EndOfSwedishDay(absl::CivilDay day) {
  return absl::FromCivil(day + 1, SwedishTimeZone()) - absl::Microseconds(1);
}

}  // namespace grantledger
