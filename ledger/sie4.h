// SIE 4 (the Swedish standard export of accounting data, type 4: vouchers) read into plain
// structs: a pure function from the file's bytes to its dimensions, objects and vouchers, or an
// error naming the line. Reads #FLAGGA, #FORMAT (PC8 = CP437), #SIETYP, #FNAMN, #KONTO, #DIM,
// #UNDERDIM, #OBJEKT, #VER with #TRANS, #RTRANS and #BTRANS rows, and #KSUMMA; other records
// are skipped. Quoted and unquoted fields, object lists {dim "obj" ...} (also empty), rows
// without a date or text, long texts, CR LF line ends, a '{' at the end of the #VER line opening
// its block, and amounts with a decimal comma ("12345,67") are accepted. #KSUMMA: CRC-32 (the
// table algorithm of the SIE 4B specification, polynomial 0xEDB88320, as zlib's crc32) over the
// raw bytes of every record between the two #KSUMMA records, each record's label and field
// contents without separators, quotes and line ends; a sum that also counts braces is accepted
// too, since exporting programs differ; a signed 32-bit value is the same sum.
#ifndef GRANTLEDGER_LEDGER_SIE4_H_
#define GRANTLEDGER_LEDGER_SIE4_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "ledger/text_encoding.h"

namespace grantledger {

struct SieObjectRef {
  int dimension = 0;
  std::string object;
};

struct SieRow {
  enum class Kind {
    kTrans,       // #TRANS
    kSupplement,  // #RTRANS: a row added afterwards; counts once (its #TRANS twin is skipped)
    kRemoved,     // #BTRANS: a row removed afterwards; does not count
  };
  Kind kind = Kind::kTrans;
  int line = 0;    // in the file
  int number = 0;  // 1-based among the voucher's counting rows (#TRANS, #RTRANS); 0 if removed
  std::string account;
  std::vector<SieObjectRef> objects;
  int64_t amount_ore = 0;              // debit positive, credit negative
  std::optional<absl::CivilDay> date;  // the transaction date, when given
  std::string text;
};

struct SieVoucher {
  int line = 0;
  std::string series;
  std::string number;
  absl::CivilDay date;
  std::string text;
  std::vector<SieRow> rows;  // in file order, removed rows included
};

struct SieDimension {
  int number = 0;
  std::string name;
  int parent = 0;  // #UNDERDIM: the dimension it belongs to; 0 for #DIM
};

struct SieFile {
  TextEncoding encoding = TextEncoding::kCp437;  // what the text was read as
  std::string format;                            // #FORMAT, e.g. "PC8"
  int sie_type = 0;                              // #SIETYP
  int flag = -1;                                 // #FLAGGA
  std::string program;                           // #PROGRAM
  std::string company;                           // #FNAMN
  std::map<std::string, std::string> accounts;   // #KONTO number -> name
  std::vector<SieDimension> dimensions;
  std::map<std::pair<int, std::string>, std::string> objects;  // (dim, object) -> name
  std::vector<SieVoucher> vouchers;
  bool checksum_verified = false;  // a #KSUMMA was present and matched
};

struct SieParseOptions {
  // kAuto: CP437 when #FORMAT PC8 is given; otherwise UTF-8 if the bytes are valid UTF-8,
  // else whichever of CP437 and Windows-1252 the Swedish letters in the file point to.
  TextEncoding encoding = TextEncoding::kAuto;
  bool verify_checksum = true;  // refuse a file whose #KSUMMA does not match
};

// Parses a SIE 4 file. Every voucher must balance to zero (its counting rows). Errors are
// InvalidArgument "source:line: what is wrong; what to do".
absl::StatusOr<SieFile> ParseSie4(absl::string_view bytes, absl::string_view source,
                                  const SieParseOptions& options = {});

// The CRC-32 (ISO 3309, as zlib) of `bytes`, continuing from `crc` (start with 0).
uint32_t Crc32(absl::string_view bytes, uint32_t crc = 0);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_SIE4_H_
