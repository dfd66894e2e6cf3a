// Mutual TLS and roles over a real server on loopback, with certificates made by
// scripts/dev-pki.sh: every RPC for every role, every event kind for every role, calls with
// no certificate, another CA's, an expired, a not yet valid or a server's one (and every
// registered method without one), a poster limited to a cost object, a poster
// reversing someone else's event, the author in the stored records, and the policy reloaded.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/bn.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "grantledger/v1/year_end_service.grpc.pb.h"
#include "grpc/reflection/v1/reflection.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
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

// Each way a certificate can fail, and what the refusal says. The handshake lets each of them
// through (it proves only that the client holds the key of what it sent); the server's gate
// verifies the chain and refuses every RPC, before any handler, saying why.
struct BadCertificate {
  std::string who;  // the .pem/.key pair presented; empty: none
  std::vector<std::string> reason;
};

std::vector<BadCertificate> BadCertificates() {
  return {
      {"", {"the connection presented no client certificate"}},
      // Claims the poster's identity, but another CA signed it.
      {"stranger",
       {"the client certificate \"spiffe://region.example/poster\" was not issued by the "
        "server's client CA (--client-ca)",
        "its issuer is \"CN=some other CA,O=grantledger dev\""}},
      {"expired",
       {"the client certificate \"spiffe://region.example/expired\" expired on 2020-12-31 "
        "23:59:59 UTC"}},
      {"future",
       {"the client certificate \"spiffe://region.example/future\" is not valid before "
        "2099-01-01 00:00:00 UTC"}},
      // Issued by the right CA, but for servers (extendedKeyUsage serverAuth only).
      {"server", {"the client certificate \"localhost\" is not for client authentication"}},
  };
}

TEST_F(ServicesTlsTest, ACallWithoutAGoodClientCertificateIsUnauthenticatedSayingWhy) {
  TestServer server(TlsOptions());
  for (const BadCertificate& bad : BadCertificates()) {
    SCOPED_TRACE(bad.who.empty() ? "no certificate" : bad.who);
    auto channel = Channel(server.address(), bad.who);
    for (const Rpc& rpc : AllRpcs()) {
      SCOPED_TRACE(rpc.method);
      const grpc::Status s = rpc.call(channel);
      EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << s.error_message();
      EXPECT_THAT(s.error_message(), HasSubstr("no verified client certificate: "));
      for (const std::string& part : bad.reason) EXPECT_THAT(s.error_message(), HasSubstr(part));
      EXPECT_THAT(s.error_message(), HasSubstr(absl::StrCat(rpc.method,
                                                            " needs a certificate issued by the "
                                                            "server's client CA")));
    }
  }
  EXPECT_EQ(server.store().Head().sequence, 0u);
}

TEST_F(ServicesTlsTest, ARefusedCertificateIsLoggedWithTheMethodAndTheReason) {
  TestServer server(TlsOptions());
  ::testing::internal::CaptureStderr();
  auto ledger = v1::LedgerService::NewStub(Channel(server.address(), "expired"));
  v1::AppendResponse response;
  const grpc::Status s = AppendEvents(*ledger, {RegisterGrant("r", kGrant, 1)}, &response);
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(log, HasSubstr("rejected LedgerService/Append from a TLS client: UNAUTHENTICATED: "
                             "no verified client certificate: the client certificate "
                             "\"spiffe://region.example/expired\" expired on 2020-12-31"));
}

// Unary calls of `path` with an empty message through a generic stub, so that any method can
// be called whatever its types and streaming.
grpc::Status GenericCall(const std::shared_ptr<grpc::Channel>& channel, const std::string& path) {
  grpc::GenericStub stub(channel);
  auto context = ContextWithDeadline(absl::Seconds(10));
  const std::string nothing;
  grpc::Slice empty(nothing);
  grpc::ByteBuffer request(&empty, 1);
  grpc::ByteBuffer response;
  absl::Notification done;
  grpc::Status status;
  stub.UnaryCall(context.get(), path, grpc::StubOptions(), &request, &response,
                 [&](grpc::Status s) {
                   status = std::move(s);
                   done.Notify();
                 });
  done.WaitForNotification();
  return status;
}

TEST_F(ServicesTlsTest, NoRegisteredMethodOfAnyServiceCanBeCalledWithoutACertificateButHealth) {
  TestServer server(TlsOptions());
  // The services the server has registered, as its reflection (asked by the admin) lists them.
  auto reflection =
      ::grpc::reflection::v1::ServerReflection::NewStub(Channel(server.address(), "admin"));
  auto context = ContextWithDeadline();
  auto stream = reflection->ServerReflectionInfo(context.get());
  ::grpc::reflection::v1::ServerReflectionRequest list;
  list.set_list_services("");
  ASSERT_TRUE(stream->Write(list));
  ::grpc::reflection::v1::ServerReflectionResponse listed;
  ASSERT_TRUE(stream->Read(&listed));
  stream->WritesDone();
  ASSERT_TRUE(stream->Finish().ok());
  std::set<std::string> services;
  for (const auto& service : listed.list_services_response().service()) {
    services.insert(service.name());
  }
  EXPECT_THAT(services, ::testing::IsSupersetOf(
                            {"grantledger.v1.LedgerService", "grantledger.v1.QueryService",
                             "grantledger.v1.AuditService", "grantledger.v1.YearEndService",
                             "grpc.reflection.v1.ServerReflection",
                             "grpc.reflection.v1alpha.ServerReflection", "grpc.health.v1.Health"}));
  auto anonymous = Channel(server.address(), "");
  int methods = 0;
  for (const std::string& name : services) {
    SCOPED_TRACE(name);
    if (name == "grpc.health.v1.Health") {
      // Open to load balancers' probes: an empty request asks about the whole server.
      EXPECT_TRUE(GenericCall(anonymous, "/grpc.health.v1.Health/Check").ok());
      continue;
    }
    const google::protobuf::ServiceDescriptor* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name);
    ASSERT_NE(service, nullptr);
    for (int i = 0; i < service->method_count(); ++i) {
      const std::string method = service->method(i)->name();
      SCOPED_TRACE(method);
      const std::string short_service = name.substr(name.rfind('.') + 1);
      EXPECT_THAT(
          GenericCall(anonymous, absl::StrCat("/", name, "/", method)),
          GrpcStatusIs(grpc::StatusCode::UNAUTHENTICATED,
                       AllOf(HasSubstr("the connection presented no client certificate"),
                             HasSubstr(absl::StrCat(short_service, "/", method, " needs")))));
      ++methods;
    }
  }
  EXPECT_GE(methods, 19);
  // A path no service has is refused the same way, before gRPC looks for it.
  EXPECT_EQ(GenericCall(anonymous, "/grantledger.v1.NoSuchService/Anything").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
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

// The serial number of the certificate a new TLS connection to 127.0.0.1:`port` is served
// in hex (OpenSSL directly, so nothing is cached between connections); "" when the handshake
// fails. dev-pki's serials are random 20-byte numbers, too large for a long.
std::string ServedCertificateSerial(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string serial;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    static const unsigned char kAlpn[] = {2, 'h', '2'};
    SSL_set_alpn_protos(ssl, kAlpn, sizeof(kAlpn));
    if (SSL_connect(ssl) == 1) {
      X509* cert = SSL_get1_peer_certificate(ssl);
      if (cert != nullptr) {
        BIGNUM* number = ASN1_INTEGER_to_BN(X509_get_serialNumber(cert), nullptr);
        char* hex = BN_bn2hex(number);
        serial = hex;
        OPENSSL_free(hex);
        BN_free(number);
        X509_free(cert);
      }
      SSL_shutdown(ssl);
    }
    SSL_free(ssl);
    SSL_CTX_free(ctx);
  }
  close(fd);
  return serial;
}

TEST_F(ServicesTlsTest, ANewServerCertificateAndKeyAreServedWithoutARestart) {
  TempDir dir;
  const std::string cert = dir.Sub("server.pem");
  const std::string key = dir.Sub("server.key");
  WriteText(cert, ReadText(Pki("server.pem")));
  WriteText(key, ReadText(Pki("server.key")));
  ASSERT_EQ(chmod(key.c_str(), 0600), 0);
  ServerOptions options = TlsOptions();
  options.tls.cert_path = cert;
  options.tls.key_path = key;
  ASSERT_EQ(options.tls.refresh_interval_seconds, 1u);
  TestServer server(options);
  const std::string first = ServedCertificateSerial(server.server().port());
  ASSERT_FALSE(first.empty()) << "no TLS handshake with the server";
  // A new key and certificate for the same names, serial 424242, signed by the same CA.
  const std::string make = absl::StrCat(
      "cd ", dir.path(), " && printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n",
      "extendedKeyUsage=serverAuth\n' > ext && ",
      "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes ",
      "-keyout new.key -subj '/O=grantledger dev/CN=localhost' -out new.csr 2>/dev/null && ",
      "openssl x509 -req -in new.csr -CA ", Pki("ca.pem"), " -CAkey ", Pki("ca.key"),
      " -set_serial 424242 -days 30 -extfile ext -out new.pem 2>/dev/null && chmod 600 new.key");
  ASSERT_EQ(std::system(make.c_str()), 0) << make;
  // The key first, then the certificate, each by rename: the watcher serves a pair only once
  // the key matches the certificate.
  ASSERT_EQ(rename(dir.Sub("new.key").c_str(), key.c_str()), 0);
  ASSERT_EQ(rename(dir.Sub("new.pem").c_str(), cert.c_str()), 0);
  const auto replaced = std::chrono::steady_clock::now();
  const std::string kNewSerial = "067932";  // 424242
  ASSERT_NE(first, kNewSerial);
  std::string served = first;
  while (served != kNewSerial &&
         std::chrono::steady_clock::now() - replaced < std::chrono::seconds(10)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    served = ServedCertificateSerial(server.server().port());
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - replaced).count();
  EXPECT_EQ(served, kNewSerial) << "still the old certificate after " << seconds << " s";
  // The watcher looks once per interval (1 s); the time is reported, not asserted (the
  // machines are shared).
  std::cout << "new certificate served after " << seconds << " s\n";
  // Clients verifying the server against the CA go on working over new connections.
  auto context = ContextWithDeadline();
  v1::ListGrantsResponse response;
  EXPECT_TRUE(v1::QueryService::NewStub(Channel(server.address(), "poster"))
                  ->ListGrants(context.get(), v1::ListGrantsRequest(), &response)
                  .ok());
}

TEST_F(ServicesTlsTest, AChangedClientCaFileIsReadAgainWithoutARestart) {
  TempDir dir;
  const std::string ca = dir.Sub("client-ca.pem");
  WriteText(ca, ReadText(Pki("ca.pem")));
  ServerOptions options = TlsOptions();
  options.tls.client_ca_path = ca;
  TestServer server(options);
  auto list_as = [&](const std::string& who) {
    auto context = ContextWithDeadline();
    v1::ListGrantsResponse response;
    return v1::QueryService::NewStub(Channel(server.address(), who))
        ->ListGrants(context.get(), v1::ListGrantsRequest(), &response);
  };
  ASSERT_TRUE(list_as("poster").ok());
  EXPECT_THAT(list_as("stranger"), GrpcStatusIs(grpc::StatusCode::UNAUTHENTICATED,
                                                HasSubstr("was not issued by the server's")));
  // The other CA replaces ours (looked at no more than once a second).
  WriteText(ca, ReadText(Pki("other-ca.pem")));
  grpc::Status s;
  for (int i = 0; i < 100 && (s = list_as("poster")).ok(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_THAT(s, GrpcStatusIs(grpc::StatusCode::UNAUTHENTICATED,
                              HasSubstr("was not issued by the server's client CA")));
  EXPECT_TRUE(list_as("stranger").ok());
  // A broken file leaves the last good CA in force.
  WriteText(ca, "not a certificate");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_TRUE(list_as("stranger").ok());
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
