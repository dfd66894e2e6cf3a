// The command line as a TLS client: --tls-ca/--tls-cert/--tls-key and the GRANTLEDGER_TLS_*
// variables against a server with mutual TLS and the dev policy of scripts/dev-pki.sh; the
// author in `history` and `export`, and `local:USER` for a --db post.
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/local_author.h"
#include "tests/grpc_test_support.h"

namespace grantledger::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

using Result = ::grantledger::testing::CliResult;

class CliTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string command =
        absl::StrCat(GRANTLEDGER_SOURCE_DIR, "/scripts/dev-pki.sh ", Pki(), " > /dev/null");
    ASSERT_EQ(std::system(command.c_str()), 0);
  }
  std::string Pki(const std::string& file = "") const {
    return file.empty() ? dir_.Sub("pki") : absl::StrCat(dir_.Sub("pki"), "/", file);
  }
  ServerOptions TlsOptions() const {
    ServerOptions options;
    options.tls.cert_path = Pki("server.pem");
    options.tls.key_path = Pki("server.key");
    options.tls.client_ca_path = Pki("ca.pem");
    options.authz_path = Pki("authz.json");
    return options;
  }
  // The flags that make the CLI `who` (empty: only the CA, no client certificate).
  std::string As(const std::string& who) const {
    std::string flags = " --tls-ca " + Pki("ca.pem");
    if (!who.empty()) {
      flags += absl::StrCat(" --tls-cert ", Pki(who + ".pem"), " --tls-key ", Pki(who + ".key"));
    }
    return flags;
  }
  Result Run(const std::string& args, const std::string& env = "") {
    const std::string out = dir_.Sub("stdout"), err = dir_.Sub("stderr");
    const std::string command = absl::StrCat(env, " ", GRANTLEDGER_BINARY_DIR, "/cli/grantledger ",
                                             args, " > ", out, " 2> ", err, " < /dev/null");
    const int status = std::system(command.c_str());
    Result r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream o(out), e(err);
    std::stringstream so, se;
    so << o.rdbuf();
    se << e.rdbuf();
    r.out = so.str();
    r.err = se.str();
    return r;
  }
  std::string Example(const std::string& name) const {
    return absl::StrCat(GRANTLEDGER_SOURCE_DIR, "/examples/", name);
  }

  TempDir dir_;
};

TEST_F(CliTlsTest, EachRoleThroughTheCommandLine) {
  TestServer server(TlsOptions());
  const std::string at = " --server " + server.address();
  // The sample mixes registrations and receipts: the coordinator may post only the former.
  Result mixed = Run(absl::StrCat("post ", Example("sample-grants.jsonl"), at, As("coordinator")));
  EXPECT_EQ(mixed.exit_code, 2);
  EXPECT_THAT(mixed.err, HasSubstr("sample-grants.jsonl:2: event 1 (event_id \"rs229-receipt-1\"): "
                                   "principal spiffe://region.example/coordinator (role "
                                   "coordinator) may not append receipt events"));
  EXPECT_THAT(mixed.err, HasSubstr("nothing was written"));
  Result posted = Run(absl::StrCat("post ", Example("sample-grants.jsonl"), at, As("admin")));
  ASSERT_EQ(posted.exit_code, 0) << posted.err;
  // The environment variables instead of the flags.
  const std::string poster_env = absl::StrCat("GRANTLEDGER_TLS_CA=", Pki("ca.pem"),
                                              " GRANTLEDGER_TLS_CERT=", Pki("poster.pem"),
                                              " GRANTLEDGER_TLS_KEY=", Pki("poster.key"));
  Result imported =
      Run(absl::StrCat("import-expenses ", Example("erp-9929-2026-02.csv"), at), poster_env);
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  // The flags may also come before the command.
  Result refused = Run(absl::StrCat(As("poster"), " post ", Example("sample-grants.jsonl"), at));
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err, HasSubstr("principal spiffe://region.example/poster (role poster) "
                                     "may not append grant_registered events"));
  Result not_auditor = Run("verify" + at, poster_env);
  EXPECT_EQ(not_auditor.exit_code, 2);
  EXPECT_THAT(not_auditor.err, HasSubstr("may not call AuditService/VerifyChain"));
  Result verified = Run("verify" + at + As("auditor"));
  EXPECT_EQ(verified.exit_code, 0) << verified.err;
  Result history = Run("history RS/229/2025" + at + As("auditor"));
  ASSERT_EQ(history.exit_code, 0) << history.err;
  EXPECT_THAT(history.out, HasSubstr("author"));
  EXPECT_THAT(history.out, HasSubstr("spiffe://region.example/admin"));
  EXPECT_THAT(history.out, HasSubstr("spiffe://region.example/poster"));
  const std::string exported = dir_.Sub("export.jsonl");
  ASSERT_EQ(Run("export --out " + exported + at + As("admin")).exit_code, 0);
  std::ifstream in(exported);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_THAT(text.str(), HasSubstr("\"author\":\"spiffe://region.example/poster\""));
  // The export restores into a data directory with the same authors and hashes.
  Result restored = Run("restore " + exported + " --db " + dir_.Sub("copy"));
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  EXPECT_EQ(Run("verify --db " + dir_.Sub("copy")).out, Run("verify" + at + As("auditor")).out);
  // Without a client certificate: refused by the server; without TLS: no connection.
  Result anonymous = Run("grants" + at + As(""));
  EXPECT_EQ(anonymous.exit_code, 2);
  EXPECT_THAT(anonymous.err, HasSubstr("no verified client certificate"));
  Result plain = Run("grants" + at);
  EXPECT_EQ(plain.exit_code, 3);
  EXPECT_THAT(plain.err, HasSubstr("--tls-ca"));
  Result half = Run("grants" + at + " --tls-cert " + Pki("poster.pem"));
  EXPECT_NE(half.exit_code, 0);
  EXPECT_THAT(half.err, HasSubstr("--tls-cert and --tls-key go together"));
}

TEST_F(CliTlsTest, APostIntoADataDirectoryRecordsTheLocalUser) {
  const std::string db = dir_.Sub("data");
  ASSERT_EQ(Run(absl::StrCat("post ", Example("sample-grants.jsonl"), " --db ", db)).exit_code, 0);
  Result history = Run("history RS/229/2025 --db " + db);
  ASSERT_EQ(history.exit_code, 0) << history.err;
  EXPECT_THAT(history.out, HasSubstr(LocalAuthor()));
  Result json = Run("history RS/229/2025 --json --db " + db);
  EXPECT_THAT(json.out, HasSubstr(absl::StrCat("\"author\":\"", LocalAuthor(), "\"")));
}

}  // namespace
}  // namespace grantledger::testing
