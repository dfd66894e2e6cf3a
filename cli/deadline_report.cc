// Deadline warnings; see deadline_report.h.
#include "cli/deadline_report.h"

#include "absl/strings/str_cat.h"
#include "cli/messages.h"
#include "ledger/civil_date.h"
#include "ledger/money.h"

namespace grantledger {

void PrintDeadlineWarnings(const std::vector<Obligation>& obligations, std::ostream& out) {
  using Kind = DeadlineWarning::Kind;
  for (const Obligation& o : obligations) {
    for (const DeadlineWarning& w : WarningsFor(o)) {
      out << Tr("warning") << ": " << w.grant_id << ": ";
      switch (w.kind) {
        case Kind::kSpentOutsidePeriod:
          out << FormatKronor(w.amount_ore) << " " << Tr("is booked outside the usage period (ends")
              << " " << FormatCivilDay(w.deadline)
              << Tr("): not eligible, it does not reduce the obligation");
          break;
        case Kind::kUnusedNearDeadline:
          out << FormatKronor(w.amount_ore) << " " << Tr("unused must be repaid by") << " "
              << FormatCivilDay(w.deadline) << " (" << w.days << " " << Tr("days left)");
          break;
        case Kind::kRepaymentOverdue:
          out << FormatKronor(w.amount_ore) << " " << Tr("is overdue: it was to be repaid by")
              << " " << FormatCivilDay(w.deadline) << " (" << -w.days << " " << Tr("days late)");
          break;
        case Kind::kForecastAboveAllocation:
          out << Tr("spending at this rate ends") << " " << FormatKronor(w.amount_ore) << " "
              << Tr("above the decided amount by") << " " << FormatCivilDay(w.deadline);
          break;
        case Kind::kReportOverdue:
          out << Tr("the financial account was due") << " " << FormatCivilDay(w.deadline) << " ("
              << -w.days << " " << Tr("days late) and no report is recorded");
          break;
      }
      out << "\n";
    }
  }
}

}  // namespace grantledger
