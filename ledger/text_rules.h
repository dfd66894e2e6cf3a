// The rules every text of an event obeys before it is written (rules_shape.cc applies them to
// each string field): valid UTF-8, within its length limit, no control characters, no
// bidirectional-override characters or byte-order marks, and an id is never only blanks.
// Also how an error quotes a bad value: a short, escaped prefix, never the whole of it (an
// 8 KB id echoed in full would not fit in gRPC's metadata).
#ifndef GRANTLEDGER_LEDGER_TEXT_RULES_H_
#define GRANTLEDGER_LEDGER_TEXT_RULES_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace grantledger {

// What a text is, which decides what may be in it.
enum class TextKind {
  kId,    // an identifier or code (event_id, grant_id, activity, division...): never blank
  kText,  // free text (a title, a description, a reason): blank only if optional
};

struct TextRule {
  TextKind kind = TextKind::kText;
  bool required = false;
  size_t max_bytes = 0;
  absl::string_view example;  // shown when a required text is missing, e.g. "\"p7\""
};

// OK, or InvalidArgument "<field>: <what is wrong>; <the fix>". Checks, in order: missing (when
// required), length in bytes, UTF-8 validity, control characters (C0, DEL, C1),
// bidirectional-formatting characters (U+202A–U+202E, U+2066–U+2069), the byte-order mark
// U+FEFF, and text made only of white space (for ids, and for required texts).
absl::Status CheckEventText(absl::string_view field, absl::string_view text, const TextRule& rule);

// The first problem in `text` as "<what>; <fix>", or "" when it is valid UTF-8 with no control,
// bidirectional-formatting or byte-order-mark character.
std::string TextDefect(absl::string_view text);

// The same for UTF-8 validity alone ("" when `text` is valid UTF-8).
std::string Utf8Defect(absl::string_view text);

// `text` in double quotes for an error message, C-escaped (so invalid bytes and control
// characters show as \xf6, \n...), and cut after `max_bytes` of input with "..." and the
// whole length, so a message stays short whatever the input was.
std::string QuoteForMessage(absl::string_view text, size_t max_bytes = 40);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_TEXT_RULES_H_
