// Tests for the entitlement models' CSV inputs (ledger/entitlement_csv.h): the accepted forms
// (thousands separators, semicolons, quotes, decimal commas) and the rejections, each naming
// file:line and the field.
#include "ledger/entitlement_csv.h"

#include <cstdio>
#include <fstream>

#include "gtest/gtest.h"

namespace grantledger {
namespace {

// Asserts an InvalidArgument whose message contains every piece.
void ExpectRejected(const absl::Status& status, std::vector<std::string> pieces) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  for (const std::string& piece : pieces) {
    EXPECT_NE(status.message().find(piece), std::string::npos)
        << "missing \"" << piece << "\" in: " << status.message();
  }
}

TEST(EntitlementCsvTest, WeightsWithThousandsSeparatorsAndQuotes) {
  absl::StatusOr<std::vector<WeightedRecipient>> w = ParseWeightsCsv(
      "\xEF\xBB\xBFRegion,Befolkning,Anteckning\r\n"
      "Stockholm,2 455 914\r\n"
      "\r\n"
      "\"Västra Götaland\",\"1 767 641\"\r\n"
      "Jämtland,132\xC2\xA0"
      "466,extra column ignored\r\n",
      "bilaga2.csv");
  ASSERT_TRUE(w.ok()) << w.status();
  ASSERT_EQ(w->size(), 3u);
  EXPECT_EQ((*w)[0].name, "Stockholm");
  EXPECT_EQ((*w)[0].weight, 2455914);
  EXPECT_EQ((*w)[1].name, "Västra Götaland");
  EXPECT_EQ((*w)[1].weight, 1767641);
  EXPECT_EQ((*w)[2].weight, 132466);
}

TEST(EntitlementCsvTest, SemicolonDelimiterAndDecimalComma) {
  absl::StatusOr<CsvTable> t = ParseCsv("a;b\n1,5;x\n", "f.csv");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->delimiter, ';');
  EXPECT_EQ(t->rows[0].fields, (std::vector<std::string>{"1,5", "x"}));
  EXPECT_EQ(t->rows[0].line, 2);
  EXPECT_EQ(*ParseMeasuredValueMillionths("6,4", "value"), 6'400'000);
  EXPECT_EQ(*ParseMeasuredValueMillionths("6.4", "value"), 6'400'000);
  EXPECT_EQ(*ParseMeasuredValueMillionths("0.000001", "value"), 1);
  EXPECT_EQ(*ParseMeasuredValueMillionths("12", "value"), 12'000'000);
  EXPECT_FALSE(ParseMeasuredValueMillionths("0.0000001", "value").ok());
  EXPECT_FALSE(ParseMeasuredValueMillionths("6,4,1", "value").ok());
  EXPECT_FALSE(ParseMeasuredValueMillionths("1e3", "value").ok());
  EXPECT_FALSE(ParseMeasuredValueMillionths("6.", "value").ok());
  EXPECT_EQ(FormatMeasuredValue(6'400'000), "6.4");
}

TEST(EntitlementCsvTest, WeightsRejections) {
  ExpectRejected(ParseWeightsCsv("", "w.csv").status(), {"w.csv", "empty"});
  ExpectRejected(ParseWeightsCsv("\n  \n", "w.csv").status(), {"w.csv", "empty"});
  ExpectRejected(ParseWeightsCsv("name,weight\n", "w.csv").status(), {"w.csv", "no data rows"});
  ExpectRejected(ParseWeightsCsv("name,weight\nA,10\nB,-3\n", "w.csv").status(),
                 {"w.csv:3", "\"weight\"", "negative", "write zero or more"});
  ExpectRejected(ParseWeightsCsv("name,weight\nA,10\nB,many\n", "w.csv").status(),
                 {"w.csv:3", "\"weight\"", "\"many\"", "write a whole number like 132 466"});
  ExpectRejected(ParseWeightsCsv("name,weight\nA,10\n\nA,3\n", "w.csv").status(),
                 {"w.csv:4", "\"name\"", "already appears on line 2"});
  ExpectRejected(ParseWeightsCsv("name,weight\nA,10\nTotalt,10\n", "w.csv").status(),
                 {"w.csv:3", "total row"});
  ExpectRejected(ParseWeightsCsv("name,weight\nA,0\nB,0\n", "w.csv").status(),
                 {"w.csv", "all weights are zero"});
  ExpectRejected(ParseWeightsCsv("name,weight\nA\n", "w.csv").status(), {"w.csv:2", "missing"});
  ExpectRejected(ParseWeightsCsv("name,weight\n,5\n", "w.csv").status(),
                 {"w.csv:2", "\"name\" is empty"});
  ExpectRejected(ParseWeightsCsv("name,weight\n\"A,5\n", "w.csv").status(),
                 {"w.csv:2", "closing quote"});
  ExpectRejected(ParseWeightsCsv("name,weight\nA,1.5\n", "w.csv").status(),
                 {"w.csv:2", "not a whole number"});
}

TEST(EntitlementCsvTest, PerUnitCsv) {
  absl::StatusOr<PerUnitCsv> p = ParsePerUnitCsv(
      "category,rate_kr,actual_2025,2022,2023,2024\n"
      "Höftledsprotes,108 000,230,180,190,200\n"
      "Framfall,39 000,80,60,62,65\n",
      "ops.csv");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->reference_labels, (std::vector<std::string>{"2022", "2023", "2024"}));
  ASSERT_EQ(p->categories.size(), 2u);
  EXPECT_EQ(p->categories[0].rate_kr, 108000);
  EXPECT_EQ(p->categories[0].actual_count, 230);
  EXPECT_EQ(p->categories[1].reference_counts, (std::vector<int64_t>{60, 62, 65}));

  ExpectRejected(ParsePerUnitCsv("category,rate_kr,actual\nA,1,2\n", "ops.csv").status(),
                 {"ops.csv:1", "at least four columns"});
  ExpectRejected(
      ParsePerUnitCsv("category,rate_kr,actual,2022,2023\nA,1,2,3\n", "ops.csv").status(),
      {"ops.csv:2", "4 fields but the header has 5"});
  ExpectRejected(
      ParsePerUnitCsv("category,rate_kr,actual,2022,2023\nA,1,2,3,-4\n", "ops.csv").status(),
      {"ops.csv:2", "\"2023\"", "negative"});
  ExpectRejected(ParsePerUnitCsv("category,rate_kr,actual,2022\nA,1,x,3\n", "ops.csv").status(),
                 {"ops.csv:2", "\"actual\"", "\"x\""});
  ExpectRejected(
      ParsePerUnitCsv("category,rate_kr,actual,2022\nA,1,2,3\nA,1,2,3\n", "ops.csv").status(),
      {"ops.csv:3", "\"category\"", "already appears on line 2"});
  ExpectRejected(ParsePerUnitCsv("", "ops.csv").status(), {"ops.csv", "empty"});
}

std::vector<WeightedRecipient> Population() { return {{"A", 1}, {"B", 2}, {"Jämtland", 3}}; }

TEST(EntitlementCsvTest, MonthlyValuesCsv) {
  const MonthlyPeriod period{2024, 2, 10};
  absl::StatusOr<MonthlyValuesCsv> v = ParseMonthlyValuesCsv(
      "region;criterion;year;month;value\n"
      "Jämtland;overbelaggningar;2024;2;6,4\n"
      "Jämtland;overbelaggningar;2023;2;7\n"
      "A;utlokaliseringar;2024;10;\n"
      "B;utlokaliseringar;2024;03;0,125\n",
      "values.csv", period, Population(), {});
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->criteria, (std::vector<std::string>{"overbelaggningar", "utlokaliseringar"}));
  ASSERT_EQ(v->observations.size(), 3u);
  EXPECT_EQ(v->rows_without_value, 1);
  EXPECT_EQ(v->observations[0].value_millionths, 6'400'000);
  EXPECT_EQ(v->observations[2].month, 3);
  EXPECT_EQ(v->observations[2].value_millionths, 125'000);
}

TEST(EntitlementCsvTest, MonthlyValuesRejections) {
  const MonthlyPeriod period{2024, 2, 10};
  const std::string header = "region,criterion,year,month,value\n";
  auto parse = [&](const std::string& body, std::vector<std::string> criteria = {}) {
    return ParseMonthlyValuesCsv(header + body, "v.csv", period, Population(), criteria).status();
  };
  ExpectRejected(parse("A,x,2024,11,1\n"),
                 {"v.csv:2", "\"month\" is 11", "outside the period", "from 2 to 10"});
  ExpectRejected(parse("A,x,2024,1,1\n"), {"v.csv:2", "\"month\""});
  ExpectRejected(parse("A,x,2022,2,1\n"), {"v.csv:2", "\"year\" is 2022", "write 2024"});
  ExpectRejected(parse("A,x,2024,2,1\nC,x,2024,2,1\n"),
                 {"v.csv:3", "\"region\" is \"C\"", "not in the population"});
  ExpectRejected(parse("A,x,2024,2,1\nA,x,2024,2,2\n"), {"v.csv:3", "already appears on line 2"});
  ExpectRejected(parse("A,x,2024,2,-1\n"), {"v.csv:2", "\"value\"", "negative"});
  ExpectRejected(parse("A,x,2024,2,abc\n"), {"v.csv:2", "\"value\" is \"abc\"", "not a number"});
  ExpectRejected(parse("A,x,2024,feb,1\n"), {"v.csv:2", "\"month\" is \"feb\""});
  ExpectRejected(parse("A,y,2024,2,1\n", {"x"}), {"v.csv:2", "\"criterion\" is \"y\"", "x"});
  ExpectRejected(parse("A,x,2024\n"), {"v.csv:2", "3 fields"});
  ExpectRejected(parse(""), {"v.csv", "no data rows"});
}

TEST(EntitlementCsvTest, ReadsFiles) {
  const std::string path = ::testing::TempDir() + "/entitlement_csv_test_weights.csv";
  {
    std::ofstream out(path);
    out << "name,weight\nA,1\nB,3\n";
  }
  absl::StatusOr<std::vector<WeightedRecipient>> w = ReadWeightsCsv(path);
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->size(), 2u);
  std::remove(path.c_str());
  EXPECT_EQ(ReadWeightsCsv(path).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace grantledger
