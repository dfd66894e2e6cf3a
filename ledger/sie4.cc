// Reading SIE 4 files; see sie4.h.
#include "ledger/sie4.h"

#include <algorithm>
#include <array>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "ledger/amount_text.h"
#include "ledger/civil_date.h"
#include "ledger/money.h"

namespace grantledger {
namespace {

using absl::StrCat;

struct Field {
  std::string raw;                 // as in the file, quotes removed and \" resolved
  bool is_list = false;            // an object list {...}
  std::vector<std::string> items;  // the list's fields
};

struct Record {
  int line = 0;
  std::string label;  // upper case, with '#'; "{" or "}" for a block line
  std::vector<Field> fields;
  // The line ends with a lone '{' that opens the voucher's block ("#VER A 1 20250101 "" {"), as
  // some programs write it instead of a '{' on the next line.
  bool opens_block = false;
};

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

// Reads one field starting at `i` (not at a space). Quoted fields end at an unescaped quote.
absl::StatusOr<std::string> ReadToken(absl::string_view line, size_t& i, bool in_list) {
  std::string out;
  if (line[i] == '"') {
    ++i;
    while (i < line.size()) {
      if (line[i] == '\\' && i + 1 < line.size() && (line[i + 1] == '"' || line[i + 1] == '\\')) {
        out += line[i + 1];
        i += 2;
        continue;
      }
      if (line[i] == '"') {
        ++i;
        return out;
      }
      out += line[i++];
    }
    return absl::InvalidArgumentError(
        "a quoted field has no closing quote: close it with \" (write \\\" for a quote inside)");
  }
  while (i < line.size() && !IsSpace(line[i]) && !(in_list && line[i] == '}')) out += line[i++];
  return out;
}

absl::StatusOr<Record> Tokenize(absl::string_view line, int line_number) {
  Record r;
  r.line = line_number;
  size_t i = 0;
  while (i < line.size() && IsSpace(line[i])) ++i;
  size_t end = i;
  while (end < line.size() && !IsSpace(line[end])) ++end;
  r.label = absl::AsciiStrToUpper(line.substr(i, end - i));
  i = end;
  while (true) {
    while (i < line.size() && IsSpace(line[i])) ++i;
    if (i >= line.size()) break;
    Field f;
    if (line[i] == '{' && r.label == "#VER" &&
        absl::StripAsciiWhitespace(line.substr(i + 1)).empty()) {
      r.opens_block = true;
      break;
    }
    if (line[i] == '{') {
      f.is_list = true;
      ++i;
      while (true) {
        while (i < line.size() && IsSpace(line[i])) ++i;
        if (i >= line.size()) {
          return absl::InvalidArgumentError(
              "an object list has no closing }: write {dimension \"object\" ...}");
        }
        if (line[i] == '}') {
          ++i;
          break;
        }
        auto item = ReadToken(line, i, /*in_list=*/true);
        if (!item.ok()) return item.status();
        f.items.push_back(std::move(*item));
      }
    } else {
      auto token = ReadToken(line, i, /*in_list=*/false);
      if (!token.ok()) return token.status();
      f.raw = std::move(*token);
    }
    r.fields.push_back(std::move(f));
  }
  return r;
}

// The bytes #KSUMMA covers for one record: its label and its fields' contents, without
// separators, quotes, braces and line ends; with_braces also counts the braces (of object lists
// and of voucher blocks). A file is accepted when either sum matches: exporting programs differ.
std::string ChecksumBytes(const Record& r, bool with_braces) {
  if (r.label == "{" || r.label == "}") return with_braces ? r.label : "";
  std::string out = r.label;
  for (const Field& f : r.fields) {
    if (!f.is_list) {
      out += f.raw;
      continue;
    }
    if (with_braces) out += '{';
    for (const std::string& item : f.items) out += item;
    if (with_braces) out += '}';
  }
  if (with_braces && r.opens_block) out += '{';
  return out;
}

TextEncoding ChooseEncoding(absl::string_view bytes, const SieParseOptions& options,
                            bool format_pc8) {
  if (options.encoding != TextEncoding::kAuto) return options.encoding;
  if (format_pc8) return TextEncoding::kCp437;
  if (IsValidUtf8(bytes)) return TextEncoding::kUtf8;
  // Å Ä Ö å ä ö (and é) in each encoding.
  int cp437 = 0, cp1252 = 0;
  for (unsigned char c : bytes) {
    if (c == 0x8F || c == 0x8E || c == 0x99 || c == 0x86 || c == 0x84 || c == 0x94 || c == 0x82)
      ++cp437;
    if (c == 0xC5 || c == 0xC4 || c == 0xD6 || c == 0xE5 || c == 0xE4 || c == 0xF6 || c == 0xE9)
      ++cp1252;
  }
  return cp1252 > cp437 ? TextEncoding::kWindows1252 : TextEncoding::kCp437;
}

// An amount as SIE writes it ("12345.67", no thousands separators), or with a decimal comma
// ("12345,67"), as some exports do: a ',' with no '.' is the decimal separator.
absl::StatusOr<int64_t> SieAmount(absl::string_view text) {
  const bool comma = absl::StrContains(text, ',') && !absl::StrContains(text, '.');
  return ParseAmountText(text, comma ? DecimalMark::kComma : DecimalMark::kPoint);
}

absl::StatusOr<absl::CivilDay> SieDate(const std::string& text, absl::string_view what) {
  if (text.size() == 8 && std::all_of(text.begin(), text.end(), absl::ascii_isdigit)) {
    return ParseCivilDay(StrCat(text.substr(0, 4), "-", text.substr(4, 2), "-", text.substr(6, 2)),
                         what);
  }
  if (text.size() == 10) return ParseCivilDay(text, what);
  return absl::InvalidArgumentError(
      StrCat(what, " \"", text, "\" is not a date: write YYYYMMDD, e.g. 20250630"));
}

}  // namespace

uint32_t Crc32(absl::string_view bytes, uint32_t crc) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t n = 0; n < 256; ++n) {
      uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[n] = c;
    }
    return t;
  }();
  crc = ~crc;
  for (unsigned char b : bytes) crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

absl::StatusOr<SieFile> ParseSie4(absl::string_view bytes, absl::string_view source,
                                  const SieParseOptions& options) {
  const std::string name(source);
  auto at = [&](int line, absl::string_view message) {
    return absl::InvalidArgumentError(StrCat(name, ":", line, ": ", message));
  };
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  // Records, on the raw bytes (every delimiter is ASCII, so any of the encodings splits alike).
  std::vector<Record> records;
  int line_number = 0;
  bool format_pc8 = false;
  for (size_t start = 0; start < bytes.size();) {
    size_t end = bytes.find('\n', start);
    if (end == absl::string_view::npos) end = bytes.size();
    absl::string_view line = bytes.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    auto record = Tokenize(line, line_number);
    if (!record.ok()) return at(line_number, record.status().message());
    if (record->label == "#FORMAT" && !record->fields.empty() &&
        absl::AsciiStrToUpper(record->fields[0].raw) == "PC8") {
      format_pc8 = true;
    }
    records.push_back(std::move(*record));
  }
  if (records.empty() || records[0].label.empty() || records[0].label[0] != '#') {
    return absl::InvalidArgumentError(
        StrCat(name,
               ": not a SIE file: it should start with #FLAGGA; export SIE 4 from the "
               "accounting program"));
  }

  SieFile file;
  file.encoding = ChooseEncoding(bytes, options, format_pc8);
  auto text = [&](const std::string& raw, int line) -> absl::StatusOr<std::string> {
    bool ascii = true;
    for (unsigned char c : raw) ascii = ascii && c < 0x80;
    if (ascii) return raw;
    return ToUtf8(raw, file.encoding, StrCat(name, ":", line));
  };

  // #KSUMMA: an opening record without fields, a closing one with the checksum.
  int checksum_open_line = 0;  // the opening #KSUMMA's line; 0: none open
  std::array<uint32_t, 2> crc = {0, 0};
  SieVoucher* voucher = nullptr;
  bool in_block = false;
  std::optional<SieRow> pending_twin;  // an #RTRANS whose #TRANS twin may follow
  std::map<std::pair<std::string, std::string>, int> voucher_lines;  // (series, number) -> line
  for (const Record& r : records) {
    const auto& f = r.fields;
    auto field = [&](size_t n) -> std::string { return n < f.size() ? f[n].raw : ""; };
    if (r.label == "#KSUMMA") {
      if (f.empty()) {
        checksum_open_line = r.line;
        continue;
      }
      if (checksum_open_line == 0) {
        return at(r.line, "#KSUMMA with a value but no opening #KSUMMA at the start of the file");
      }
      int64_t expected = 0;
      if (!absl::SimpleAtoi(field(0), &expected)) {
        return at(r.line, StrCat("#KSUMMA \"", field(0), "\" is not a number"));
      }
      const uint32_t want = static_cast<uint32_t>(expected);
      if (options.verify_checksum && crc[0] != want && crc[1] != want) {
        return at(r.line, StrCat("#KSUMMA ", field(0),
                                 " does not match the file's content "
                                 "(computed ",
                                 static_cast<int32_t>(crc[0]),
                                 "): the file was altered or cut short; export it again (or give "
                                 "--ignore-checksum if the exporting program computes it "
                                 "differently)"));
      }
      file.checksum_verified = crc[0] == want || crc[1] == want;
      checksum_open_line = 0;
      continue;
    }
    if (checksum_open_line != 0) {
      crc[0] = Crc32(ChecksumBytes(r, false), crc[0]);
      crc[1] = Crc32(ChecksumBytes(r, true), crc[1]);
    }
    if (r.label == "{") {
      if (voucher == nullptr || in_block) return at(r.line, "a { without a #VER before it");
      in_block = true;
      continue;
    }
    if (r.label == "}") {
      if (!in_block) return at(r.line, "a } without a { before it");
      in_block = false;
      pending_twin.reset();
      // Every voucher balances to zero.
      int64_t sum = 0;
      for (const SieRow& row : voucher->rows)
        if (row.kind != SieRow::Kind::kRemoved) sum += row.amount_ore;
      if (sum != 0) {
        return at(voucher->line,
                  StrCat("voucher ", voucher->series, " ", voucher->number,
                         " does not balance: its rows sum to ", FormatKronor(sum),
                         "; every voucher's debits and credits must sum to zero (export it "
                         "again, or correct it in the accounting program)"));
      }
      continue;
    }
    if (r.label == "#FLAGGA") {
      if (!absl::SimpleAtoi(field(0), &file.flag)) file.flag = -1;
    } else if (r.label == "#FORMAT") {
      file.format = field(0);
    } else if (r.label == "#SIETYP") {
      if (!absl::SimpleAtoi(field(0), &file.sie_type)) {
        return at(r.line, "#SIETYP is not a number: write #SIETYP 4");
      }
    } else if (r.label == "#PROGRAM") {
      auto t = text(field(0), r.line);
      if (!t.ok()) return t.status();
      file.program = *t;
    } else if (r.label == "#FNAMN") {
      auto t = text(field(0), r.line);
      if (!t.ok()) return t.status();
      file.company = *t;
    } else if (r.label == "#KONTO") {
      auto t = text(field(1), r.line);
      if (!t.ok()) return t.status();
      file.accounts[field(0)] = *t;
    } else if (r.label == "#DIM" || r.label == "#UNDERDIM") {
      SieDimension d;
      if (!absl::SimpleAtoi(field(0), &d.number)) {
        return at(r.line, StrCat(r.label, ": the dimension \"", field(0), "\" is not a number"));
      }
      auto t = text(field(1), r.line);
      if (!t.ok()) return t.status();
      d.name = *t;
      if (r.label == "#UNDERDIM" && !absl::SimpleAtoi(field(2), &d.parent)) {
        return at(r.line, "#UNDERDIM needs the dimension it belongs to: #UNDERDIM 21 \"name\" 1");
      }
      file.dimensions.push_back(d);
    } else if (r.label == "#OBJEKT") {
      int dim = 0;
      if (!absl::SimpleAtoi(field(0), &dim)) {
        return at(r.line, StrCat("#OBJEKT: the dimension \"", field(0), "\" is not a number"));
      }
      auto object = text(field(1), r.line);
      auto object_name = text(field(2), r.line);
      if (!object.ok()) return object.status();
      if (!object_name.ok()) return object_name.status();
      file.objects[{dim, *object}] = *object_name;
    } else if (r.label == "#VER") {
      if (in_block) return at(r.line, "#VER inside another voucher's { }: close it with } first");
      SieVoucher v;
      v.line = r.line;
      auto series = text(field(0), r.line);
      auto number = text(field(1), r.line);
      auto vtext = text(field(3), r.line);
      if (!series.ok()) return series.status();
      if (!number.ok()) return number.status();
      if (!vtext.ok()) return vtext.status();
      v.series = *series;
      v.number = *number;
      v.text = *vtext;
      if (v.number.empty()) {
        return at(r.line, "#VER has no voucher number: export the vouchers with their numbers");
      }
      // A voucher's series and number name it (and the events imported from it): twice is a
      // file put together from two exports, or a damaged one.
      auto [first, added] = voucher_lines.try_emplace({v.series, v.number}, r.line);
      if (!added) {
        return at(r.line, StrCat("voucher ", v.series.empty() ? "" : v.series + " ", v.number,
                                 " comes a second time (first at line ", first->second,
                                 "); a voucher number comes once per series: export the file "
                                 "again from the accounting program"));
      }
      auto date = SieDate(field(2), "#VER date");
      if (!date.ok()) return at(r.line, date.status().message());
      v.date = *date;
      file.vouchers.push_back(std::move(v));
      voucher = &file.vouchers.back();
      in_block = r.opens_block;
    } else if (r.label == "#TRANS" || r.label == "#RTRANS" || r.label == "#BTRANS") {
      if (voucher == nullptr || !in_block) {
        return at(r.line, StrCat(r.label, " outside a voucher: put it between the { } after #VER"));
      }
      SieRow row;
      row.line = r.line;
      row.kind = r.label == "#TRANS"    ? SieRow::Kind::kTrans
                 : r.label == "#RTRANS" ? SieRow::Kind::kSupplement
                                        : SieRow::Kind::kRemoved;
      row.account = field(0);
      if (row.account.empty()) return at(r.line, StrCat(r.label, " has no account"));
      size_t n = 1;
      if (n < f.size() && f[n].is_list) {
        if (f[n].items.size() % 2 != 0) {
          return at(r.line, "an object list has a dimension without an object: write {6 \"9929\"}");
        }
        for (size_t i = 0; i + 1 < f[n].items.size(); i += 2) {
          SieObjectRef ref;
          if (!absl::SimpleAtoi(f[n].items[i], &ref.dimension)) {
            return at(r.line, StrCat("the object list's dimension \"", f[n].items[i],
                                     "\" is not a number"));
          }
          auto object = text(f[n].items[i + 1], r.line);
          if (!object.ok()) return object.status();
          ref.object = *object;
          row.objects.push_back(std::move(ref));
        }
        ++n;
      }
      auto amount = SieAmount(field(n));
      if (!amount.ok()) return at(r.line, amount.status().message());
      row.amount_ore = *amount;
      ++n;
      if (!field(n).empty()) {
        auto date = SieDate(field(n), StrCat(r.label, " date"));
        if (!date.ok()) return at(r.line, date.status().message());
        row.date = *date;
      }
      ++n;
      auto rtext = text(field(n), r.line);
      if (!rtext.ok()) return rtext.status();
      row.text = *rtext;
      // An #RTRANS is followed by the same row as #TRANS for older readers: count it once.
      if (row.kind == SieRow::Kind::kTrans && pending_twin &&
          pending_twin->account == row.account && pending_twin->amount_ore == row.amount_ore &&
          pending_twin->date == row.date && pending_twin->text == row.text &&
          pending_twin->objects.size() == row.objects.size()) {
        bool same = true;
        for (size_t i = 0; i < row.objects.size(); ++i) {
          same = same && row.objects[i].dimension == pending_twin->objects[i].dimension &&
                 row.objects[i].object == pending_twin->objects[i].object;
        }
        if (same) {
          pending_twin.reset();
          continue;
        }
      }
      pending_twin.reset();
      if (row.kind == SieRow::Kind::kSupplement) pending_twin = row;
      if (row.kind != SieRow::Kind::kRemoved) {
        int counted = 0;
        for (const SieRow& earlier : voucher->rows)
          counted += earlier.kind != SieRow::Kind::kRemoved;
        row.number = counted + 1;
      }
      voucher->rows.push_back(std::move(row));
    }
    // Other records (#GEN, #RAR, #IB, #UB, #RES, #PSALDO, ...) are not needed here.
  }
  if (in_block) return at(voucher->line, "the voucher's { has no closing }");
  if (checksum_open_line != 0) {
    return at(checksum_open_line,
              "#KSUMMA was opened but the file has no closing #KSUMMA with the checksum: the file "
              "is cut short; export it again");
  }
  if (file.sie_type != 0 && file.sie_type != 4) {
    return absl::InvalidArgumentError(
        StrCat(name, ": #SIETYP ", file.sie_type,
               " has no vouchers: export SIE type 4 (#SIETYP 4, with verifikationer)"));
  }
  return file;
}

}  // namespace grantledger
