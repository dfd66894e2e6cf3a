// The dashboard's HTTP side (services/http/) against a real grantledgerd's parts: a real store
// with the sample grants posted over gRPC, the HTTP server on loopback, cpp-httplib's client.
// Its JSON must equal the command line's `--json` for the same as-of point, its downloads the
// command line's CSV; it only reads; it refuses to listen off loopback without mutual TLS and
// then checks each client certificate's role; /metrics passes `promtool check metrics`.
#include <httplib.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "cli/messages.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "grantledger/v1/dashboard.pb.h"
#include "gtest/gtest.h"
#include "ledger/store/event_store.h"
#include "services/http/http_server.h"
#include "services/server_metrics.h"
#include "tests/grpc_test_support.h"
#include "tests/test_support.h"

namespace grantledger::testing {
namespace {

using ::grantledger::testing::ReadFileBytes;

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// Runs a command; its exit code and standard output (standard error goes to `err`).
int RunCommand(const std::string& command, const TempDir& dir, std::string* out,
               std::string* err = nullptr) {
  const std::string out_path = dir.Sub("cmd.out"), err_path = dir.Sub("cmd.err");
  const int status =
      std::system(absl::StrCat(command, " > ", out_path, " 2> ", err_path, " < /dev/null").c_str());
  if (out) *out = ReadFileBytes(out_path);
  if (err) *err = ReadFileBytes(err_path);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// `json` read as the message it is printed from (cli/json_output.h): a field that is not in
// the message fails the test.
template <typename Message>
Message Parse(const std::string& json) {
  Message message;
  auto status = google::protobuf::util::JsonStringToMessage(json, &message);
  EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << json;
  return message;
}

bool Same(const google::protobuf::Message& a, const google::protobuf::Message& b) {
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

// A fresh ledger in `dir`, told to `observer` (if any).
std::unique_ptr<EventStore> OpenStore(const TempDir& dir, StoreObserver* observer = nullptr) {
  EventStoreOptions options;
  options.path = dir.Sub("data");
  options.observer = observer;
  auto store = EventStore::Open(options);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

class HttpTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    server_ = new TestServer();
    const std::string samples =
        absl::StrCat(GRANTLEDGER_SOURCE_DIR, "/examples/sample-grants.jsonl");
    std::string out;
    ASSERT_EQ(Cli("post " + samples, &out), 0) << out;
    HttpOptions options;
    options.listen_address = "127.0.0.1:0";
    language_ = CurrentLanguage();
    auto http = HttpServer::Start(server_->store(), options);
    ASSERT_TRUE(http.ok()) << http.status();
    http_ = http->release();
  }
  static void TearDownTestSuite() {
    // The dashboard speaks Swedish, process-wide (cli/messages.h): restore the other tests'.
    SetLanguage(language_);
    delete http_;
    delete server_;
    delete dir_;
  }

  // `grantledger ARGS --server ...`: its exit code; its standard output in `out`.
  static int Cli(const std::string& args, std::string* out) {
    return RunCommand(absl::StrCat(GRANTLEDGER_BINARY_DIR, "/cli/grantledger ", args, " --server ",
                                   server_->address()),
                      *dir_, out);
  }

  static httplib::Result Get(const std::string& path) {
    httplib::Client client("127.0.0.1", http_->port());
    return client.Get(path.c_str());
  }

  static TempDir* dir_;
  static TestServer* server_;
  static HttpServer* http_;
  static Language language_;
};

Language HttpTest::language_ = Language::kEnglish;

TempDir* HttpTest::dir_ = nullptr;
TestServer* HttpTest::server_ = nullptr;
HttpServer* HttpTest::http_ = nullptr;

TEST_F(HttpTest, OverviewEqualsTheCliObligationsForTheSamePoint) {
  for (const std::string point : {"as_of=2025-12-31", "as_of=2026-04-15&recorded_as_of=40"}) {
    SCOPED_TRACE(point);
    auto answer = Get("/api/overview?" + point);
    ASSERT_TRUE(answer);
    ASSERT_EQ(answer->status, 200) << answer->body;
    const auto overview = Parse<v1::DashboardOverview>(answer->body);
    std::string flags = absl::StrReplaceAll(
        point, {{"&recorded_as_of=", " --recorded-as-of "}, {"as_of=", "--as-of "}});
    std::string cli;
    ASSERT_EQ(Cli("obligations --json " + flags, &cli), 0) << cli;
    const auto expected = Parse<v1::ObligationsResponse>(cli);
    EXPECT_EQ(overview.point().as_of_date(), expected.as_of_date());
    EXPECT_EQ(overview.point().as_of_sequence(), expected.as_of_sequence());
    ASSERT_EQ(overview.grants_size(), expected.obligations_size());
    ASSERT_GE(overview.grants_size(), 1);
    for (const v1::Obligation& want : expected.obligations()) {
      bool found = false;
      for (const v1::DashboardObligation& shown : overview.grants()) {
        if (shown.obligation().grant_id() != want.grant_id()) continue;
        found = true;
        EXPECT_TRUE(Same(shown.obligation(), want)) << shown.obligation().DebugString();
      }
      EXPECT_TRUE(found) << want.grant_id();
    }
  }
}

TEST_F(HttpTest, OverviewFiltersAndTotalsPerGrantor) {
  auto answer = Get("/api/overview?as_of=2025-12-31&grantor=Socialstyrelsen&year=2025");
  ASSERT_TRUE(answer);
  ASSERT_EQ(answer->status, 200) << answer->body;
  const auto overview = Parse<v1::DashboardOverview>(answer->body);
  ASSERT_GE(overview.grants_size(), 1);
  int64_t received = 0;
  for (const v1::DashboardObligation& g : overview.grants()) {
    EXPECT_EQ(g.obligation().grantor(), "Socialstyrelsen");
    EXPECT_EQ(g.obligation().year(), "2025");
    received += g.obligation().received_ore();
  }
  ASSERT_EQ(overview.per_grantor_size(), 1);
  EXPECT_EQ(overview.per_grantor(0).totals().received_ore(), received);
  EXPECT_EQ(overview.per_grantor(0).totals().grants(), overview.grants_size());
  EXPECT_TRUE(Same(overview.per_grantor(0).totals(), overview.totals()));
  // The filters offer every year and grantor, not only the ones shown.
  EXPECT_GT(overview.years_size(), 1);
  // int64 is a JSON string under the proto3 mapping (README, "JSON output").
  EXPECT_THAT(answer->body, HasSubstr(absl::StrCat("\"received_ore\":\"", received, "\"")));
}

TEST_F(HttpTest, GrantEqualsTheCliBalanceAndAccount) {
  auto answer = Get("/api/grant?id=RS/229/2025&as_of=2025-12-31");
  ASSERT_TRUE(answer);
  ASSERT_EQ(answer->status, 200) << answer->body;
  const auto grant = Parse<v1::DashboardGrant>(answer->body);
  std::string cli;
  ASSERT_EQ(Cli("balance RS/229/2025 --json --as-of 2025-12-31", &cli), 0);
  EXPECT_TRUE(Same(grant.grant(), Parse<v1::GetGrantResponse>(cli)));
  ASSERT_EQ(Cli("account RS/229/2025 --json --as-of 2025-12-31", &cli), 0);
  EXPECT_TRUE(Same(grant.account(), Parse<v1::FinancialAccountResponse>(cli)));
  EXPECT_EQ(grant.point().as_of_date(), "2025-12-31");
  // The sample has an overspent line, which the page highlights.
  bool overspent = false;
  for (const v1::ActivityBalance& line : grant.grant().grant().balance().activities()) {
    overspent |= line.overspent_ore() > 0;
  }
  EXPECT_TRUE(overspent);
}

TEST_F(HttpTest, BurndownEndsAtTheGrantsPositionAndForecastsInThePeriod) {
  auto answer = Get("/api/burndown?id=RS/229/2025&as_of=2025-09-30");
  ASSERT_TRUE(answer);
  ASSERT_EQ(answer->status, 200) << answer->body;
  const auto burndown = Parse<v1::Burndown>(answer->body);
  ASSERT_GE(burndown.points_size(), 30);
  EXPECT_EQ(burndown.points(0).date(), "2025-01-01");
  const v1::BurndownPoint& last = burndown.points(burndown.points_size() - 1);
  EXPECT_EQ(last.date(), "2025-09-30");
  std::string cli;
  ASSERT_EQ(Cli("obligations --json --as-of 2025-09-30", &cli), 0);
  bool found = false;
  const auto obligations = Parse<v1::ObligationsResponse>(cli);  // kept: the loop reads into it
  for (const v1::Obligation& o : obligations.obligations()) {
    if (o.grant_id() != "RS/229/2025") continue;
    found = true;
    EXPECT_EQ(last.eligible_spent_ore(), o.eligible_spent_ore());
    EXPECT_EQ(burndown.forecast().eligible_spent_ore(),
              o.received_ore() - o.carried_out_ore() - o.forecast_unused_at_end_ore());
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(burndown.forecast().date(), "2025-12-31");
}

TEST_F(HttpTest, HistoryListsRecordsWithAuthorAndHash) {
  auto answer = Get("/api/history?id=RS/229/2025&recorded_as_of=10");
  ASSERT_TRUE(answer);
  ASSERT_EQ(answer->status, 200) << answer->body;
  const auto history = Parse<v1::HistoryPage>(answer->body);
  EXPECT_EQ(history.total(), 10u);
  ASSERT_EQ(history.rows_size(), 10);
  const auto& last = history.rows(9).cells();
  EXPECT_EQ(last[0], "10");
  EXPECT_EQ(last[last.size() - 1].size(), 64u);  // the SHA-256 in hex
  EXPECT_THAT(last[last.size() - 2], StartsWith("insecure:"));
  EXPECT_EQ(history.columns_size(), last.size());
}

TEST_F(HttpTest, ErrorsSayWhatToFix) {
  auto bad_date = Get("/api/overview?as_of=2025-13-01");
  ASSERT_TRUE(bad_date);
  EXPECT_EQ(bad_date->status, 400);
  const auto error = Parse<v1::ApiError>(bad_date->body);
  EXPECT_EQ(error.error(), "INVALID_ARGUMENT");
  EXPECT_THAT(error.message(), HasSubstr("as_of"));
  auto unknown = Get("/api/grant?id=RS/1/1999");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  auto no_id = Get("/api/grant");
  ASSERT_TRUE(no_id);
  EXPECT_EQ(no_id->status, 400);
  EXPECT_THAT(no_id->body, HasSubstr("RS/229/2025"));
  auto beyond = Get("/api/overview?recorded_as_of=999999");
  ASSERT_TRUE(beyond);
  EXPECT_EQ(beyond->status, 400);
  EXPECT_THAT(beyond->body, HasSubstr("beyond the head"));
}

TEST_F(HttpTest, NothingButGetIsServed) {
  httplib::Client client("127.0.0.1", http_->port());
  const uint64_t head = server_->store().Head().sequence;
  std::vector<httplib::Result> results;
  results.push_back(client.Post("/api/overview", "{}", "application/json"));
  results.push_back(client.Put("/api/grant", "{}", "application/json"));
  results.push_back(client.Delete("/api/grant"));
  results.push_back(client.Patch("/", "x", "text/plain"));
  results.push_back(client.Post("/download/grants.csv", "", "text/plain"));
  for (const httplib::Result& result : results) {
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 405);
    EXPECT_EQ(result->get_header_value("Allow"), "GET, HEAD");
  }
  EXPECT_EQ(server_->store().Head().sequence, head);
}

TEST_F(HttpTest, PagesAndChartJsAreServedFromTheBinaryAndDebian) {
  auto overview = Get("/");
  ASSERT_TRUE(overview);
  EXPECT_EQ(overview->status, 200);
  EXPECT_THAT(overview->body, HasSubstr("<html lang=\"sv\">"));
  EXPECT_THAT(overview->get_header_value("Content-Security-Policy"),
              HasSubstr("default-src 'self'"));
  auto grant = Get("/grant?id=RS/229/2025");
  ASSERT_TRUE(grant);
  EXPECT_THAT(grant->body, HasSubstr("/static/chart.min.js"));
  auto chart = Get("/static/chart.min.js");
  ASSERT_TRUE(chart);
  EXPECT_EQ(chart->status, 200);
  EXPECT_EQ(chart->body, ReadFileBytes(kDebianChartJsPath));
  auto health = Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_THAT(health->body, StartsWith("ok head_sequence "));
}

TEST_F(HttpTest, DownloadsAreTheCliReports) {
  auto csv = Get("/download/grant.csv?id=RS/229/2025&as_of=2025-12-31");
  ASSERT_TRUE(csv);
  ASSERT_EQ(csv->status, 200) << csv->body;
  std::string cli;
  ASSERT_EQ(Cli("balance RS/229/2025 --format csv --as-of 2025-12-31 --lang sv", &cli), 0);
  EXPECT_EQ(csv->body, cli);
  EXPECT_THAT(csv->get_header_value("Content-Disposition"),
              HasSubstr("filename=\"grant-RS-229-2025.csv\""));
  auto xlsx = Get("/download/obligations.xlsx?as_of=2025-12-31");
  ASSERT_TRUE(xlsx);
  ASSERT_EQ(xlsx->status, 200);
  EXPECT_THAT(xlsx->body, StartsWith("PK"));  // a zip: the workbook
  auto account = Get("/download/account.xlsx?id=RS/229/2025&as_of=2025-12-31");
  ASSERT_TRUE(account);
  EXPECT_EQ(account->status, 200);
  auto unknown = Get("/download/secrets.csv");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
}

TEST(HttpStartTest, RefusesNonLoopbackWithoutMutualTls) {
  TempDir dir;
  std::unique_ptr<EventStore> store = OpenStore(dir);
  ASSERT_NE(store, nullptr);
  HttpOptions options;
  options.listen_address = "0.0.0.0:0";
  auto refused = HttpServer::Start(*store, options);
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--http")));
  options.insecure_listen = true;
  auto allowed = HttpServer::Start(*store, options);
  EXPECT_TRUE(allowed.ok()) << allowed.status();
}

TEST(HttpStartTest, SaysWhichPackageGivesChartJs) {
  TempDir dir;
  std::unique_ptr<EventStore> store = OpenStore(dir);
  ASSERT_NE(store, nullptr);
  HttpOptions options;
  options.listen_address = "127.0.0.1:0";
  options.chart_js_path = dir.Sub("no-chart.js");
  EXPECT_THAT(HttpServer::Start(*store, options),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("libjs-chart.js")));
}

TEST(HttpMetricsTest, CountsAppendsAndPassesPromtool) {
  TempDir dir;
  std::unique_ptr<EventStore> store = OpenStore(dir, &ServerMetrics::Global());
  ASSERT_NE(store, nullptr);
  const ServerMetrics::Snapshot before = ServerMetrics::Global().Read();
  ASSERT_TRUE(store->Append({RegisterGrant("m-reg", "M/1/2025", 1'000'000)}).ok());
  ASSERT_TRUE(store
                  ->Append({Receipt("m-rec", "M/1/2025", 500'000),
                            Allocate("m-all", "M/1/2025", 400'000, "p1", "Med")})
                  .ok());
  HttpOptions options;
  options.listen_address = "127.0.0.1:0";
  auto http = HttpServer::Start(*store, options);
  ASSERT_TRUE(http.ok()) << http.status();
  httplib::Client client("127.0.0.1", (*http)->port());
  ASSERT_TRUE(client.Get("/api/overview"));
  ASSERT_TRUE(client.Get("/api/grant?id=nope"));
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  ASSERT_EQ(metrics->status, 200);
  EXPECT_THAT(metrics->get_header_value("Content-Type"), HasSubstr("version=0.0.4"));
  const ServerMetrics::Snapshot after = ServerMetrics::Global().Read();
  EXPECT_EQ(after.events - before.events, 3u);
  EXPECT_EQ(after.appends - before.appends, 2u);
  EXPECT_GE(after.queries.at("http:/api/overview"), 1u);
  EXPECT_THAT(metrics->body, HasSubstr("grantledger_head_sequence 3\n"));
  EXPECT_THAT(metrics->body, HasSubstr("\ngrantledger_replay_seconds "));
  EXPECT_THAT(metrics->body, HasSubstr("grantledger_write_sync_seconds_bucket{le=\"+Inf\"}"));
  EXPECT_THAT(metrics->body, HasSubstr("grantledger_rejections_total{code=\"INVALID_ARGUMENT\"}"));
  EXPECT_THAT(metrics->body, Not(HasSubstr("M/1/2025")));  // no per-grant labels

  const std::string path = dir.Sub("metrics.txt");
  std::ofstream(path) << metrics->body;
  std::string out, err;
  const int code = RunCommand("promtool check metrics < " + path, dir, &out, &err);
  ASSERT_NE(code, 127) << "promtool is missing: apt-get install prometheus "
                          "(scripts/install-deps.sh installs it)";
  EXPECT_EQ(code, 0) << out << err << metrics->body;
}

}  // namespace
}  // namespace grantledger::testing

namespace grantledger::testing {
namespace {

// The dashboard with the gRPC side's TLS: scripts/dev-pki.sh's certificates and policy.
TEST(HttpTlsTest, NeedsAClientCertificateWhoseRoleMayRead) {
  TempDir dir;
  ASSERT_EQ(std::system(absl::StrCat(GRANTLEDGER_SOURCE_DIR, "/scripts/dev-pki.sh ", dir.Sub("pki"),
                                     " --extras > /dev/null")
                            .c_str()),
            0);
  auto pki = [&](const std::string& file) { return dir.Sub("pki/" + file); };
  std::unique_ptr<EventStore> store = OpenStore(dir);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Append({RegisterGrant("t-reg", "T/1/2025", 1'000'000)}).ok());
  HttpOptions options;
  options.listen_address = "127.0.0.1:0";
  options.tls.cert_path = pki("server.pem");
  options.tls.key_path = pki("server.key");
  options.tls.client_ca_path = pki("ca.pem");
  EXPECT_THAT(HttpServer::Start(*store, options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--authz")));
  options.authz_path = pki("authz.json");
  auto http = HttpServer::Start(*store, options);
  ASSERT_TRUE(http.ok()) << http.status();
  auto get = [&](const std::string& who, const std::string& path) {
    std::unique_ptr<httplib::SSLClient> client =
        who.empty() ? std::make_unique<httplib::SSLClient>("127.0.0.1", (*http)->port())
                    : std::make_unique<httplib::SSLClient>("127.0.0.1", (*http)->port(),
                                                           pki(who + ".pem"), pki(who + ".key"));
    client->set_ca_cert_path(pki("ca.pem").c_str());
    client->enable_server_certificate_verification(true);
    return client->Get(path.c_str());
  };
  for (const std::string who : {"auditor", "coordinator", "admin"}) {
    auto overview = get(who, "/api/overview");
    ASSERT_TRUE(overview) << who << ": " << httplib::to_string(overview.error());
    EXPECT_EQ(overview->status, 200) << who << ": " << overview->body;
  }
  auto poster = get("poster", "/api/overview");
  ASSERT_TRUE(poster);
  EXPECT_EQ(poster->status, 403);
  EXPECT_THAT(poster->body, HasSubstr("poster"));
  auto history = get("coordinator", "/api/history?id=T/1/2025");
  ASSERT_TRUE(history);
  EXPECT_EQ(history->status, 200);  // a coordinator may read events (sealed years need it)
  auto posters_history = get("poster", "/api/history?id=T/1/2025");
  ASSERT_TRUE(posters_history);
  EXPECT_EQ(posters_history->status, 403);
  auto audited = get("auditor", "/api/history?id=T/1/2025");
  ASSERT_TRUE(audited);
  EXPECT_EQ(audited->status, 200);
  // Without a good client certificate the browser still connects, and gets a 401 page that
  // says what is wrong.
  const std::pair<std::string, std::string> refused[] = {
      {"", "the connection presented no client certificate"},
      {"stranger", "was not issued by the server's client CA"},
      {"expired", "expired on 2020-12-31 23:59:59 UTC"},
      {"future", "is not valid before 2099-01-01"}};
  for (const auto& [who, reason] : refused) {
    for (const char* path : {"/healthz", "/api/overview", "/"}) {
      auto answer = get(who, path);
      ASSERT_TRUE(answer) << who << " " << path << ": " << httplib::to_string(answer.error());
      EXPECT_EQ(answer->status, 401) << who << " " << path;
      EXPECT_THAT(answer->body, HasSubstr(reason)) << who << " " << path;
    }
  }
  // Plain HTTP to the TLS port gets nothing either.
  httplib::Client plain("127.0.0.1", (*http)->port());
  auto answer = plain.Get("/healthz");
  EXPECT_TRUE(!answer || answer->status != 200);
}

}  // namespace
}  // namespace grantledger::testing
