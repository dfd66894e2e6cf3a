// See text_rules.h.
#include "ledger/text_rules.h"

#include <cstdint>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace grantledger {

using absl::StrCat;

namespace {

// One decoded character: its code point and its length in bytes, or (invalid) the length of
// the bad sequence's first byte (1).
struct Decoded {
  uint32_t code_point = 0;
  size_t length = 1;
  bool valid = false;
};

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
Decoded DecodeAt(absl::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return {lead, 1, true};
  size_t length = 0;
  uint32_t code_point = 0;
  uint32_t min = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2, code_point = lead & 0x1F, min = 0x80;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3, code_point = lead & 0x0F, min = 0x800;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4, code_point = lead & 0x07, min = 0x10000;
  } else {
    return {};
  }
  if (i + length > text.size()) return {};
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return {};
    code_point = code_point << 6 | (byte(i + k) & 0x3F);
  }
  if (code_point < min || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) {
    return {};
  }
  return {code_point, length, true};
}

bool IsControl(uint32_t c) { return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F); }

bool IsBidiFormatting(uint32_t c) {
  return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

constexpr uint32_t kByteOrderMark = 0xFEFF;

// White space of any script: a text made only of these looks empty.
bool IsWhiteSpace(uint32_t c) {
  return c == ' ' || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200B) || c == 0x202F ||
         c == 0x205F || c == 0x3000;
}

std::string CodePointName(uint32_t c) { return absl::StrFormat("U+%04X", c); }

bool OnlyWhiteSpace(absl::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const Decoded d = DecodeAt(text, i);
    if (!d.valid || !IsWhiteSpace(d.code_point)) return false;
    i += d.length;
  }
  return true;
}

std::string NotUtf8Message(absl::string_view text, size_t offset) {
  return absl::StrFormat(
      "is not valid UTF-8 (byte 0x%02X at offset %d); save the file as UTF-8 (a byte like "
      "0xF6 is an \"ö\" in Windows-1252 or Latin-1) and send it again",
      static_cast<unsigned char>(text[offset]), offset);
}

}  // namespace

std::string Utf8Defect(absl::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const Decoded d = DecodeAt(text, i);
    if (!d.valid) return NotUtf8Message(text, i);
    i += d.length;
  }
  return "";
}

namespace {

// The length of the run of printable ASCII (0x20..0x7E) that `text` starts with: most of an
// event's text, checked eight bytes at a time so the check costs little per event.
size_t PrintableAsciiPrefix(absl::string_view text) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighBits = 0x8080808080808080ULL;
  size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, text.data() + i, 8);
    const uint64_t below_space = (word - kOnes * 0x20) & ~word & kHighBits;
    const uint64_t x = word ^ (kOnes * 0x7F);
    const uint64_t is_del = (x - kOnes) & ~x & kHighBits;
    if (((word & kHighBits) | below_space | is_del) != 0) break;
  }
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c >= 0x7F) break;
    ++i;
  }
  return i;
}

}  // namespace

std::string TextDefect(absl::string_view text) {
  for (size_t i = PrintableAsciiPrefix(text); i < text.size();) {
    const Decoded d = DecodeAt(text, i);
    if (!d.valid) return NotUtf8Message(text, i);
    const uint32_t c = d.code_point;
    if (IsControl(c)) {
      return StrCat("contains the control character ", CodePointName(c), " at offset ", i,
                    " (a newline, tab or similar); remove it");
    }
    if (IsBidiFormatting(c)) {
      return StrCat("contains the bidirectional-formatting character ", CodePointName(c),
                    " at offset ", i,
                    ", which makes the text display in another order than it is stored; "
                    "remove it");
    }
    if (c == kByteOrderMark) {
      return StrCat("contains a byte-order mark (U+FEFF) at offset ", i,
                    "; remove it (an editor may have added it at the start of the file)");
    }
    i += d.length;
    i += PrintableAsciiPrefix(text.substr(i));
  }
  return "";
}

absl::Status CheckEventText(absl::string_view field, absl::string_view text, const TextRule& rule) {
  auto invalid = [&](absl::string_view message) {
    return absl::InvalidArgumentError(StrCat(field, ": ", message));
  };
  if (text.empty()) {
    if (!rule.required) return absl::OkStatus();
    return invalid(StrCat("is required; set it, e.g. ", rule.example));
  }
  if (text.size() > rule.max_bytes) {
    return invalid(StrCat("is ", text.size(), " bytes long (", QuoteForMessage(text),
                          "); shorten it to at most ", rule.max_bytes, " bytes"));
  }
  if (std::string defect = TextDefect(text); !defect.empty()) {
    return invalid(StrCat(QuoteForMessage(text), " ", defect));
  }
  if ((rule.kind == TextKind::kId || rule.required) && OnlyWhiteSpace(text)) {
    return invalid(StrCat("is only white space; ",
                          rule.required ? StrCat("set it, e.g. ", rule.example)
                                        : std::string("leave it empty or give a real value")));
  }
  return absl::OkStatus();
}

std::string QuoteForMessage(absl::string_view text, size_t max_bytes) {
  std::string out = "\"";
  size_t i = 0;
  while (i < text.size() && i < max_bytes) {
    const Decoded d = DecodeAt(text, i);
    if (!d.valid) {
      absl::StrAppendFormat(&out, "\\x%02x", static_cast<unsigned char>(text[i]));
    } else if (d.code_point == '"' || d.code_point == '\\') {
      absl::StrAppend(&out, "\\", text.substr(i, 1));
    } else if (d.code_point == '\n') {
      out += "\\n";
    } else if (d.code_point == '\t') {
      out += "\\t";
    } else if (IsControl(d.code_point) || IsBidiFormatting(d.code_point) ||
               d.code_point == kByteOrderMark) {
      absl::StrAppendFormat(&out, "\\u{%04X}", d.code_point);
    } else {
      out.append(text.data() + i, d.length);
    }
    i += d.length;
  }
  out += "\"";
  if (i < text.size()) absl::StrAppend(&out, "... (", text.size(), " bytes)");
  return out;
}

}  // namespace grantledger
