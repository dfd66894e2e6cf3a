// Reports as files, read back as a coordinator's spreadsheet would: CSV through Python's csv
// module (';', the excel dialect) and XLSX through openpyxl. Every row has the header's field
// count; every amount is a number equal to the ledger's figure to the öre.
#include <sys/wait.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cli/csv_writer.h"
#include "cli/report_sheet.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "grantledger/v1/query_service.pb.h"
#include "grantledger/v1/year_end_service.pb.h"
#include "gtest/gtest.h"
#include "tests/test_support.h"

namespace grantledger {
namespace {

using ::grantledger::testing::ReadFileBytes;
using ::grantledger::testing::TempDir;
using ::testing::HasSubstr;

using Result = ::grantledger::testing::CliResult;

// Debian's python3 (python3-openpyxl is a Debian package; a python3 earlier on PATH may not
// have it).
std::string Python() {
  return std::ifstream("/usr/bin/python3").good() ? "/usr/bin/python3" : "python3";
}

class ReportFilesTest : public ::testing::Test {
 protected:
  Result Shell(const std::string& command_line) {
    const std::string out = dir_.Sub("stdout"), err = dir_.Sub("stderr");
    const std::string command = absl::StrCat(command_line, " > ", out, " 2> ", err, " < /dev/null");
    const int status = std::system(command.c_str());
    Result r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = ReadFileBytes(out);
    r.err = ReadFileBytes(err);
    return r;
  }
  Result Run(const std::string& args) {
    return Shell(absl::StrCat(GRANTLEDGER_BINARY_DIR, "/cli/grantledger ", args));
  }
  std::string Db() const { return dir_.Sub("data"); }
  std::string Out(const std::string& name) const { return dir_.Sub(name); }
  void PostSamples() {
    Result r = Run(
        absl::StrCat("post ", GRANTLEDGER_SOURCE_DIR, "/examples/sample-grants.jsonl --db ", Db()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  void Post(const std::string& jsonl) {
    const std::string path = dir_.Sub("extra.jsonl");
    std::ofstream(path, std::ios::binary) << jsonl;
    Result r = Run(absl::StrCat("post ", path, " --db ", Db()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  // Every record of a CSV file as Python's csv module reads it. `bom` says whether it had one.
  std::vector<std::vector<std::string>> ReadCsv(const std::string& path, bool* bom) {
    Result r =
        Shell(absl::StrCat(Python(), " ", GRANTLEDGER_SOURCE_DIR, "/tests/read_csv.py ", path));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> lines = absl::StrSplit(r.out, '\n', absl::SkipEmpty());
    if (lines.empty()) return rows;
    *bom = lines[0] == "BOM";
    for (size_t i = 1; i < lines.size(); ++i) {
      google::protobuf::ListValue list;
      EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(lines[i], &list).ok()) << lines[i];
      std::vector<std::string> row;
      for (const auto& v : list.values()) row.push_back(v.string_value());
      rows.push_back(row);
    }
    return rows;
  }

  // Every sheet and non-empty cell of an XLSX file as openpyxl reads it.
  std::vector<google::protobuf::Struct> ReadXlsx(const std::string& path) {
    Result r =
        Shell(absl::StrCat(Python(), " ", GRANTLEDGER_SOURCE_DIR, "/tests/read_xlsx.py ", path));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<google::protobuf::Struct> out;
    for (absl::string_view line : absl::StrSplit(r.out, '\n', absl::SkipEmpty())) {
      google::protobuf::Struct s;
      EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(std::string(line), &s).ok()) << line;
      out.push_back(s);
    }
    return out;
  }

  TempDir dir_;
};

std::string Str(const google::protobuf::Struct& s, const char* key) {
  auto it = s.fields().find(key);
  return it == s.fields().end() ? "" : it->second.string_value();
}
double Num(const google::protobuf::Struct& s, const char* key) {
  auto it = s.fields().find(key);
  return it == s.fields().end() ? -1 : it->second.number_value();
}

// The amount in öre of the number cell at (row, col), or -1.
int64_t AmountAt(const std::vector<google::protobuf::Struct>& cells, const std::string& sheet,
                 int row, int col) {
  for (const auto& c : cells) {
    if (Str(c, "sheet") == sheet && Num(c, "row") == row && Num(c, "col") == col &&
        Str(c, "type") == "n")
      return std::llround(Num(c, "value") * 100);
  }
  return -1;
}
// The row whose first column reads `label`, or -1.
int RowOf(const std::vector<google::protobuf::Struct>& cells, const std::string& label) {
  for (const auto& c : cells) {
    if (Num(c, "col") == 1 && Str(c, "value") == label) return static_cast<int>(Num(c, "row"));
  }
  return -1;
}

TEST(CsvWriterTest, QuotesExactlyWhatNeedsQuoting) {
  EXPECT_EQ(CsvField("HS Kir"), "HS Kir");
  EXPECT_EQ(CsvField("a;b"), "\"a;b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvField("cr\rhere"), "\"cr\rhere\"");
  EXPECT_EQ(CsvField(" lead"), "\" lead\"");
  EXPECT_EQ(CsvField("trail "), "\"trail \"");
  EXPECT_EQ(CsvField("1,5"), "1,5");  // a decimal comma needs no quotes with ';'
  EXPECT_EQ(CsvAmount(123456), "1234,56");
  EXPECT_EQ(CsvAmount(-5), "-0,05");
  EXPECT_EQ(CsvAmount(-300000), "-3000");
  EXPECT_EQ(CsvAmount(0), "0");
  EXPECT_EQ(CsvAmount(10), "0,10");
}

TEST(CsvWriterTest, SafeSheetNamesFitExcel) {
  EXPECT_EQ(SafeSheetName("RS/285/2019"), "RS-285-2019");
  EXPECT_EQ(SafeSheetName("a[b]c:d*e?f\\g"), "a-b-c-d-e-f-g");
  EXPECT_EQ(SafeSheetName("'quoted'"), "quoted");
  EXPECT_EQ(SafeSheetName(""), "Sheet1");
  const std::string long_name = SafeSheetName("Redovisning Nationella minoriteter och språk");
  EXPECT_EQ(long_name, "Redovisning Nationella minorite");  // 31 characters
}

TEST_F(ReportFilesTest, PythonReadsEveryFieldTheWriterWrote) {
  const std::string path = Out("w.csv");
  const std::vector<std::vector<std::string>> written = {
      {"text", "amount", "note", "date"},
      {"a;b", CsvAmount(123456), "say \"hi\"", "2025-12-31"},
      {"two\nlines", CsvAmount(-5), " lead and trail ", ""},
      {"crlf\r\ninside", CsvAmount(0), "Nära vård", "2019-01-01"},
  };
  {
    std::ofstream out(path, std::ios::binary);
    CsvWriter writer(out);
    for (const auto& row : written) writer.Row(row);
    EXPECT_EQ(writer.rows(), 4u);
  }
  bool bom = false;
  const auto rows = ReadCsv(path, &bom);
  EXPECT_TRUE(bom);
  ASSERT_EQ(rows.size(), written.size());
  for (size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(rows[i], written[i]) << "row " << i;
  EXPECT_EQ(rows[1][1], "1234,56");
}

// The regression: `export --csv balances` wrote ',' with unquoted decimal commas (8 fields
// in a row of 6) and never quoted free text.
TEST_F(ReportFilesTest, ExportCsvBalancesHasTheHeadersFieldCountInEveryRow) {
  PostSamples();
  // A grant of its own, with öre, and names holding ';' and '"'.
  Post(
      R"({"event_id":"q-reg","grant_id":"RS/1/2025","effective_date":"2025-01-10","source":"t","grant_registered":{"title":"Test; \"citat\"","grantor":"Socialstyrelsen","decided_amount_ore":"1000000","usage_period_start":"2025-01-01","usage_period_end":"2025-12-31","repayment_deadline":"2026-03-31","cost_object":"1111","kind":"GRANT_KIND_FIXED","year":"2025"}})"
      "\n"
      R"({"event_id":"q-alloc","grant_id":"RS/1/2025","effective_date":"2025-06-01","source":"t","allocation":{"amount_ore":"123456","activity":"p;x","division":"Med \"akut\""}})"
      "\n"
      R"({"event_id":"q-spend","grant_id":"RS/1/2025","effective_date":"2025-06-02","source":"t","expense":{"amount_ore":"100005","activity":"p;x","division":"Med \"akut\"","text":"hyra; \"lokal\""}})"
      "\n");
  const std::string path = Out("balances.csv");
  Result r = Run(absl::StrCat("export --csv balances --db ", Db(), " --out ", path));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  bool bom = false;
  const auto rows = ReadCsv(path, &bom);
  EXPECT_TRUE(bom);
  ASSERT_GT(rows.size(), 20u);
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("exported ", rows.size() - 1, " rows to ", path)));
  EXPECT_EQ(rows[0], (std::vector<std::string>{"grant_id", "activity", "division", "allocated_kr",
                                               "spent_kr", "remaining_kr"}));
  bool found = false;
  for (const auto& row : rows) {
    ASSERT_EQ(row.size(), 6u) << absl::StrJoin(row, "|");
    if (row[1] == "p;x") {
      found = true;
      EXPECT_EQ(row[2], "Med \"akut\"");
      EXPECT_EQ(row[3], "1234,56");
      EXPECT_EQ(row[4], "1000,05");
      EXPECT_EQ(row[5], "234,51");
    }
  }
  EXPECT_TRUE(found);

  const std::string history = Out("history.csv");
  r = Run(absl::StrCat("export --csv history --grant RS/1/2025 --db ", Db(), " --out ", history));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto events = ReadCsv(history, &bom);
  ASSERT_GT(events.size(), 2u);
  for (const auto& row : events) ASSERT_EQ(row.size(), events[0].size());
  EXPECT_EQ(events.back()[5], "1000,05");
  EXPECT_EQ(events.back()[8], "hyra; \"lokal\"");
}

TEST_F(ReportFilesTest, AccountXlsxGivesTheLedgersFiguresInTheGrantorsLayout) {
  PostSamples();
  const std::string path = Out("account.xlsx");
  Result r = Run(absl::StrCat("account RS/285/2019 --as-of 2019-12-31 --db ", Db(),
                              " --format xlsx --out ", path,
                              " --org 'Region Jämtland Härjedalen' --org-number 232100-0218"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("wrote " + path));
  const auto cells = ReadXlsx(path);
  ASSERT_FALSE(cells.empty());
  const std::string sheet = Str(cells[0], "sheet");
  EXPECT_EQ(sheet, "Redovisning RS-285-2019");
  EXPECT_FALSE(Str(cells[0], "freeze").empty());
  auto text_right_of = [&](const std::string& label) {
    const int row = RowOf(cells, label);
    for (const auto& c : cells)
      if (Num(c, "row") == row && Num(c, "col") == 2) return Str(c, "value");
    return std::string();
  };
  EXPECT_EQ(text_right_of("Organisation"), "Region Jämtland Härjedalen");
  EXPECT_EQ(text_right_of("Organisationsnummer"), "232100-0218");
  EXPECT_EQ(text_right_of("Bidragsgivare"), "Sametinget");
  EXPECT_EQ(text_right_of("Diarienummer"), "RS/285/2019");
  EXPECT_EQ(text_right_of("Användningsperiod"), "2019-01-01");  // a real date
  EXPECT_EQ(AmountAt(cells, sheet, RowOf(cells, "Erhållet bidrag"), 4), 25'000'000);
  EXPECT_EQ(AmountAt(cells, sheet, RowOf(cells, "Summa använt"), 4), 23'405'400);
  EXPECT_EQ(AmountAt(cells, sheet, RowOf(cells, "Ej använt"), 4), 1'594'600);
  EXPECT_GT(RowOf(cells, "Behörig företrädare"), RowOf(cells, "Ej använt"));
  EXPECT_GT(RowOf(cells, "Revisor"), RowOf(cells, "Behörig företrädare"));

  // Every purpose and cost-group line equals the ledger's figure (the JSON, in öre).
  Result json = Run(absl::StrCat("account RS/285/2019 --as-of 2019-12-31 --json --db ", Db()));
  ASSERT_EQ(json.exit_code, 0) << json.err;
  v1::FinancialAccountResponse account;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json.out, &account).ok()) << json.out;
  ASSERT_GT(account.lines_size(), 2);
  int matched = 0;
  std::map<std::string, int64_t> per_group;
  for (const v1::PurposeSpending& line : account.lines()) {
    const std::string& purpose = line.purpose();
    const std::string& group = line.cost_group();
    const int64_t amount = line.spent_ore();
    per_group[group] += amount;
    for (const auto& c : cells) {
      if (Str(c, "value") != "Använt per ändamål" || Num(c, "col") != 1) continue;
      const int row = static_cast<int>(Num(c, "row"));
      std::string p, g;
      for (const auto& d : cells) {
        if (Num(d, "row") != row) continue;
        if (Num(d, "col") == 2) p = Str(d, "value");
        if (Num(d, "col") == 3) g = Str(d, "value");
      }
      if (p == (purpose.empty() ? "(utan)" : purpose) && g == (group.empty() ? "(utan)" : group)) {
        EXPECT_EQ(AmountAt(cells, sheet, row, 4), amount) << purpose << " / " << group;
        ++matched;
      }
    }
  }
  EXPECT_EQ(matched, account.lines_size());
  for (const auto& [group, amount] : per_group) {
    bool seen = false;
    for (const auto& c : cells) {
      if (Str(c, "value") != "Använt per kostnadsgrupp") continue;
      const int row = static_cast<int>(Num(c, "row"));
      for (const auto& d : cells) {
        if (Num(d, "row") == row && Num(d, "col") == 3 &&
            Str(d, "value") == (group.empty() ? "(utan)" : group)) {
          EXPECT_EQ(AmountAt(cells, sheet, row, 4), amount) << group;
          seen = true;
        }
      }
    }
    EXPECT_TRUE(seen) << group;
  }
  // Every amount cell is a number with a krona format.
  for (const auto& c : cells) {
    if (Num(c, "col") == 4 && Num(c, "row") > RowOf(cells, "Post")) {
      EXPECT_EQ(Str(c, "type"), "n") << Str(c, "cell");
      EXPECT_THAT(Str(c, "format"), HasSubstr("kr")) << Str(c, "cell");
    }
  }
}

TEST_F(ReportFilesTest, EveryReportWritesCsvAndXlsxWithTheSameFigures) {
  PostSamples();
  for (const std::string& command :
       {std::string("grants --as-of 2025-12-31"),
        std::string("balance RS/229/2025 --as-of 2025-12-31"),
        std::string("obligations --as-of 2026-03-10"), std::string("overview --year 2020"),
        std::string("account RS/285/2019 --as-of 2019-12-31")}) {
    SCOPED_TRACE(command);
    const std::string csv = Out("r.csv"), xlsx = Out("r.xlsx");
    Result r = Run(absl::StrCat(command, " --db ", Db(), " --format csv --out ", csv));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    bool bom = false;
    const auto rows = ReadCsv(csv, &bom);
    EXPECT_TRUE(bom);
    ASSERT_GE(rows.size(), 2u);
    for (const auto& row : rows) EXPECT_EQ(row.size(), rows[0].size());
    r = Run(absl::StrCat(command, " --db ", Db(), " --format xlsx --out ", xlsx));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto cells = ReadXlsx(xlsx);
    ASSERT_FALSE(cells.empty());
    for (const auto& c : cells) {
      if (!c.fields().contains("cell")) {
        EXPECT_LE(Str(c, "sheet").size(), 31u * 2);
        EXPECT_EQ(Str(c, "sheet").find('/'), std::string::npos);
        continue;
      }
      if (Str(c, "format").find("kr") != std::string::npos) {
        EXPECT_EQ(Str(c, "type"), "n");
      }
    }
  }
  // The grant list: each decided amount in the workbook equals the JSON's öre.
  Result json = Run(absl::StrCat("grants --as-of 2025-12-31 --json --db ", Db()));
  ASSERT_EQ(json.exit_code, 0);
  v1::ListGrantsResponse grants;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json.out, &grants).ok()) << json.out;
  Result x = Run(absl::StrCat("grants --as-of 2025-12-31 --db ", Db(), " --format xlsx --out ",
                              Out("g.xlsx")));
  ASSERT_EQ(x.exit_code, 0) << x.err;
  const auto cells = ReadXlsx(Out("g.xlsx"));
  ASSERT_EQ(grants.grants_size(), 7);
  for (int i = 0; i < grants.grants_size(); ++i) {
    const v1::GrantBalance& b = grants.grants(i).balance();
    EXPECT_EQ(AmountAt(cells, "Grants", i + 2, 6), b.decided_ore());
    EXPECT_EQ(AmountAt(cells, "Grants", i + 2, 11), b.remaining_ore());
  }
}

TEST_F(ReportFilesTest, XlsxNeedsAnOutputFile) {
  PostSamples();
  Result r = Run(absl::StrCat("grants --db ", Db(), " --format xlsx"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--out"));
}

}  // namespace
}  // namespace grantledger
