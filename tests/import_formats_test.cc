// Imports that accept what spreadsheets and ERPs really export: each encoding (UTF-8 with and
// without BOM, Windows-1252, ISO-8859-1), each separator (';', ',', tab), multi-line quoted
// cells, and each number form (space, U+00A0, U+202F and '.' as thousands separators), with
// ambiguous numbers refused and every error naming the row, the column and the fix.
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/amount_text.h"
#include "ledger/csv_reader.h"
#include "ledger/text_encoding.h"
#include "tests/test_support.h"

namespace grantledger {
namespace {

using ::grantledger::testing::ReadFileBytes;
using ::grantledger::testing::RunCli;
using ::grantledger::testing::StatusIs;
using ::grantledger::testing::TempDir;
using ::testing::AllOf;
using ::testing::HasSubstr;

int64_t Amount(absl::string_view text, DecimalMark mark = DecimalMark::kAuto) {
  auto r = ParseAmountText(text, mark);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status();
  return r.ok() ? *r : -1;
}

TEST(AmountTextTest, ThousandsSeparatorsAndDecimalMarks) {
  EXPECT_EQ(Amount("1234"), 123400);
  EXPECT_EQ(Amount("1 234,50"), 123450);
  EXPECT_EQ(Amount("1\xC2\xA0"
                   "234,50"),
            123450);  // U+00A0
  EXPECT_EQ(Amount("1\xE2\x80\xAF"
                   "234,50"),
            123450);  // U+202F
  EXPECT_EQ(Amount("12 345 678,05"), 1234567805);
  EXPECT_EQ(Amount("1.234,50"), 123450);
  EXPECT_EQ(Amount("1,234.50"), 123450);
  EXPECT_EQ(Amount("1.234.567"), 123456700);
  EXPECT_EQ(Amount("1234.5"), 123450);
  EXPECT_EQ(Amount("0,05"), 5);
  EXPECT_EQ(Amount("-1 234,50"), -123450);
  EXPECT_EQ(Amount("\xE2\x88\x92"
                   "5"),
            -500);  // U+2212 minus
  EXPECT_EQ(Amount(" 125 000,00 kr "), 12500000);
  EXPECT_EQ(Amount("1.234", DecimalMark::kComma), 123400);
  EXPECT_EQ(Amount("1.234.567,8", DecimalMark::kComma), 123456780);
  EXPECT_EQ(Amount("1,234", DecimalMark::kPoint), 123400);
  EXPECT_EQ(Amount("1,5", DecimalMark::kComma), 150);
}

TEST(AmountTextTest, AmbiguousNumbersAreRefusedNotGuessed) {
  const auto code = absl::StatusCode::kInvalidArgument;
  EXPECT_THAT(ParseAmountText("1 2 3 4", DecimalMark::kAuto),
              StatusIs(code, AllOf(HasSubstr("ambiguous"), HasSubstr("groups of three"))));
  EXPECT_THAT(ParseAmountText("12 34", DecimalMark::kAuto), StatusIs(code, HasSubstr("ambiguous")));
  EXPECT_THAT(ParseAmountText("1.234", DecimalMark::kAuto),
              StatusIs(code, AllOf(HasSubstr("ambiguous"), HasSubstr("--decimal-separator"))));
  EXPECT_THAT(ParseAmountText("12,345", DecimalMark::kAuto),
              StatusIs(code, HasSubstr("ambiguous")));
  EXPECT_THAT(ParseAmountText("1.5", DecimalMark::kComma), StatusIs(code, HasSubstr("ambiguous")));
  EXPECT_THAT(ParseAmountText("1,234.50", DecimalMark::kComma),
              StatusIs(code, HasSubstr("other decimal separator")));
  EXPECT_THAT(ParseAmountText("1234,567", DecimalMark::kAuto),
              StatusIs(code, HasSubstr("more than two decimals")));
  EXPECT_THAT(ParseAmountText("1 234.567,50", DecimalMark::kAuto),
              StatusIs(code, HasSubstr("mixes")));
  EXPECT_THAT(ParseAmountText("12a", DecimalMark::kAuto),
              StatusIs(code, HasSubstr("unexpected character")));
  EXPECT_THAT(ParseAmountText("", DecimalMark::kAuto), StatusIs(code, HasSubstr("empty")));
  EXPECT_THAT(ParseAmountText("1,,5", DecimalMark::kAuto), StatusIs(code, HasSubstr("in a row")));
}

TEST(TextEncodingTest, DetectsAndConverts) {
  EXPECT_TRUE(IsValidUtf8("N\xC3\xA4ra v\xC3\xA5rd"));
  EXPECT_FALSE(IsValidUtf8("N\xE4ra"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));  // a surrogate
  TextEncoding used;
  auto w = ToUtf8("N\xE4ra v\xE5rd \x80", TextEncoding::kAuto, "f.csv", &used);
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(used, TextEncoding::kWindows1252);
  EXPECT_EQ(*w, "N\xC3\xA4ra v\xC3\xA5rd \xE2\x82\xAC");  // 0x80 is the euro sign
  auto l = ToUtf8("\xD6rebro", TextEncoding::kLatin1, "f.csv");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(*l, "\xC3\x96rebro");
  auto bom = ToUtf8("\xEF\xBB\xBFK\xC3\xB6p", TextEncoding::kAuto, "f.csv", &used);
  ASSERT_TRUE(bom.ok());
  EXPECT_EQ(used, TextEncoding::kUtf8);
  EXPECT_EQ(*bom, "K\xC3\xB6p");
  auto pc8 = ToUtf8("\x86\x84\x94", TextEncoding::kCp437, "f.se");
  ASSERT_TRUE(pc8.ok());
  EXPECT_EQ(*pc8, "\xC3\xA5\xC3\xA4\xC3\xB6");  // å ä ö
  EXPECT_THAT(ToUtf8("ok\nN\xE4ra", TextEncoding::kUtf8, "f.csv"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("f.csv:2"), HasSubstr("0xE4"), HasSubstr("--encoding"))));
  EXPECT_THAT(
      ToUtf8("a\nb\n\x81", TextEncoding::kWindows1252, "f.csv"),
      StatusIs(absl::StatusCode::kInvalidArgument, AllOf(HasSubstr("f.csv:3"), HasSubstr("0x81"))));
}

TEST(TextEncodingTest, AFileMixingUtf8AndWindows1252IsRefusedNotGarbled) {
  // A UTF-8 header and one Windows-1252 byte on line 3: read as Windows-1252, the header's
  // "Ä" would become "Ã„"; read as UTF-8, the byte is not a letter. Neither is right.
  EXPECT_THAT(ToUtf8("\xC3\x84ndam\xC3\xA5l\nok\nK\xF6pta\n", TextEncoding::kAuto, "f.csv"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("f.csv:3"), HasSubstr("0xF6"), HasSubstr("mixes UTF-8"),
                             HasSubstr("save the file as UTF-8"))));
  // Given explicitly, the user's choice stands.
  EXPECT_TRUE(ToUtf8("\xC3\x84\nK\xF6pta\n", TextEncoding::kWindows1252, "f.csv").ok());
}

TEST(CsvReaderTest, DetectsEachSeparator) {
  for (const auto& [text, sep] : std::vector<std::pair<std::string, char>>{
           {"a;b;c\n1,5;2;3\n", ';'},
           {"a,b,c\n\"1,5\",2,3\n", ','},
           {"a\tb\tc\n1,5\t2\t3\n", '\t'},
       }) {
    auto t = ReadCsv(text, "f.csv");
    ASSERT_TRUE(t.ok()) << t.status();
    EXPECT_EQ(t->delimiter, sep);
    ASSERT_EQ(t->rows.size(), 1u);
    EXPECT_EQ(t->rows[0].fields, (std::vector<std::string>{"1,5", "2", "3"}));
  }
  CsvReadOptions given;
  given.separator = ',';
  auto t = ReadCsv("a;b,c\nx;y,z\n", "f.csv", given);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->header, (std::vector<std::string>{"a;b", "c"}));
}

TEST(CsvReaderTest, MultiLineQuotedCellsKeepTheirRowsLineNumber) {
  auto t = ReadCsv(
      "\xEF\xBB\xBFtext;amount\r\n\"first\r\nsecond; \"\"quoted\"\"\";1\r\n\r\nnext;2\r\n;;\n",
      "f.csv");
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->rows.size(), 2u);
  EXPECT_EQ(t->rows[0].line, 2);
  EXPECT_EQ(t->rows[0].fields[0], "first\nsecond; \"quoted\"");
  EXPECT_EQ(t->rows[1].line, 5);
  EXPECT_EQ(t->rows[1].fields, (std::vector<std::string>{"next", "2"}));
}

TEST(CsvReaderTest, ErrorsNameTheLineAndTheFix) {
  EXPECT_THAT(ReadCsv("a;b\n1;2\n\"open;3\n4;5\n", "f.csv"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("f.csv:3"), HasSubstr("no closing quote"))));
  EXPECT_THAT(ReadCsv("a;b\n1;2;3\n", "f.csv"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("f.csv:2"), HasSubstr("3 cells but the header has 2"),
                             HasSubstr("quotes"))));
  EXPECT_THAT(ReadCsv("a;b\n\"x\"y;2\n", "f.csv"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("f.csv:2"), HasSubstr("after a closing quote"))));
  EXPECT_TRUE(ReadCsv("a;b\n1;2;;\n", "f.csv").ok());  // trailing empty cells are dropped
}

class ImportFormatsTest : public ::testing::Test {
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
  // The expenses of RS/229/2025 recorded after the samples, as history CSV rows.
  std::string History() {
    const std::string path = dir_.Sub("history.csv");
    Result r =
        Run(absl::StrCat("export --csv history --grant RS/229/2025 --db ", Db(), " --out ", path));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return ReadFileBytes(path);
  }
  TempDir dir_;
};

TEST_F(ImportFormatsTest, Windows1252TabSeparatedWithMultiLineCells) {
  // Windows-1252 bytes: ä = E4, å = E5, Ö = D6; a tab between cells; thousands with a space.
  const std::string file =
      Write("erp-1252.tsv",
            "Bokf\xF6ringsdatum\tVerifikation\tBelopp\tObjekt\tAktivitet\tDivision\t\xC4nd"
            "am\xE5l\tText\r\n"
            "2025-11-03\tW-1\t1 234,50\t9929\tp16\tMed\tMobil verksamhet\t\"Hyra \xD6stersund\r\n"
            "andra raden; \"\"citat\"\"\"\r\n"
            "2025-11-04\tW-2\t2.500,05\t9929\tp7\tHS Kir\tHyrpersonal\tL\xE4kare\r\n");
  Result r = Run(absl::StrCat("import-expenses ", file, " --db ", Db()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("posted 2 events"));
  const std::string history = History();
  EXPECT_THAT(history, HasSubstr("1234,50"));
  EXPECT_THAT(history, HasSubstr("2500,05"));
  // The text arrived as UTF-8, its line break a space (and is quoted in the CSV export for its
  // ';' and quotes).
  EXPECT_THAT(history, HasSubstr("\"Hyra \xC3\x96stersund andra raden; \"\"citat\"\"\""));
  EXPECT_THAT(history, HasSubstr("L\xC3\xA4kare"));
  // The same file again posts nothing new.
  r = Run(absl::StrCat("import-expenses ", file, " --db ", Db()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("posted 0 events, 2 already"));
}

TEST_F(ImportFormatsTest, EachEncodingAndSeparator) {
  struct Case {
    std::string name, bytes, flags;
  };
  const std::vector<Case> cases = {
      {"utf8-bom.csv",
       "\xEF\xBB\xBF"
       "Datum;Verifikation;Belopp;Objekt;Text\n2025-10-01;E-1;1\xC2\xA0"
       "000;9929;"
       "N\xC3\xA4ra\n",
       ""},
      {"utf8.csv",
       "Datum,Verifikation,Belopp,Objekt,Text\n2025-10-01,E-2,\"1 000,00\",9929,N\xC3\xA4ra\n", ""},
      {"latin1.csv", "Datum;Verifikation;Belopp;Objekt;Text\n2025-10-01;E-3;1.000;9929;N\xE4ra\n",
       "--encoding iso-8859-1 --decimal-separator ,"},
      {"cp1252.csv",
       "Datum\tVerifikation\tBelopp\tObjekt\tText\n2025-10-01\tE-4\t1\xA0"
       "000\t9929\tN\xE4ra\n",
       "--encoding windows-1252 --separator tab"},
      {"nnbsp.csv",
       "Datum;Verifikation;Belopp;Objekt;Text\n2025-10-01;E-5;1\xE2\x80\xAF"
       "000,00;9929;N\xC3\xA4ra\n",
       ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Result r =
        Run(absl::StrCat("import-expenses ", Write(c.name, c.bytes), " --db ", Db(), " ", c.flags));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("posted 1 event "));
  }
  const std::string history = History();
  for (const char* voucher : {"E-1", "E-2", "E-3", "E-4", "E-5"}) {
    EXPECT_THAT(history,
                HasSubstr(absl::StrCat(";1000;erp-", voucher, ";", voucher, ";N\xC3\xA4ra")));
  }
}

TEST_F(ImportFormatsTest, ErrorsNameRowColumnAndFixAndWriteNothing) {
  const std::string before = History();
  struct Case {
    std::string bytes, flags;
    std::vector<std::string> expected;
  };
  const std::vector<Case> cases = {
      {"Datum;Verifikation;Belopp;Objekt\n2025-10-01;A-1;100;9929\n2025-10-02;A-2;1 2 3 4;9929\n",
       "",
       {"bad.csv:3", "column 3 (Belopp)", "ambiguous", "groups of three"}},
      {"Datum;Verifikation;Belopp;Objekt\n2025-10-02;A-2;1.234;9929\n",
       "",
       {"bad.csv:2", "column 3 (Belopp)", "--decimal-separator"}},
      {"Datum;Verifikation;Belopp;Objekt\n2025-13-02;A-2;1;9929\n", "", {"bad.csv:2", "column 1"}},
      {"Datum;Verifikation;Belopp;Objekt\n2025-10-02;A-2;1;9929\n",
       "--encoding ebcdic",
       {"--encoding"}},
      {"Datum;Verifikation;Belopp;Objekt\n2025-10-02;A-2;1;9929;extra\n",
       "",
       {"bad.csv:2", "5 cells but the header has 4"}},
      {"Datum;Verifikation;Belopp;Objekt\n2025-10-02;A-\x81;1;9929\n",
       "--encoding windows-1252",
       {"bad.csv:2", "0x81", "Windows-1252"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.bytes);
    Result r = Run(
        absl::StrCat("import-expenses ", Write("bad.csv", c.bytes), " --db ", Db(), " ", c.flags));
    EXPECT_NE(r.exit_code, 0);
    for (const std::string& e : c.expected) EXPECT_THAT(r.err, HasSubstr(e));
  }
  EXPECT_EQ(History(), before);
}

}  // namespace
}  // namespace grantledger
