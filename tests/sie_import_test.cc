// SIE 4 import: the parser on files written here (CP437 bytes for å, ä and ö, quoted and
// unquoted fields, empty object lists, rows without a date, CR LF, #RTRANS/#BTRANS, a #KSUMMA),
// its refusals (a bad #KSUMMA, an unbalanced voucher), and `import-sie` end to end: expenses and
// expense credits on the grant's object, a repeated import posting nothing, a corrected file
// refused as a conflict, rows outside the usage period reported ineligible.
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "grantledger/v1/query_service.pb.h"
#include "gtest/gtest.h"
#include "ledger/sie4.h"
#include "tests/test_support.h"

namespace grantledger {
namespace {

using ::grantledger::testing::RunCli;
using ::grantledger::testing::StatusIs;
using ::grantledger::testing::TempDir;
using ::testing::AllOf;
using ::testing::HasSubstr;

// CP437: å 0x86, ä 0x84, ö 0x94, Ä 0x8E.
constexpr char kHeader[] =
    "#FLAGGA 0\r\n"
    "#PROGRAM \"Visma Administration\" 2000\r\n"
    "#FORMAT PC8\r\n"
    "#GEN 20260115\r\n"
    "#SIETYP 4\r\n"
    "#FNAMN \"Region J\x84mtland H\x84rjedalen\"\r\n"
    "#KONTO 5410 \"F\x94rbrukningsinventarier\"\r\n"
    "#KONTO 7010 \"L\x94ner\"\r\n"
    "#KONTO 1930 Bank\r\n"
    "#DIM 1 \"Kostnadsst\x84lle\"\r\n"
    "#DIM 6 Projekt\r\n"
    "#DIM 20 Aktivitet\r\n"
    "#UNDERDIM 21 \"Delprojekt\" 6\r\n"
    "#OBJEKT 6 \"9929\" \"Tillg\x84nglighet\"\r\n"
    "#OBJEKT 1 \"1100\" \"HS Kir\"\r\n"
    "#OBJEKT 20 \"p7\" \"Hyrpersonal\"\r\n";

constexpr char kVouchers[] =
    "#VER A 17 20250315 \"Hyra av l\x84kare \x86\x84\x94\" 20250316\r\n"
    "{\r\n"
    "   #TRANS 7010 {6 \"9929\" 1 \"1100\" 20 \"p7\"} 12345.67 20250314 \"Hyrl\x84kare mars\"\r\n"
    "   #TRANS 1930 {} -12345.67\r\n"
    "}\r\n"
    "#VER \"A\" \"18\" 20250401 \"R\x84ttelse\"\r\n"
    "{\r\n"
    "   #TRANS 7010 {6 9929 1 1100 20 p7} -2000.50 \"\" \"Kreditering\"\r\n"
    "   #BTRANS 5410 {6 \"9929\"} 99.00 20250401 \"Borttagen\"\r\n"
    "   #RTRANS 5410 {6 \"9929\"} 500 20250401 \"Till\x84gg\"\r\n"
    "   #TRANS 5410 {6 \"9929\"} 500 20250401 \"Till\x84gg\"\r\n"
    "   #TRANS 1930 {} 1500.50\r\n"
    "}\r\n"
    "#VER B 3 20260120 \"Efter perioden\"\r\n"
    "{\r\n"
    "#TRANS 5410 {6 \"9929\"} 250\r\n"
    "#TRANS 4010 {6 \"7777\"} 100\r\n"
    "#TRANS 1930 {} -350\r\n"
    "}\r\n";

// The checksum as ParseSie4 computes it: every record's label and field contents between the
// two #KSUMMA records, without separators, quotes, braces and line ends.
std::string WithChecksum(const std::string& body_records, const std::string& checksum_text) {
  return absl::StrCat("#FLAGGA 0\r\n#KSUMMA\r\n", body_records, "#KSUMMA ", checksum_text, "\r\n");
}

TEST(Sie4Test, ReadsEachRecordType) {
  auto file = ParseSie4(absl::StrCat(kHeader, kVouchers), "visma.se");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->encoding, TextEncoding::kCp437);
  EXPECT_EQ(file->sie_type, 4);
  EXPECT_EQ(file->flag, 0);
  EXPECT_EQ(file->program, "Visma Administration");
  EXPECT_EQ(file->company, "Region J\xC3\xA4mtland H\xC3\xA4rjedalen");
  EXPECT_EQ(file->accounts.at("5410"), "F\xC3\xB6rbrukningsinventarier");
  EXPECT_EQ(file->accounts.at("1930"), "Bank");
  ASSERT_EQ(file->dimensions.size(), 4u);
  EXPECT_EQ(file->dimensions[3].number, 21);
  EXPECT_EQ(file->dimensions[3].parent, 6);
  EXPECT_EQ(file->objects.at({1, "1100"}), "HS Kir");
  ASSERT_EQ(file->vouchers.size(), 3u);
  const SieVoucher& a17 = file->vouchers[0];
  EXPECT_EQ(a17.series, "A");
  EXPECT_EQ(a17.number, "17");
  EXPECT_EQ(a17.date, absl::CivilDay(2025, 3, 15));
  EXPECT_EQ(a17.text, "Hyra av l\xC3\xA4kare \xC3\xA5\xC3\xA4\xC3\xB6");
  ASSERT_EQ(a17.rows.size(), 2u);
  EXPECT_EQ(a17.rows[0].amount_ore, 1234567);
  EXPECT_EQ(a17.rows[0].date, absl::CivilDay(2025, 3, 14));
  ASSERT_EQ(a17.rows[0].objects.size(), 3u);
  EXPECT_EQ(a17.rows[0].objects[0].dimension, 6);
  EXPECT_EQ(a17.rows[0].objects[0].object, "9929");
  EXPECT_TRUE(a17.rows[1].objects.empty());
  EXPECT_FALSE(a17.rows[1].date.has_value());
  // A18: unquoted objects, an empty date, a removed row, a supplement and its #TRANS twin.
  const SieVoucher& a18 = file->vouchers[1];
  ASSERT_EQ(a18.rows.size(), 4u);
  EXPECT_EQ(a18.rows[0].amount_ore, -200050);
  EXPECT_FALSE(a18.rows[0].date.has_value());
  EXPECT_EQ(a18.rows[0].objects[2].object, "p7");
  EXPECT_EQ(a18.rows[1].kind, SieRow::Kind::kRemoved);
  EXPECT_EQ(a18.rows[1].number, 0);
  EXPECT_EQ(a18.rows[2].kind, SieRow::Kind::kSupplement);
  EXPECT_EQ(a18.rows[2].number, 2);
  EXPECT_EQ(a18.rows[3].number, 3);  // the bank row; the twin #TRANS was counted once
  EXPECT_EQ(a18.rows[3].account, "1930");
}

TEST(Sie4Test, LongTextsUnixLineEndsAndUtf8WithoutFormat) {
  const std::string long_text(2000, 'x');
  auto file = ParseSie4(absl::StrCat("#FLAGGA 0\n#SIETYP 4\n#VER A 1 20250101 \"", long_text,
                                     "\"\n{\n#TRANS 5410 {6 \"9929\"} 1 20250101 \"N\xC3\xA4ra\"\n"
                                     "#TRANS 1930 {} -1\n}\n"),
                        "utf8.se");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->encoding, TextEncoding::kUtf8);
  EXPECT_EQ(file->vouchers[0].text, long_text);
  EXPECT_EQ(file->vouchers[0].rows[0].text, "N\xC3\xA4ra");
}

// What some programs write differently: the block's '{' on the #VER line, decimal commas, a
// #TRANS without a date but with a text, an empty object list, unquoted fields, CR LF, CP437.
TEST(Sie4Test, ABraceOnTheVerLineAndDecimalCommas) {
  auto file = ParseSie4(
      "#FLAGGA 0\r\n#FORMAT PC8\r\n#SIETYP 4\r\n"
      "#VER A 5 20250610 \"Inv\x84ntarier \x86\x84\x94\" {\r\n"
      "#TRANS 5410 {6 9929} 1234,50 \"\" \"Sk\x86p\"\r\n"
      "#TRANS 1930 {} -1234,50\r\n"
      "}\r\n"
      "#VER B 6 20250611 Hyra\r\n{\r\n#TRANS 5410 {} 10,5\r\n#TRANS 1930 {} -10.50\r\n}\r\n",
      "magenta.se");
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_EQ(file->vouchers.size(), 2u);
  const SieVoucher& a5 = file->vouchers[0];
  EXPECT_EQ(a5.text, "Inv\xC3\xA4ntarier \xC3\xA5\xC3\xA4\xC3\xB6");
  ASSERT_EQ(a5.rows.size(), 2u);
  EXPECT_EQ(a5.rows[0].amount_ore, 123450);
  EXPECT_FALSE(a5.rows[0].date.has_value());
  EXPECT_EQ(a5.rows[0].text, "Sk\xC3\xA5p");
  EXPECT_EQ(a5.rows[0].objects[0].object, "9929");
  EXPECT_EQ(a5.rows[1].amount_ore, -123450);
  EXPECT_EQ(file->vouchers[1].text, "Hyra");
  EXPECT_EQ(file->vouchers[1].rows[0].amount_ore, 1050);
  // A comma that could only be a thousands separator in SIE's terms is not guessed at.
  EXPECT_THAT(ParseSie4("#FLAGGA 0\n#VER A 1 20250101 x {\n#TRANS 5410 {} 1,234\n"
                        "#TRANS 1930 {} -1.234\n}\n",
                        "three-decimals.se"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("three-decimals.se:3")));
  // The '{' on the #VER line still needs its '}'.
  EXPECT_THAT(ParseSie4("#FLAGGA 0\n#VER A 1 20250101 x {\n#TRANS 5410 {} 1\n", "open.se"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no closing }")));
}

// The specification's CRC-32 is zlib's: the check value of "123456789" is 0xCBF43926.
TEST(Sie4Test, TheChecksumIsTheSpecificationsCrc32) {
  EXPECT_EQ(Crc32("123456789"), 0xCBF43926u);
  EXPECT_EQ(Crc32(""), 0u);
  // Computed piecewise, record by record, it is the same.
  EXPECT_EQ(Crc32("6789", Crc32("12345")), 0xCBF43926u);
  // A voucher whose '{' is on the #VER line: the brace is not counted (nor are quotes, spaces
  // and line ends), and a wrong sum is refused naming the closing #KSUMMA's line.
  const std::string records =
      "#SIETYP 4\r\n#VER A 1 20250101 \"\x94vrigt\" {\r\n#TRANS 5410 {6 \"9929\"} 7,25\r\n"
      "#TRANS 1930 {} -7,25\r\n}\r\n";
  const uint32_t crc = Crc32("#SIETYP4#VERA120250101\x94vrigt#TRANS5410699297,25#TRANS1930-7,25");
  auto good = ParseSie4(WithChecksum(records, absl::StrCat(crc)), "good.se");
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_TRUE(good->checksum_verified);
  EXPECT_THAT(ParseSie4(WithChecksum(records, absl::StrCat(crc ^ 1)), "wrong.se"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("wrong.se:8"), HasSubstr("does not match"))));
}

TEST(Sie4Test, VerifiesTheChecksum) {
  const std::string records = absl::StrCat(
      "#SIETYP 4\r\n#VER A 1 20250101 \"\x84ndam\x86l\"\r\n{\r\n#TRANS 5410 {6 \"9929\"} 10.50\r\n"
      "#TRANS 1930 {} -10.50\r\n}\r\n");
  const std::string covered =
      "#SIETYP4#VERA120250101\x84ndam\x86l#TRANS541069929"
      "10.50#TRANS1930-10.50";
  const uint32_t crc = Crc32(covered);
  auto good = ParseSie4(WithChecksum(records, absl::StrCat(crc)), "good.se");
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_TRUE(good->checksum_verified);
  // Signed 32-bit, as some programs write it, is the same number.
  auto good_signed =
      ParseSie4(WithChecksum(records, absl::StrCat(static_cast<int32_t>(crc))), "good.se");
  EXPECT_TRUE(good_signed.ok()) << good_signed.status();
  const std::string altered =
      absl::StrReplaceAll(records, {{"10.50", "10.60"}, {"-10.60", "-10.60"}});
  EXPECT_THAT(
      ParseSie4(WithChecksum(altered, absl::StrCat(crc)), "bad.se"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("bad.se:9"), HasSubstr("#KSUMMA"), HasSubstr("does not match"))));
  SieParseOptions lenient;
  lenient.verify_checksum = false;
  EXPECT_TRUE(ParseSie4(WithChecksum(altered, absl::StrCat(crc)), "bad.se", lenient).ok());
  EXPECT_THAT(ParseSie4("#FLAGGA 0\n#KSUMMA\n#SIETYP 4\n", "cut.se"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("cut short")));
}

TEST(Sie4Test, RefusesWhatCannotBeRight) {
  EXPECT_THAT(ParseSie4("#FLAGGA 0\n#VER A 1 20250101\n{\n#TRANS 5410 {6 \"9929\"} 100\n"
                        "#TRANS 1930 {} -99.99\n}\n",
                        "unbalanced.se"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("unbalanced.se:2"), HasSubstr("A 1"),
                             HasSubstr("does not balance"), HasSubstr("0,01 kr"))));
  EXPECT_THAT(
      ParseSie4("#FLAGGA 0\n#VER A 1 20250101\n{\n#TRANS 5410 {6 \"9929\" 100\n}\n", "list.se"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("list.se:4")));
  EXPECT_THAT(ParseSie4("#FLAGGA 0\n#VER A 1 2025-13-01\n{\n}\n", "date.se"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("date.se:2")));
  EXPECT_THAT(ParseSie4("#FLAGGA 0\n#VER A 1 20250101\n{\n#TRANS 5410 {} 1\n", "open.se"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no closing }")));
  EXPECT_THAT(ParseSie4("#FLAGGA 0\n#SIETYP 1\n", "type1.se"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("#SIETYP 4")));
}

// Found by fuzz_sie_import: a voucher given twice mapped two rows to one event id.
TEST(Sie4Test, RefusesAVoucherNumberGivenTwice) {
  const std::string voucher =
      "#VER A 311 20251231\n{\n#TRANS 5410 {6 \"9929\"} 100\n"
      "#TRANS 1930 {} -100\n}\n";
  EXPECT_THAT(ParseSie4(absl::StrCat("#FLAGGA 0\n", voucher, voucher), "twice.se"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("twice.se:7"), HasSubstr("voucher A 311"),
                             HasSubstr("first at line 2"))));
  // The same number in another series is another voucher.
  EXPECT_TRUE(
      ParseSie4(absl::StrCat("#FLAGGA 0\n", voucher, "#VER B 311 20251231\n{\n}\n"), "series.se")
          .ok());
}

class SieImportTest : public ::testing::Test {
 protected:
  using Result = ::grantledger::testing::CliResult;
  Result Run(const std::string& args) { return RunCli(dir_, args); }
  std::string Write(const std::string& name, const std::string& bytes) {
    const std::string path = dir_.Sub(name);
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  std::string Db() const { return dir_.Sub("data"); }
  void SetUp() override {
    Result r = Run(
        absl::StrCat("post ", GRANTLEDGER_SOURCE_DIR, "/examples/sample-grants.jsonl --db ", Db()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  // `balance --json` read back as the message it prints.
  v1::GrantBalance Balance(const std::string& as_of = "2025-12-31") {
    Result r = Run(absl::StrCat("balance RS/229/2025 --json --as-of ", as_of, " --db ", Db()));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    v1::GetGrantResponse s;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &s).ok()) << r.out;
    return s.grant().balance();
  }
  TempDir dir_;
};

TEST_F(SieImportTest, CostRowsOnTheObjectBecomeExpensesAndCreditsLowerSpending) {
  const std::string file = Write("visma.se", absl::StrCat(kHeader, kVouchers));
  const auto before = Balance();
  const auto before_2026 = Balance("2026-12-31");
  Result dry = Run(absl::StrCat("import-sie ", file,
                                " --activity-dim 20 --division-dim 1 --dry-run --db ", Db()));
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_THAT(dry.out, HasSubstr("sie-A-17-1"));
  EXPECT_THAT(dry.out, HasSubstr("-2 000,50 kr"));
  EXPECT_THAT(dry.out, HasSubstr("nothing was written"));
  EXPECT_EQ(Balance().spent_ore(), before.spent_ore());

  Result r =
      Run(absl::StrCat("import-sie ", file, " --activity-dim 20 --division-dim 1 --db ", Db()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("CP437"));
  EXPECT_THAT(r.out,
              HasSubstr("4 expenses on grants (1 credits), 1 dated outside the usage period"));
  EXPECT_THAT(r.out, HasSubstr("posted 4 events"));
  // 2025: 12 345,67 - 2 000,50 + 500 (the supplement once; the removed row not at all).
  const auto after = Balance();
  EXPECT_EQ(after.spent_ore() - before.spent_ore(), 1234567 - 200050 + 50000);
  // The p7 HS Kir line carries the salary row and its credit.
  int64_t p7_before = 0, p7_after = 0;
  for (const auto* s : {&before, &after}) {
    for (const v1::ActivityBalance& a : s->activities()) {
      if (a.activity() == "p7" && a.division() == "HS Kir")
        (s == &before ? p7_before : p7_after) = a.spent_ore();
    }
  }
  EXPECT_EQ(p7_after - p7_before, 1234567 - 200050);
  // The row of 2026 is recorded, and ineligible: it does not reduce the obligation.
  EXPECT_EQ(Balance("2026-12-31").spent_ore() - before_2026.spent_ore(),
            1234567 - 200050 + 50000 + 25000);
  Result replay = Run("replay --db " + Db());
  EXPECT_EQ(replay.exit_code, 0) << replay.err;

  // The same file again posts nothing.
  Result again =
      Run(absl::StrCat("import-sie ", file, " --activity-dim 20 --division-dim 1 --db ", Db()));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("posted 0 events, 4 already in the ledger"));
  // A corrected file (another amount on a voucher already imported) is a conflict.
  const std::string corrected = Write(
      "corrected.se", absl::StrReplaceAll(absl::StrCat(kHeader, kVouchers),
                                          {{"12345.67", "12345.68"}, {"-12345.67", "-12345.68"}}));
  Result conflict = Run(
      absl::StrCat("import-sie ", corrected, " --activity-dim 20 --division-dim 1 --db ", Db()));
  EXPECT_EQ(conflict.exit_code, 2);
  EXPECT_THAT(conflict.err, HasSubstr("corrected.se:"));
  EXPECT_THAT(conflict.err, HasSubstr("nothing was written"));
  EXPECT_EQ(Balance().spent_ore(), after.spent_ore());
}

TEST_F(SieImportTest, NegativeCsvAmountsAreExpenseCredits) {
  const auto before = Balance();
  const std::string csv = Write("credit.csv",
                                "Datum;Verifikation;Belopp;Objekt;Aktivitet;Division\n"
                                "2025-10-01;C-1;1 000,00;9929;p7;HS Kir\n"
                                "2025-10-02;C-2;-400,25;9929;p7;HS Kir\n");
  Result r = Run(absl::StrCat("import-expenses ", csv, " --db ", Db()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Balance().spent_ore() - before.spent_ore(), 100000 - 40025);
  Result history = Run("history RS/229/2025 --db " + Db());
  EXPECT_THAT(history.out, HasSubstr("expense credit"));
  EXPECT_THAT(history.out, HasSubstr("-400,25 kr"));
}

// Event ids are built from series and number, so "A-1" 2 and "A" "1-2" meet in one id: the
// import refuses the file, naming both rows, and posts nothing.
TEST_F(SieImportTest, RefusesTwoVouchersWhoseIdsMeet) {
  const int64_t spent_before = Balance().spent_ore();
  const std::string file =
      Write("meet.se",
            "#FLAGGA 0\n#SIETYP 4\n"
            "#VER \"A-1\" 2 20250315\n{\n#TRANS 5410 {6 \"9929\"} 100\n#TRANS 1930 {} -100\n}\n"
            "#VER A \"1-2\" 20250316\n{\n#TRANS 5410 {6 \"9929\"} 200\n#TRANS 1930 {} -200\n}\n");
  Result r = Run(absl::StrCat("import-sie ", file, " --db ", Db()));
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_THAT(r.err, AllOf(HasSubstr("meet.se:10"), HasSubstr("sie-A-1-2-1"), HasSubstr("line 5")));
  EXPECT_EQ(Balance().spent_ore(), spent_before);
}

}  // namespace
}  // namespace grantledger
