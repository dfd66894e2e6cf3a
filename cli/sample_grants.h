// Sample data drawn from the seed decisions (../shared/seeds): the RS/229/2025 grant with its
// 26 allocation lines and a year of synthetic but plausible expenses on object 9929. Used by
// `grantledger demo` and as the tests' fixture.
#ifndef GRANTLEDGER_CLI_SAMPLE_GRANTS_H_
#define GRANTLEDGER_CLI_SAMPLE_GRANTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "grantledger/v1/events.pb.h"

namespace grantledger::sample {

inline constexpr char kRs229GrantId[] = "RS/229/2025";
inline constexpr int64_t kRs229ReceivedOre = 147'463'000'00;

// One line of the decision's table "Aktiviteter att utföra med erhållet statsbidrag".
struct AllocationLine {
  std::string activity;  // the table's point, made unique where a point has several lines
  std::string division;
  int64_t amount_kr;
  std::string description;
};

// The 26 activity/division lines of RS/229/2025, in the decision's order.
const std::vector<AllocationLine>& Rs229AllocationLines();

// Registration (2025-05-26), the receipt of 147 463 000 kr, and the 26 allocations.
std::vector<v1::Event> Rs229Decision();

// A year of expenses on object 9929 (monthly bookings per line, an underspent and an
// overspent activity, a reallocation approved by HSLG), as the ERP would post them during
// 2025 (everything dated up to 2025-12-30).
std::vector<v1::Event> Rs229YearOfExpenses();

// Year-end postings dated 2025-12-31 that the ERP posts in February 2026.
std::vector<v1::Event> Rs229LateYearEndPostings();

// The other sample grants: RS/211/2025 (performance-based operations, preliminary receipt, a
// reporting condition); the 2019 national minorities grant with its financial account table
// (250 000 kr, 234 054 kr used, 15 946 kr repaid); cancer care 2019 carried over into
// RS/28/2020; RS/29/2020 with its reporting deadline moved; RS/242/2020, an application
// rejected. Amounts and dates follow the seeds; where the seeds say nothing, plausible values.
std::vector<v1::Event> OtherSampleGrants();

}  // namespace grantledger::sample

#endif  // GRANTLEDGER_CLI_SAMPLE_GRANTS_H_
