// Text as exports arrive: UTF-8 with or without a byte-order mark, Windows-1252 and
// ISO-8859-1 (spreadsheets and ERPs on Windows), CP437 (SIE files marked #FORMAT PC8).
// Everything inside grantledger is UTF-8; this converts at the edge, with glibc's iconv.
#ifndef GRANTLEDGER_LEDGER_TEXT_ENCODING_H_
#define GRANTLEDGER_LEDGER_TEXT_ENCODING_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace grantledger {

enum class TextEncoding {
  kAuto,  // UTF-8 when the bytes are valid UTF-8, else Windows-1252
  kUtf8,
  kWindows1252,
  kLatin1,  // ISO-8859-1
  kCp437,   // IBM PC, SIE's PC8
};

// "auto", "utf-8"/"utf8", "windows-1252"/"cp1252", "iso-8859-1"/"latin1"/"latin-1",
// "cp437"/"pc8" (any case). InvalidArgument lists the names.
absl::StatusOr<TextEncoding> ParseTextEncoding(absl::string_view name);
const char* TextEncodingName(TextEncoding encoding);

// True when `bytes` is well-formed UTF-8 (no overlong forms, surrogates or values past
// U+10FFFF).
bool IsValidUtf8(absl::string_view bytes);
// The offset of the first byte that is not well-formed UTF-8, or npos.
size_t FirstInvalidUtf8(absl::string_view bytes);

// The encoding `bytes` are in: given, or for kAuto UTF-8 when they are valid UTF-8 (a
// byte-order mark is UTF-8), else Windows-1252.
TextEncoding DetectTextEncoding(absl::string_view bytes, TextEncoding given);

// `bytes` as UTF-8, without a leading byte-order mark. `detected` (if not null) receives the
// encoding used. Errors name `source`, the line and the byte, and say to give --encoding.
absl::StatusOr<std::string> ToUtf8(absl::string_view bytes, TextEncoding encoding,
                                   absl::string_view source, TextEncoding* detected = nullptr);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_TEXT_ENCODING_H_
