// Mutual TLS and roles over a real server on loopback, with certificates made by
// scripts/dev-pki.sh: every RPC for every role, every event kind for every role, calls with
// no certificate, another CA's or an expired one, a poster limited to a cost object, a poster
// reversing someone else's event, the author in the stored records, and the policy reloaded.
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grantledger/v1/year_end_service.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "gtest/gtest.h"
#include "tests/grpc_test_support.h"

namespace grantledger::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kDomain[] = "spiffe://region.example/";
constexpr char kGrant[] = "RS/1/2025";       // cost object 9929
constexpr char kOtherGrant[] = "RS/2/2025";  // cost object 1234

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

class ServicesTlsTest : public ::testing::Test {
 public:
  // One PKI for the whole suite: scripts/dev-pki.sh DIR --extras.
  static void SetUpTestSuite() {
    pki_ = new TempDir;
    const std::string command = absl::StrCat(GRANTLEDGER_SOURCE_DIR, "/scripts/dev-pki.sh ",
                                             pki_->path(), " --extras > /dev/null");
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
    WriteText(Pki("authz-test.json"), Policy(""));
  }
  static void TearDownTestSuite() {
    delete pki_;
    pki_ = nullptr;
  }

  static std::string Pki(const std::string& file) { return absl::StrCat(pki_->path(), "/", file); }

  // The suite's policy: the four roles, a second poster, and a CN-only poster; `poster_limits`
  // is spliced into the poster's entry.
  static std::string Policy(const std::string& poster_limits) {
    return absl::StrCat(R"({"principals": [
      {"identity": "spiffe://region.example/poster", "role": "poster")",
                        poster_limits, R"(},
      {"identity": "spiffe://region.example/poster2", "role": "poster"},
      {"identity": "finance-cn", "role": "poster"},
      {"identity": "spiffe://region.example/coordinator", "role": "coordinator"},
      {"identity": "spiffe://region.example/auditor", "role": "auditor"},
      {"identity": "spiffe://region.example/admin", "role": "admin"}
    ]})");
  }

  static ServerOptions TlsOptions(const std::string& policy_file = "authz-test.json") {
    ServerOptions options;
    options.tls.cert_path = Pki("server.pem");
    options.tls.key_path = Pki("server.key");
    options.tls.client_ca_path = Pki("ca.pem");
    options.authz_path = Pki(policy_file);
    return options;
  }

  // A channel of its own to `address`, verifying the server against ca.pem and presenting
  // `who`.pem (none when `who` is empty).
  static std::shared_ptr<grpc::Channel> Channel(const std::string& address,
                                                const std::string& who) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = ReadText(Pki("ca.pem"));
    if (!who.empty()) {
      ssl.pem_cert_chain = ReadText(Pki(who + ".pem"));
      ssl.pem_private_key = ReadText(Pki(who + ".key"));
    }
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    return grpc::CreateCustomChannel(address, grpc::SslCredentials(ssl), args);
  }

  static TempDir* pki_;  // NOLINT: the suite's PKI, made once
};

TempDir* ServicesTlsTest::pki_ = nullptr;

// One call of each RPC with a small request; the status says whether the server let it in
// (anything but UNAUTHENTICATED and PERMISSION_DENIED: the request itself may be wrong).
struct Rpc {
  std::string method;
  std::function<grpc::Status(const std::shared_ptr<grpc::Channel>&)> call;
};

std::vector<Rpc> AllRpcs() {
  std::vector<Rpc> out;
  auto unary = [&out](const std::string& method, auto invoke) {
    out.push_back({method, [invoke](const std::shared_ptr<grpc::Channel>& channel) {
                     auto context = ContextWithDeadline(absl::Seconds(20));
                     return invoke(channel, context.get());
                   }});
  };
  unary("LedgerService/Append", [](auto channel, grpc::ClientContext* context) {
    v1::AppendRequest request;  // empty: INVALID_ARGUMENT once let in
    v1::AppendResponse response;
    return v1::LedgerService::NewStub(channel)->Append(context, request, &response);
  });
  out.push_back({"LedgerService/AppendStream", [](const std::shared_ptr<grpc::Channel>& channel) {
                   auto context = ContextWithDeadline(absl::Seconds(20));
                   auto stream = v1::LedgerService::NewStub(channel)->AppendStream(context.get());
                   stream->Write(v1::AppendRequest());
                   stream->WritesDone();
                   v1::AppendStreamResponse response;
                   const bool answered = stream->Read(&response);
                   grpc::Status finished = stream->Finish();
                   if (!answered) return finished;
                   return grpc::Status(static_cast<grpc::StatusCode>(response.code()),
                                       response.message());
                 }});
  unary("QueryService/GetGrant", [](auto channel, grpc::ClientContext* context) {
    v1::GetGrantRequest request;
    request.set_grant_id(kGrant);
    v1::GetGrantResponse response;
    return v1::QueryService::NewStub(channel)->GetGrant(context, request, &response);
  });
  unary("QueryService/ListGrants", [](auto channel, grpc::ClientContext* context) {
    v1::ListGrantsResponse response;
    return v1::QueryService::NewStub(channel)->ListGrants(context, v1::ListGrantsRequest(),
                                                          &response);
  });
  unary("QueryService/GetBalances", [](auto channel, grpc::ClientContext* context) {
    v1::GetBalancesRequest request;
    request.add_grant_ids(kGrant);
    v1::GetBalancesResponse response;
    return v1::QueryService::NewStub(channel)->GetBalances(context, request, &response);
  });
  unary("YearEndService/GetPosition", [](auto channel, grpc::ClientContext* context) {
    v1::PositionRequest request;
    request.set_grant_id(kGrant);
    v1::PositionResponse response;
    return v1::YearEndService::NewStub(channel)->GetPosition(context, request, &response);
  });
  unary("YearEndService/GetObligations", [](auto channel, grpc::ClientContext* context) {
    v1::ObligationsResponse response;
    return v1::YearEndService::NewStub(channel)->GetObligations(context, v1::ObligationsRequest(),
                                                                &response);
  });
  unary("YearEndService/ListUnused", [](auto channel, grpc::ClientContext* context) {
    v1::UnusedResponse response;
    return v1::YearEndService::NewStub(channel)->ListUnused(context, v1::UnusedRequest(),
                                                            &response);
  });
  unary("YearEndService/GetYearOverview", [](auto channel, grpc::ClientContext* context) {
    v1::YearOverviewRequest request;
    request.set_year("2025");
    v1::YearOverviewResponse response;
    return v1::YearEndService::NewStub(channel)->GetYearOverview(context, request, &response);
  });
  unary("YearEndService/GetFinancialAccount", [](auto channel, grpc::ClientContext* context) {
    v1::FinancialAccountRequest request;
    request.set_grant_id(kGrant);
    v1::FinancialAccountResponse response;
    return v1::YearEndService::NewStub(channel)->GetFinancialAccount(context, request, &response);
  });
  out.push_back({"AuditService/ReadEvents", [](const std::shared_ptr<grpc::Channel>& channel) {
                   grpc::Status status;
                   ReadAll(*v1::AuditService::NewStub(channel), v1::ReadEventsRequest(), &status);
                   return status;
                 }});
  out.push_back({"AuditService/Subscribe", [](const std::shared_ptr<grpc::Channel>& channel) {
                   // Let in, it sends the history and then waits: read one chunk and cancel.
                   auto context = ContextWithDeadline(absl::Seconds(20));
                   v1::SubscribeRequest request;
                   request.set_from_sequence(1);
                   auto reader =
                       v1::AuditService::NewStub(channel)->Subscribe(context.get(), request);
                   v1::EventsChunk chunk;
                   if (reader->Read(&chunk)) {
                     context->TryCancel();
                     reader->Finish();
                     return grpc::Status::OK;
                   }
                   return reader->Finish();
                 }});
  unary("AuditService/VerifyChain", [](auto channel, grpc::ClientContext* context) {
    v1::VerifyChainResponse response;
    return v1::AuditService::NewStub(channel)->VerifyChain(context, v1::VerifyChainRequest(),
                                                           &response);
  });
  unary("AuditService/GetDigest", [](auto channel, grpc::ClientContext* context) {
    v1::GetDigestResponse response;
    return v1::AuditService::NewStub(channel)->GetDigest(context, v1::GetDigestRequest(),
                                                         &response);
  });
  return out;
}

bool LetIn(const grpc::Status& s) {
  return s.error_code() != grpc::StatusCode::PERMISSION_DENIED &&
         s.error_code() != grpc::StatusCode::UNAUTHENTICATED;
}

// The grants every test starts from, posted by the admin: RS/1/2025 on cost object 9929 with
// a receipt (sequence 2) and an allocation; RS/2/2025 on cost object 1234.
void PostGrants(const std::string& address) {
  v1::Event other = RegisterGrant("reg-2", kOtherGrant, 1'000'000);
  other.mutable_grant_registered()->set_cost_object("1234");
  v1::AppendResponse response;
  auto ledger = v1::LedgerService::NewStub(ServicesTlsTest::Channel(address, "admin"));
  ASSERT_TRUE(
      AppendEvents(*ledger,
                   {RegisterGrant("reg-1", kGrant, 1'000'000), Receipt("rec-1", kGrant, 600'000),
                    Allocate("alloc-1", kGrant, 400'000, "p7", "HS Kir"), other,
                    Receipt("rec-2", kOtherGrant, 500'000)},
                   &response)
          .ok());
}

TEST_F(ServicesTlsTest, EveryRpcForEveryRoleIsLetInOrRefusedAsTheRoleSays) {
  TestServer server(TlsOptions());
  PostGrants(server.address());
  const std::set<std::string> query = {"QueryService/GetGrant", "QueryService/ListGrants",
                                       "QueryService/GetBalances"};
  const std::set<std::string> year_end = {
      "YearEndService/GetPosition", "YearEndService/GetObligations", "YearEndService/ListUnused",
      "YearEndService/GetYearOverview", "YearEndService/GetFinancialAccount"};
  const std::set<std::string> audit = {"AuditService/ReadEvents", "AuditService/Subscribe",
                                       "AuditService/VerifyChain", "AuditService/GetDigest"};
  const std::set<std::string> append = {"LedgerService/Append", "LedgerService/AppendStream"};
  auto join = [](std::initializer_list<std::set<std::string>> sets) {
    std::set<std::string> out;
    for (const auto& s : sets) out.insert(s.begin(), s.end());
    return out;
  };
  const std::map<std::string, std::set<std::string>> allowed = {
      {"poster", join({append, query, {"YearEndService/GetPosition"}})},
      // Sealing a year reads the log point and the grant's seals (GetCheckpoint is not
      // among AllRpcs yet).
      {"coordinator",
       join({append, query, year_end, {"AuditService/ReadEvents", "AuditService/GetDigest"}})},
      {"auditor", join({query, year_end, audit})},
      {"admin", join({append, query, year_end, audit})},
  };
  const std::map<std::string, std::string> abilities = {
      {"poster", "a poster may append receipts, expenses, repayments and reversals"},
      {"coordinator", "a coordinator may append registrations"},
      {"auditor", "an auditor may read everything"},
  };
  const std::vector<Rpc> rpcs = AllRpcs();
  ASSERT_EQ(rpcs.size(), 14u);
  for (const auto& [role, may] : allowed) {
    auto channel = Channel(server.address(), role);
    for (const Rpc& rpc : rpcs) {
      SCOPED_TRACE(absl::StrCat(role, " calls ", rpc.method));
      const grpc::Status s = rpc.call(channel);
      if (may.count(rpc.method) > 0) {
        EXPECT_TRUE(LetIn(s)) << s.error_code() << ": " << s.error_message();
      } else {
        EXPECT_THAT(
            s, GrpcStatusIs(
                   grpc::StatusCode::PERMISSION_DENIED,
                   AllOf(HasSubstr(absl::StrCat("principal ", kDomain, role, " (role ", role, ")")),
                         HasSubstr(absl::StrCat("may not call ", rpc.method)),
                         HasSubstr(abilities.at(role)))));
      }
    }
  }
  EXPECT_EQ(server.store().Head().sequence, 5u);  // nothing but the setup was written
}

// A single event of the given kind on kGrant (or the body's fields that the rules need).
v1::Event OfKind(const std::string& kind, const std::string& id) {
  if (kind == "grant_registered") return RegisterGrant(id, "RS/9/2025", 1'000);
  if (kind == "receipt") return Receipt(id, kGrant, 1);
  if (kind == "allocation") return Allocate(id, kGrant, 1, "p8", "HS Kir");
  if (kind == "reallocation") {
    v1::Event e = Reallocate(id, kGrant, 1, "p7", "HS Kir", "p8", "HS Kir");
    e.mutable_reallocation()->set_approver("HSLG");
    e.mutable_reallocation()->set_decision_ref("HSLG-1");
    return e;
  }
  if (kind == "expense") return Spend(id, kGrant, 1, "p7", "HS Kir");
  if (kind == "repayment") return Repay(id, kGrant, 1);
  if (kind == "reversal") return Reverse(id, kGrant, 2);  // the admin's receipt
  v1::Event e = Envelope(id, kGrant);
  if (kind == "terms_amended") {
    e.mutable_terms_amended()->set_decision_ref("RS/1/2025-a");
    e.mutable_terms_amended()->set_repayment_deadline("2026-06-30");
  } else if (kind == "carry_over") {
    e.mutable_carry_over()->set_amount_ore(1);
    e.mutable_carry_over()->set_to_grant_id(kOtherGrant);
    e.mutable_carry_over()->set_decision_ref("co-1");
  } else if (kind == "condition_recorded") {
    e.mutable_condition_recorded()->set_condition_id("c1");
    e.mutable_condition_recorded()->set_met(true);
  }
  return e;
}

TEST_F(ServicesTlsTest, EveryEventKindForEveryRoleIsAppendedOrRefusedAsTheRoleSays) {
  TestServer server(TlsOptions());
  PostGrants(server.address());
  const std::vector<std::string> kinds = {
      "grant_registered", "terms_amended", "receipt",  "allocation", "reallocation",
      "expense",          "repayment",     "reversal", "carry_over", "condition_recorded"};
  const std::map<std::string, std::set<std::string>> allowed = {
      {"poster", {"receipt", "expense", "repayment"}},  // its own reversals: tested below
      {"coordinator",
       {"grant_registered", "terms_amended", "allocation", "reallocation", "condition_recorded",
        "carry_over", "reversal"}},
      {"auditor", {}},
      {"admin", std::set<std::string>(kinds.begin(), kinds.end())},
  };
  int n = 0;
  for (const auto& [role, may] : allowed) {
    auto ledger = v1::LedgerService::NewStub(Channel(server.address(), role));
    for (const std::string& kind : kinds) {
      SCOPED_TRACE(absl::StrCat(role, " appends ", kind));
      v1::AppendResponse response;
      // A dry run: each is judged against the same ledger.
      const grpc::Status s = AppendEvents(*ledger, {OfKind(kind, absl::StrCat("e", ++n))},
                                          &response, /*dry_run=*/true);
      if (may.count(kind) > 0) {  // let in: the rules may still have their say
        EXPECT_TRUE(LetIn(s)) << s.error_code() << ": " << s.error_message();
      } else if (role == "auditor") {
        EXPECT_THAT(s, GrpcStatusIs(grpc::StatusCode::PERMISSION_DENIED,
                                    AllOf(HasSubstr("(role auditor) may not call "
                                                    "LedgerService/Append"),
                                          HasSubstr("may never append"))));
      } else if (role == "poster" && kind == "reversal") {
        EXPECT_THAT(s, GrpcStatusIs(grpc::StatusCode::PERMISSION_DENIED,
                                    HasSubstr("may reverse only events it posted itself; "
                                              "sequence 2 was posted by spiffe://region.example/"
                                              "admin")));
      } else {
        EXPECT_THAT(
            s,
            GrpcStatusIs(grpc::StatusCode::PERMISSION_DENIED,
                         AllOf(HasSubstr(absl::StrCat("event 0 (event_id \"e", n, "\"): principal ",
                                                      kDomain, role, " (role ", role, ")")),
                               HasSubstr(absl::StrCat("may not append ", kind, " events")))));
      }
    }
  }
  EXPECT_EQ(server.store().Head().sequence, 5u);
}

TEST_F(ServicesTlsTest, ARefusedEventRefusesItsWholeBatchAndIsNamedByIndex) {
  TestServer server(TlsOptions());
  PostGrants(server.address());
  auto ledger = v1::LedgerService::NewStub(Channel(server.address(), "poster"));
  v1::AppendRequest request;
  *request.add_events() = Spend("s1", kGrant, 10, "p7", "HS Kir");
  *request.add_events() = Allocate("a1", kGrant, 10, "p8", "HS Kir");
  v1::AppendResponse response;
  auto context = ContextWithDeadline();
  const grpc::Status s = ledger->Append(context.get(), request, &response);
  EXPECT_THAT(s, GrpcStatusIs(grpc::StatusCode::PERMISSION_DENIED,
                              HasSubstr("event 1 (event_id \"a1\"): principal "
                                        "spiffe://region.example/poster (role poster) may not "
                                        "append allocation events")));
  auto index = context->GetServerTrailingMetadata().find("grantledger-event-index");
  ASSERT_NE(index, context->GetServerTrailingMetadata().end());
  EXPECT_EQ(std::string(index->second.data(), index->second.size()), "1");
  EXPECT_EQ(server.store().Head().sequence, 5u);
}

TEST_F(ServicesTlsTest, ACallWithoutAClientCertificateIsUnauthenticated) {
  TestServer server(TlsOptions());
  auto channel = Channel(server.address(), "");
  for (const Rpc& rpc : AllRpcs()) {
    SCOPED_TRACE(rpc.method);
    EXPECT_THAT(rpc.call(channel), GrpcStatusIs(grpc::StatusCode::UNAUTHENTICATED,
                                                AllOf(HasSubstr("no verified client certificate"),
                                                      HasSubstr(rpc.method))));
  }
  EXPECT_EQ(server.store().Head().sequence, 0u);
}

TEST_F(ServicesTlsTest, ACertificateFromAnotherCaOrAnExpiredOneNeverGetsIn) {
  TestServer server(TlsOptions());
  // "stranger" claims the poster's identity, but another CA signed it; "expired" is signed
  // by the right CA but its validity ended in 2020. The handshake fails: no call reaches the
  // server, and the client sees UNAVAILABLE.
  for (const char* who : {"stranger", "expired"}) {
    SCOPED_TRACE(who);
    auto ledger = v1::LedgerService::NewStub(Channel(server.address(), who));
    v1::AppendResponse response;
    const grpc::Status s = AppendEvents(*ledger, {RegisterGrant("r", kGrant, 1)}, &response);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
    auto audit = v1::AuditService::NewStub(Channel(server.address(), who));
    grpc::Status read;
    ReadAll(*audit, v1::ReadEventsRequest(), &read);
    EXPECT_EQ(read.error_code(), grpc::StatusCode::UNAVAILABLE) << read.error_message();
  }
  EXPECT_EQ(server.store().Head().sequence, 0u);
}

TEST_F(ServicesTlsTest, APosterLimitedToACostObjectPostsThereAndNowhereElse) {
  WriteText(Pki("authz-limited.json"), Policy(R"(, "cost_objects": ["9929"])"));
  TestServer server(TlsOptions("authz-limited.json"));
  PostGrants(server.address());
  auto ledger = v1::LedgerService::NewStub(Channel(server.address(), "poster"));
  v1::AppendResponse response;
  EXPECT_TRUE(AppendEvents(*ledger, {Spend("s1", kGrant, 10, "p7", "HS Kir")}, &response).ok());
  EXPECT_THAT(AppendEvents(*ledger, {Spend("s2", kOtherGrant, 10)}, &response),
              GrpcStatusIs(grpc::StatusCode::PERMISSION_DENIED,
                           HasSubstr("event 0 (event_id \"s2\"): principal "
                                     "spiffe://region.example/poster (role poster) may post only "
                                     "to grants on cost objects 9929; grant RS/2/2025 (cost "
                                     "object 1234) is outside them")));
  // An unlimited poster posts to both.
  auto other = v1::LedgerService::NewStub(Channel(server.address(), "poster2"));
  EXPECT_TRUE(AppendEvents(*other, {Spend("s3", kOtherGrant, 10)}, &response).ok());
  EXPECT_EQ(server.store().Head().sequence, 7u);
}

TEST_F(ServicesTlsTest, APosterReversesItsOwnEventsOnly) {
  TestServer server(TlsOptions());
  PostGrants(server.address());
  auto poster = v1::LedgerService::NewStub(Channel(server.address(), "poster"));
  auto poster2 = v1::LedgerService::NewStub(Channel(server.address(), "poster2"));
  v1::AppendResponse mine;
  ASSERT_TRUE(AppendEvents(*poster, {Spend("s1", kGrant, 10, "p7", "HS Kir")}, &mine).ok());
  v1::AppendResponse theirs;
  ASSERT_TRUE(AppendEvents(*poster2, {Spend("s2", kGrant, 20, "p7", "HS Kir")}, &theirs).ok());
  v1::AppendResponse response;
  EXPECT_THAT(AppendEvents(*poster, {Reverse("r2", kGrant, theirs.sequences(0))}, &response),
              GrpcStatusIs(grpc::StatusCode::PERMISSION_DENIED,
                           HasSubstr(absl::StrCat("principal spiffe://region.example/poster "
                                                  "(role poster) may reverse only events it "
                                                  "posted itself; sequence ",
                                                  theirs.sequences(0),
                                                  " was posted by spiffe://region.example/"
                                                  "poster2"))));
  EXPECT_TRUE(AppendEvents(*poster, {Reverse("r1", kGrant, mine.sequences(0))}, &response).ok());
  // A coordinator may reverse anyone's.
  auto coordinator = v1::LedgerService::NewStub(Channel(server.address(), "coordinator"));
  EXPECT_TRUE(
      AppendEvents(*coordinator, {Reverse("r3", kGrant, theirs.sequences(0))}, &response).ok());
}

TEST_F(ServicesTlsTest, TheAuthenticatedPrincipalIsTheStoredAuthorWhateverTheSourceSays) {
  TestServer server(TlsOptions());
  PostGrants(server.address());
  v1::AppendResponse response;
  v1::Event spend = Spend("s1", kGrant, 10, "p7", "HS Kir");
  spend.set_source("spiffe://region.example/admin");  // declared by the client: just a source
  ASSERT_TRUE(AppendEvents(*v1::LedgerService::NewStub(Channel(server.address(), "poster")),
                           {spend}, &response)
                  .ok());
  ASSERT_TRUE(AppendEvents(*v1::LedgerService::NewStub(Channel(server.address(), "cn-only")),
                           {Spend("s2", kGrant, 10, "p7", "HS Kir")}, &response)
                  .ok());
  // AppendStream records its principal too.
  {
    auto context = ContextWithDeadline();
    auto stream = v1::LedgerService::NewStub(Channel(server.address(), "poster2"))
                      ->AppendStream(context.get());
    v1::AppendRequest request;
    *request.add_events() = Spend("s3", kGrant, 10, "p7", "HS Kir");
    ASSERT_TRUE(stream->Write(request));
    stream->WritesDone();
    v1::AppendStreamResponse answer;
    ASSERT_TRUE(stream->Read(&answer));
    EXPECT_EQ(answer.code(), 0) << answer.message();
    EXPECT_TRUE(stream->Finish().ok());
  }
  grpc::Status status;
  auto records = ReadAll(*v1::AuditService::NewStub(Channel(server.address(), "auditor")),
                         v1::ReadEventsRequest(), &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(records.size(), 8u);
  EXPECT_EQ(records[0].record().author(), "spiffe://region.example/admin");
  EXPECT_EQ(records[5].record().author(), "spiffe://region.example/poster");
  EXPECT_EQ(records[5].record().event().source(), "spiffe://region.example/admin");
  EXPECT_EQ(records[6].record().author(), "finance-cn");  // no URI SAN: the CN
  EXPECT_EQ(records[7].record().author(), "spiffe://region.example/poster2");
  // Subscribe shows the same records.
  auto context = ContextWithDeadline();
  v1::SubscribeRequest request;
  request.set_from_sequence(6);
  auto reader = v1::AuditService::NewStub(Channel(server.address(), "auditor"))
                    ->Subscribe(context.get(), request);
  v1::EventsChunk chunk;
  ASSERT_TRUE(reader->Read(&chunk));
  ASSERT_GE(chunk.events_size(), 1);
  EXPECT_EQ(chunk.events(0).record().author(), "spiffe://region.example/poster");
  context->TryCancel();
  reader->Finish();
}

TEST_F(ServicesTlsTest, APrincipalTheDevPolicyDoesNotNameHasNoRole) {
  // The dev policy written by the script names only the four roles.
  TestServer server(TlsOptions("authz.json"));
  auto query = v1::QueryService::NewStub(Channel(server.address(), "poster2"));
  auto context = ContextWithDeadline();
  v1::ListGrantsResponse response;
  EXPECT_THAT(query->ListGrants(context.get(), v1::ListGrantsRequest(), &response),
              GrpcStatusIs(grpc::StatusCode::PERMISSION_DENIED,
                           HasSubstr("principal spiffe://region.example/poster2 has no role in "
                                     "the authorization policy")));
}

TEST_F(ServicesTlsTest, AChangedPolicyFileIsReadAgainWithoutARestart) {
  WriteText(Pki("authz-reload.json"), Policy(""));
  TestServer server(TlsOptions("authz-reload.json"));
  auto query = v1::QueryService::NewStub(Channel(server.address(), "poster"));
  auto list = [&] {
    auto context = ContextWithDeadline();
    v1::ListGrantsResponse response;
    return query->ListGrants(context.get(), v1::ListGrantsRequest(), &response);
  };
  ASSERT_TRUE(list().ok());
  // The poster loses its entry; the server looks at the file at most once a second.
  std::string without_poster = Policy("");
  without_poster.replace(without_poster.find("spiffe://region.example/poster\""),
                         std::string("spiffe://region.example/poster\"").size(),
                         "spiffe://region.example/someone-else\"");
  WriteText(Pki("authz-reload.json"), without_poster);
  grpc::Status s;
  for (int i = 0; i < 300 && (s = list()).ok(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_THAT(s, GrpcStatusIs(grpc::StatusCode::PERMISSION_DENIED, HasSubstr("has no role")));
  // A broken file leaves the last good policy in force.
  WriteText(Pki("authz-reload.json"), "{not json");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_THAT(list(), GrpcStatusIs(grpc::StatusCode::PERMISSION_DENIED, HasSubstr("has no role")));
}

TEST_F(ServicesTlsTest, TheServerRefusesToStartWithUnusableTlsSettings) {
  TempDir dir;
  EventStoreOptions store_options;
  store_options.path = dir.Sub("ledger");
  auto store = EventStore::Open(store_options);
  ASSERT_TRUE(store.ok());
  auto start = [&](ServerOptions options) {
    options.listen_address =
        options.listen_address.empty() ? "127.0.0.1:0" : options.listen_address;
    return GrantLedgerServer::Start(**store, options).status();
  };
  ServerOptions no_policy = TlsOptions();
  no_policy.authz_path.clear();
  EXPECT_THAT(start(no_policy),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--client-ca needs --authz")));
  ServerOptions wrong_key = TlsOptions();
  wrong_key.tls.key_path = Pki("poster.key");
  EXPECT_THAT(start(wrong_key), StatusIs(absl::StatusCode::kInvalidArgument,
                                         HasSubstr("is not the key of the certificate")));
  ServerOptions missing = TlsOptions();
  missing.tls.client_ca_path = Pki("nope.pem");
  EXPECT_THAT(start(missing),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--client-ca: cannot read")));
  ServerOptions bad_policy = TlsOptions();
  WriteText(Pki("authz-bad.json"), R"({"principals": [{"identity": "x", "role": "superuser"}]})");
  bad_policy.authz_path = Pki("authz-bad.json");
  EXPECT_THAT(start(bad_policy),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("principals[0].role: \"superuser\" for x is not a role")));
  ServerOptions open_port;
  open_port.listen_address = "0.0.0.0:0";
  EXPECT_THAT(start(open_port),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("is not a loopback address")));
}

}  // namespace
}  // namespace grantledger::testing
