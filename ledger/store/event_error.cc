// Errors about one event of a batch; see event_error.h.
#include "ledger/store/event_error.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "ledger/store/store_types.h"
#include "ledger/text_rules.h"

namespace grantledger {

absl::Status AtEvent(const absl::Status& status, size_t index, const v1::Event& event) {
  // The id is quoted short and escaped: it may be the very field that is wrong (8 KB of it).
  absl::Status out(status.code(),
                   absl::StrCat("event ", index, " (event_id ", QuoteForMessage(event.event_id()),
                                "): ", status.message()));
  out.SetPayload(kEventIndexPayload, absl::Cord(absl::StrCat(index)));
  return out;
}

}  // namespace grantledger
