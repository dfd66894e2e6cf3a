// Issue 13's input-validation holes through the built `grantledger` binary: a Windows-1252 CSV
// is refused (exit 2, nothing written, verify intact) with --db and with --server alike, each
// with a message naming file:line, the field and the fix; a row with more fields than the
// header is refused telling the user to quote the text; the entitle commands' --format csv
// help names the columns they write.
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/grpc_test_support.h"
#include "tests/test_support.h"

namespace grantledger {
namespace {

using ::grantledger::testing::RunCli;
using ::grantledger::testing::TempDir;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

using Result = ::grantledger::testing::CliResult;

// The example export with its first row's cost group saved as Windows-1252 ("K\xf6pta").
constexpr char kWindows1252Csv[] =
    "Bokf\xf6ringsdatum;Verifikation;Belopp;Objekt;Aktivitet;Division;\xc4ndam\xe5l;"
    "Kostnadsgrupp;Text\n"
    "2025-12-31;B2026-0101;125 000,00;9929;p7;HS Kir;Hyrpersonal;K\xf6pta tj\xe4nster;Faktura\n";
// The same header in UTF-8, with the Windows-1252 byte only in a cell.
constexpr char kUtf8HeaderCsv[] =
    "Bokföringsdatum;Verifikation;Belopp;Objekt;Aktivitet;Division;Ändamål;Kostnadsgrupp;Text\n"
    "2025-12-31;B2026-0101;125 000,00;9929;p7;HS Kir;Hyrpersonal;Köpta tjänster;Faktura\n"
    "2025-12-31;B2026-0102;1 000,00;9929;p7;HS Kir;Hyrpersonal;K\xf6pta tj\xe4nster;Faktura\n";

class CliInputValidationTest : public ::testing::Test {
 protected:
  Result Run(const std::string& args) { return RunCli(dir_, args); }
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_.Sub(name);
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  std::string Db() const { return dir_.Sub("data"); }
  std::string Samples() const {
    return absl::StrCat(GRANTLEDGER_SOURCE_DIR, "/examples/sample-grants.jsonl");
  }

  TempDir dir_;
};

TEST_F(CliInputValidationTest, AMixedEncodingCsvIsRefusedWithDbAndAWindows1252OneConverted) {
  ASSERT_EQ(Run(absl::StrCat("post ", Samples(), " --db ", Db())).exit_code, 0);
  const std::string before = Run("verify --db " + Db()).out;
  const std::string file = Write("erp-1252.csv", kUtf8HeaderCsv);
  Result r = Run(absl::StrCat("import-expenses ", file, " --db ", Db()));
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  // The file mixes UTF-8 (its header) with a Windows-1252 byte: no conversion is right.
  EXPECT_THAT(r.err, AllOf(HasSubstr(file + ":3"), HasSubstr("0xF6"), HasSubstr("not UTF-8"),
                           HasSubstr("save the file as UTF-8")));
  Result verify = Run("verify --db " + Db());
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_EQ(verify.out, before);
  EXPECT_EQ(Run(absl::StrCat("export --db ", Db(), " --out ", dir_.Sub("x.jsonl"))).exit_code, 0);
  EXPECT_EQ(Run("replay --db " + Db()).exit_code, 0);

  // A file wholly in Windows-1252 is converted (issue 16), so what reaches the log is UTF-8.
  Result whole =
      Run(absl::StrCat("import-expenses ", Write("all-1252.csv", kWindows1252Csv), " --db ", Db()));
  EXPECT_EQ(whole.exit_code, 0) << whole.out << whole.err;
  Result history = Run("history RS/229/2025 --json --db " + Db());
  EXPECT_THAT(history.out, HasSubstr("Köpta tjänster"));
  EXPECT_EQ(Run("verify --db " + Db()).exit_code, 0);
  EXPECT_EQ(Run("replay --db " + Db()).exit_code, 0);
}

TEST_F(CliInputValidationTest, AMixedEncodingCsvIsRefusedThroughTheServerWithAUsefulMessage) {
  testing::TestServer server;
  const std::string at = " --server " + server.address();
  ASSERT_EQ(Run(absl::StrCat("post ", Samples(), at)).exit_code, 0);
  const uint64_t head = server.store().Head().sequence;
  const std::string file = Write("erp-1252.csv", kUtf8HeaderCsv);
  Result r = Run(absl::StrCat("import-expenses ", file, at));
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_THAT(r.err, AllOf(HasSubstr(file + ":3"), HasSubstr("not UTF-8")));
  EXPECT_EQ(server.store().Head().sequence, head);
}

TEST_F(CliInputValidationTest, ARowWithMoreFieldsThanTheHeaderIsRefusedNamingTheRow) {
  ASSERT_EQ(Run(absl::StrCat("post ", Samples(), " --db ", Db())).exit_code, 0);
  const std::string before = Run("verify --db " + Db()).out;
  const std::string file = Write(
      "shifted.csv",
      "Bokföringsdatum;Verifikation;Belopp;Objekt;Aktivitet;Division;Ändamål;Kostnadsgrupp;Text\n"
      "2025-12-31;B2026-0101;125 000,00;9929;p7;HS Kir;Hyrpersonal;Köpta tjänster;Faktura\n"
      "2025-12-31;B2026-0102;1 000,00;9929;p7;HS Kir;Hyr; lokal;Köpta tjänster;Faktura\n");
  Result r = Run(absl::StrCat("import-expenses ", file, " --db ", Db()));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_THAT(r.err, AllOf(HasSubstr(file + ":3"), HasSubstr("10 cells"), HasSubstr("header has 9"),
                           HasSubstr("must be in quotes")));
  EXPECT_EQ(Run("verify --db " + Db()).out, before);
}

TEST_F(CliInputValidationTest, AnExpenseOnAnUnknownLineIsRefusedListingTheLines) {
  ASSERT_EQ(Run(absl::StrCat("post ", Samples(), " --db ", Db())).exit_code, 0);
  const std::string file = Write(
      "typo.csv",
      "Bokföringsdatum;Verifikation;Belopp;Objekt;Aktivitet;Division;Ändamål;Kostnadsgrupp;Text\n"
      "2025-12-31;B2026-0101;125 000,00;9929;p71;HS Kir;Hyrpersonal;Köpta tjänster;Faktura\n");
  Result r = Run(absl::StrCat("import-expenses ", file, " --db ", Db()));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_THAT(r.err, AllOf(HasSubstr(file + ":2"),
                           HasSubstr("grant RS/229/2025 has no activity line p71/HS Kir"),
                           HasSubstr("p7/HS Kir")));
}

TEST_F(CliInputValidationTest, EntitleCsvHelpNamesTheColumnsWritten) {
  Result unit = Run("entitle per-unit --help");
  EXPECT_THAT(unit.out, AllOf(HasSubstr("units_paid"), HasSubstr("unit_rule"),
                              Not(HasSubstr("csv (name,amount_kr)"))));
  Result pots = Run("entitle monthly-pots --help");
  EXPECT_THAT(pots.out, AllOf(HasSubstr("<criterion>_kr"), HasSubstr("bonus_kr"),
                              Not(HasSubstr("csv (name,amount_kr)"))));
  Result share = Run("entitle population-share --help");
  EXPECT_THAT(share.out, HasSubstr("csv (name,amount_kr)"));
}

}  // namespace
}  // namespace grantledger
