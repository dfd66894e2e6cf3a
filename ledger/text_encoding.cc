// Converting exports to UTF-8; see text_encoding.h.
#include "ledger/text_encoding.h"

#include <iconv.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace grantledger {
namespace {

constexpr absl::string_view kUtf8Bom = "\xEF\xBB\xBF";

const char* IconvName(TextEncoding e) {
  switch (e) {
    case TextEncoding::kWindows1252:
      return "WINDOWS-1252";
    case TextEncoding::kLatin1:
      return "ISO-8859-1";
    case TextEncoding::kCp437:
      return "CP437";
    default:
      return "UTF-8";
  }
}

int LineAt(absl::string_view bytes, size_t offset) {
  return 1 + static_cast<int>(std::count(bytes.begin(), bytes.begin() + offset, '\n'));
}

}  // namespace

absl::StatusOr<TextEncoding> ParseTextEncoding(absl::string_view name) {
  const std::string n = absl::AsciiStrToLower(name);
  if (n == "auto") return TextEncoding::kAuto;
  if (n == "utf-8" || n == "utf8") return TextEncoding::kUtf8;
  if (n == "windows-1252" || n == "cp1252" || n == "win1252") return TextEncoding::kWindows1252;
  if (n == "iso-8859-1" || n == "latin1" || n == "latin-1" || n == "iso8859-1")
    return TextEncoding::kLatin1;
  if (n == "cp437" || n == "pc8" || n == "ibm437") return TextEncoding::kCp437;
  return absl::InvalidArgumentError(
      absl::StrCat("--encoding ", name,
                   ": not an encoding grantledger reads; give auto, utf-8, windows-1252, "
                   "iso-8859-1 or cp437"));
}

const char* TextEncodingName(TextEncoding encoding) {
  switch (encoding) {
    case TextEncoding::kAuto:
      return "auto";
    case TextEncoding::kUtf8:
      return "UTF-8";
    case TextEncoding::kWindows1252:
      return "Windows-1252";
    case TextEncoding::kLatin1:
      return "ISO-8859-1";
    case TextEncoding::kCp437:
      return "CP437";
  }
  return "?";
}

size_t FirstInvalidUtf8(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      cp = c & 0x07;
    } else {
      return i;
    }
    for (size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return i;
      const unsigned char d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (d & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return i;
    }
    i += n + 1;
  }
  return absl::string_view::npos;
}

bool IsValidUtf8(absl::string_view s) { return FirstInvalidUtf8(s) == absl::string_view::npos; }

namespace {
// True when `s` holds at least one well-formed two-, three- or four-byte UTF-8 sequence.
bool HasMultiByteUtf8(absl::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0xC2 || c > 0xF4) continue;
    const size_t n = c <= 0xDF ? 1 : c <= 0xEF ? 2 : 3;
    if (i + n >= s.size()) continue;
    if (FirstInvalidUtf8(s.substr(i, n + 1)) == absl::string_view::npos) return true;
  }
  return false;
}
}  // namespace

TextEncoding DetectTextEncoding(absl::string_view bytes, TextEncoding given) {
  if (given != TextEncoding::kAuto) return given;
  if (bytes.substr(0, 3) == kUtf8Bom) return TextEncoding::kUtf8;
  if (IsValidUtf8(bytes)) return TextEncoding::kUtf8;
  // Not all UTF-8: a single-byte export, unless it also holds well-formed multi-byte UTF-8
  // (a file edited in two encodings). Converting that as Windows-1252 would garble its UTF-8
  // letters, so it is read as UTF-8 and refused at its first bad byte.
  return HasMultiByteUtf8(bytes) ? TextEncoding::kUtf8 : TextEncoding::kWindows1252;
}

absl::StatusOr<std::string> ToUtf8(absl::string_view bytes, TextEncoding encoding,
                                   absl::string_view source, TextEncoding* detected) {
  const TextEncoding e = DetectTextEncoding(bytes, encoding);
  if (detected != nullptr) *detected = e;
  if (e == TextEncoding::kUtf8) {
    if (bytes.substr(0, 3) == kUtf8Bom) bytes.remove_prefix(3);
    if (FirstInvalidUtf8(bytes) != absl::string_view::npos) {
      const size_t bad = FirstInvalidUtf8(bytes);
      if (encoding == TextEncoding::kAuto) {
        return absl::InvalidArgumentError(absl::StrFormat(
            "%s:%d: byte 0x%02X is not UTF-8, but other letters in the file are: the file mixes "
            "UTF-8 with another encoding, so no conversion would be right; save the file as "
            "UTF-8 and import it again",
            std::string(source), LineAt(bytes, bad),
            static_cast<unsigned>(static_cast<unsigned char>(bytes[bad]))));
      }
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s:%d: byte 0x%02X is not UTF-8; give --encoding windows-1252 (or iso-8859-1) if the "
          "file was saved in that encoding",
          std::string(source), LineAt(bytes, bad),
          static_cast<unsigned>(static_cast<unsigned char>(bytes[bad]))));
    }
    return std::string(bytes);
  }
  iconv_t cd = iconv_open("UTF-8", IconvName(e));
  if (cd == reinterpret_cast<iconv_t>(static_cast<uintptr_t>(-1))) {
    return absl::InternalError(
        absl::StrCat("iconv cannot convert from ", IconvName(e), " on this system"));
  }
  std::string out(bytes.size() * 3 + 4, '\0');
  char* in_ptr = const_cast<char*>(bytes.data());
  size_t in_left = bytes.size();
  char* out_ptr = out.data();
  size_t out_left = out.size();
  absl::Status status;
  while (in_left > 0) {
    if (iconv(cd, &in_ptr, &in_left, &out_ptr, &out_left) == static_cast<size_t>(-1)) {
      const size_t offset = bytes.size() - in_left;
      status = absl::InvalidArgumentError(absl::StrFormat(
          "%s:%d: byte 0x%02X is not a character in %s; give --encoding with the file's "
          "encoding (utf-8, windows-1252, iso-8859-1 or cp437)",
          std::string(source), LineAt(bytes, offset),
          offset < bytes.size() ? static_cast<unsigned>(static_cast<unsigned char>(bytes[offset]))
                                : 0u,
          TextEncodingName(e)));
      break;
    }
  }
  iconv_close(cd);
  if (!status.ok()) return status;
  out.resize(out.size() - out_left);
  return out;
}

}  // namespace grantledger
