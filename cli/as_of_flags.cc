// The two-clock flags; see as_of_flags.h.
#include "cli/as_of_flags.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ledger/civil_date.h"
#include "ledger/status_macros.h"
#include "ledger/swedish_time.h"

namespace grantledger {

void AsOfFlags::AddTo(CLI::App* command) {
  command->add_option(
      "--as-of", as_of,
      "effective as-of date YYYY-MM-DD (events dated on or before it; default today in "
      "Sweden)");
  command->add_option("--recorded-as-of", recorded_as_of,
                      "as the ledger knew it then: a sequence number, a date (end of that day, "
                      "Swedish time) or an RFC 3339 time");
}

absl::CivilDay TodayUtc() { return SwedishDay(absl::Now()); }

absl::Status RecordedSequenceBeyondHead(uint64_t sequence, uint64_t head) {
  return absl::OutOfRangeError(absl::StrCat("--recorded-as-of: sequence ", sequence,
                                            " is beyond the head (", head,
                                            "); give a sequence from 1 to ", head));
}

absl::Status NothingRecordedBy(const std::string& recorded_text) {
  return absl::NotFoundError(
      absl::StrCat("--recorded-as-of: the ledger had recorded nothing by ", recorded_text));
}

absl::StatusOr<AsOfQuery> ParseAsOfFlags(const AsOfFlags& flags) {
  AsOfQuery out;
  if (flags.as_of.empty()) {
    out.date = TodayUtc();
  } else {
    GL_ASSIGN_OR_RETURN(out.date, ParseCivilDay(flags.as_of, "--as-of"));
  }
  const std::string& recorded = flags.recorded_as_of;
  if (recorded.empty()) return out;
  out.recorded_text = recorded;
  uint64_t sequence = 0;
  if (absl::SimpleAtoi(recorded, &sequence)) {
    if (sequence == 0) {
      return absl::InvalidArgumentError("--recorded-as-of: sequence numbers start at 1");
    }
    out.sequence = sequence;
    return out;
  }
  absl::Time time;
  std::string error;
  if (recorded.size() == 10) {
    GL_ASSIGN_OR_RETURN(absl::CivilDay day, ParseCivilDay(recorded, "--recorded-as-of"));
    time = EndOfSwedishDay(day);
  } else if (!absl::ParseTime(absl::RFC3339_full, recorded, &time, &error)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--recorded-as-of: \"", recorded,
                     "\" is not a sequence number, a date or an RFC 3339 "
                     "time; write e.g. 2026-01-15, 2026-01-15T08:00:00Z or 4711"));
  }
  out.recorded_at = time;
  return out;
}

absl::StatusOr<AsOf> ResolveAsOf(const AsOfQuery& query, LedgerBackend& backend) {
  AsOf out;
  out.date = query.date;
  if (query.sequence.has_value()) {
    // Refused rather than clamped: an auditor who wrote down a sequence that the ledger no
    // longer reaches must hear so, not get today's answer.
    GL_ASSIGN_OR_RETURN(Digest head, backend.Head());
    if (*query.sequence > head.sequence) {
      return RecordedSequenceBeyondHead(*query.sequence, head.sequence);
    }
    out.sequence = *query.sequence;
  } else if (query.recorded_at.has_value()) {
    GL_ASSIGN_OR_RETURN(uint64_t at, backend.SequenceAtRecordedTime(*query.recorded_at));
    if (at == 0) return NothingRecordedBy(query.recorded_text);
    out.sequence = at;
  }
  return out;
}

absl::StatusOr<AsOf> ResolveAsOf(const AsOfFlags& flags, LedgerBackend& backend) {
  GL_ASSIGN_OR_RETURN(AsOfQuery query, ParseAsOfFlags(flags));
  return ResolveAsOf(query, backend);
}

}  // namespace grantledger
