// The authorization policy's pure functions, table by table: parsing the policy file, which
// RPCs each role may call, which event kinds it may append where, and the listening rule.
#include <sys/stat.h>

#include <fstream>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/authz_policy.h"
#include "services/tls_credentials.h"
#include "tests/test_support.h"

namespace grantledger {
namespace {

using ::grantledger::testing::IsOk;
using ::grantledger::testing::Receipt;
using ::grantledger::testing::StatusIs;
using ::grantledger::testing::TempDir;
using ::testing::AllOf;
using ::testing::HasSubstr;

PolicyEntry Entry(Role role, std::vector<std::string> grants = {},
                  std::vector<std::string> cost_objects = {}) {
  PolicyEntry e;
  e.identity = "spiffe://x/p";
  e.role = role;
  e.grants = std::move(grants);
  e.cost_objects = std::move(cost_objects);
  return e;
}

TEST(AuthzPolicyTest, ParsesThePolicyFileAndRefusesWhatItCannotUse) {
  auto policy = ParseAuthzPolicy(R"({"principals": [
      {"identity": "spiffe://x/poster", "role": "poster", "cost_objects": ["9929"]},
      {"identity": "cn-admin", "role": "admin"}]})");
  ASSERT_THAT(policy, IsOk());
  ASSERT_NE(policy->Find("spiffe://x/poster"), nullptr);
  EXPECT_EQ(policy->Find("spiffe://x/poster")->role, Role::kPoster);
  EXPECT_EQ(policy->Find("spiffe://x/poster")->cost_objects, std::vector<std::string>{"9929"});
  EXPECT_EQ(policy->Find("cn-admin")->role, Role::kAdmin);
  EXPECT_EQ(policy->Find("nobody"), nullptr);

  struct Bad {
    const char* json;
    const char* message;
  };
  for (const Bad& bad : {
           Bad{R"({"principals": [{"identity": "a", "role": "root"}]})",
               "principals[0].role: \"root\" for a is not a role"},
           Bad{R"({"principals": [{"role": "admin"}]})", "principals[0].identity: empty"},
           Bad{R"({"principals": [{"identity": "a", "role": "admin"},
                                  {"identity": "a", "role": "poster"}]})",
               "principals[1].identity: a is listed twice"},
           Bad{R"({"principals": [{"identity": "a", "roles": "admin"}]})", "not a policy"},
           Bad{"[", "not a policy"},
       }) {
    SCOPED_TRACE(bad.json);
    EXPECT_THAT(ParseAuthzPolicy(bad.json),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(bad.message)));
  }
}

TEST(AuthzPolicyTest, EachRoleMayCallItsRpcs) {
  struct Row {
    Role role;
    const char* method;
    bool allowed;
  };
  const Row rows[] = {
      {Role::kPoster, "LedgerService/Append", true},
      {Role::kPoster, "LedgerService/AppendStream", true},
      {Role::kPoster, "QueryService/GetBalances", true},
      {Role::kPoster, "YearEndService/GetObligations", false},
      {Role::kPoster, "YearEndService/GetPosition", true},  // one grant's balances
      {Role::kPoster, "AuditService/ReadEvents", false},
      {Role::kCoordinator, "LedgerService/Append", true},
      {Role::kCoordinator, "QueryService/GetGrant", true},
      {Role::kCoordinator, "YearEndService/ListUnused", true},
      {Role::kCoordinator, "YearEndService/SomethingNew", true},  // the whole service
      {Role::kCoordinator, "AuditService/VerifyChain", false},
      {Role::kCoordinator, "AuditService/GetDigest", true},  // sealing a year
      {Role::kCoordinator, "AuditService/GetCheckpoint", true},
      {Role::kCoordinator, "AuditService/ReadEvents", true},
      {Role::kAuditor, "LedgerService/Append", false},
      {Role::kAuditor, "LedgerService/AppendStream", false},
      {Role::kAuditor, "QueryService/ListGrants", true},
      {Role::kAuditor, "YearEndService/GetFinancialAccount", true},
      {Role::kAuditor, "AuditService/Subscribe", true},
      {Role::kAuditor, "AuditService/SomethingNewForAuditors", true},
      {Role::kPoster, "LedgerService/SomethingNew", false},  // later operations: admin only
      {Role::kAdmin, "LedgerService/SomethingNew", true},
      {Role::kAdmin, "AuditService/GetDigest", true},
      {Role::kAdmin, "AdminService/Compact", true},
      {Role::kAuditor, "AdminService/Compact", false},
      {Role::kPoster, "ServerReflection/ServerReflectionInfo", true},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(absl::StrCat(RoleName(row.role), " ", row.method));
    const PolicyEntry entry = Entry(row.role);
    absl::Status s = AuthorizeMethod(entry.identity, &entry, row.method);
    if (row.allowed) {
      EXPECT_THAT(s, IsOk());
    } else {
      EXPECT_THAT(
          s,
          StatusIs(absl::StatusCode::kPermissionDenied,
                   AllOf(HasSubstr(absl::StrCat("principal spiffe://x/p (role ", RoleName(row.role),
                                                ") may not call ", row.method, ": ")),
                         HasSubstr(RoleAbilities(row.role)))));
    }
  }
  EXPECT_THAT(AuthorizeMethod("spiffe://x/q", nullptr, "QueryService/GetGrant"),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("principal spiffe://x/q has no role in the authorization "
                                 "policy")));
  EXPECT_THAT(AuthorizeMethod("spiffe://x/q", nullptr, "ServerReflection/ServerReflectionInfo"),
              IsOk());
}

v1::Event OfKind(v1::Event::BodyCase kind) {
  v1::Event e = testing::Envelope("e", "RS/1/2025");
  switch (kind) {
    case v1::Event::kGrantRegistered:
      e.mutable_grant_registered()->set_cost_object("9929");
      break;
    case v1::Event::kTermsAmended:
      e.mutable_terms_amended()->set_decision_ref("d");
      break;
    case v1::Event::kReceipt:
      e.mutable_receipt()->set_amount_ore(1);
      break;
    case v1::Event::kAllocation:
      e.mutable_allocation()->set_amount_ore(1);
      break;
    case v1::Event::kReallocation:
      e.mutable_reallocation()->set_amount_ore(1);
      break;
    case v1::Event::kExpense:
      e.mutable_expense()->set_amount_ore(1);
      break;
    case v1::Event::kRepayment:
      e.mutable_repayment()->set_amount_ore(1);
      break;
    case v1::Event::kReversal:
      e.mutable_reversal()->set_reversed_sequence(7);
      break;
    case v1::Event::kCarryOver:
      e.mutable_carry_over()->set_to_grant_id("RS/1/2025");
      break;
    case v1::Event::kConditionRecorded:
      e.mutable_condition_recorded()->set_condition_id("c");
      break;
    case v1::Event::kSeal:
      e.mutable_seal()->set_year(2025);
      break;
    default:
      break;
  }
  return e;
}

TEST(AuthzPolicyTest, EachRoleMayAppendItsEventKinds) {
  using K = v1::Event;
  const std::vector<K::BodyCase> kinds = {K::kGrantRegistered,   K::kTermsAmended, K::kReceipt,
                                          K::kAllocation,        K::kReallocation, K::kExpense,
                                          K::kRepayment,         K::kReversal,     K::kCarryOver,
                                          K::kConditionRecorded, K::kSeal};
  const std::map<Role, std::set<K::BodyCase>> allowed = {
      {Role::kPoster, {K::kReceipt, K::kExpense, K::kRepayment, K::kReversal}},
      {Role::kCoordinator,
       {K::kGrantRegistered, K::kTermsAmended, K::kAllocation, K::kReallocation,
        K::kConditionRecorded, K::kCarryOver, K::kReversal, K::kSeal}},
      {Role::kAuditor, {}},
      {Role::kAdmin, std::set<K::BodyCase>(kinds.begin(), kinds.end())},
  };
  for (const auto& [role, may] : allowed) {
    const PolicyEntry entry = Entry(role);
    for (K::BodyCase kind : kinds) {
      const v1::Event event = OfKind(kind);
      SCOPED_TRACE(absl::StrCat(RoleName(role), " appends ", EventKindName(event)));
      EventFacts facts;
      facts.reversed_author = entry.identity;  // its own event
      absl::Status s = AuthorizeEvent(entry, event, 3, facts);
      if (may.count(kind) > 0) {
        EXPECT_THAT(s, IsOk());
      } else {
        EXPECT_THAT(
            s, StatusIs(
                   absl::StatusCode::kPermissionDenied,
                   AllOf(HasSubstr(absl::StrCat("event 3 (event_id \"e\"): principal spiffe://x/p "
                                                "(role ",
                                                RoleName(role), ") may not append ",
                                                EventKindName(event), " events: ")),
                         HasSubstr(RoleAbilities(role)))));
        EXPECT_EQ(s.GetPayload("type.grantledger/event_index").value_or(absl::Cord()), "3");
      }
    }
  }
}

TEST(AuthzPolicyTest, APosterReversesOnlyItsOwnEvents) {
  const PolicyEntry poster = Entry(Role::kPoster);
  const v1::Event reversal = OfKind(v1::Event::kReversal);
  EXPECT_TRUE(NeedsFacts(poster, reversal));
  EXPECT_FALSE(NeedsFacts(poster, OfKind(v1::Event::kExpense)));
  EXPECT_FALSE(NeedsFacts(Entry(Role::kCoordinator), reversal));
  EventFacts own;
  own.reversed_author = "spiffe://x/p";
  EXPECT_THAT(AuthorizeEvent(poster, reversal, 0, own), IsOk());
  EventFacts other;
  other.reversed_author = "spiffe://x/other";
  EXPECT_THAT(AuthorizeEvent(poster, reversal, 0, other),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("may reverse only events it posted itself; sequence 7 was "
                                 "posted by spiffe://x/other; ask a coordinator")));
  EventFacts old;
  old.reversed_author = "";  // written before authors were recorded
  EXPECT_THAT(AuthorizeEvent(poster, reversal, 0, old),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("an unrecorded author")));
  EXPECT_THAT(AuthorizeEvent(poster, reversal, 0, EventFacts()),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("is not in the ledger")));
  EXPECT_THAT(AuthorizeEvent(Entry(Role::kCoordinator), reversal, 0, other), IsOk());
}

TEST(AuthzPolicyTest, ALimitedPrincipalPostsOnlyToItsGrantsAndCostObjects) {
  const PolicyEntry by_object = Entry(Role::kAdmin, {}, {"9929"});
  const PolicyEntry by_grant = Entry(Role::kAdmin, {"RS/1/2025"});
  const v1::Event receipt = OfKind(v1::Event::kReceipt);
  EXPECT_TRUE(NeedsFacts(by_object, receipt));
  struct Row {
    const PolicyEntry* entry;
    std::optional<std::string> cost_object;
    bool allowed;
  };
  for (const Row& row : {Row{&by_object, "9929", true}, Row{&by_object, "1234", false},
                         Row{&by_object, std::nullopt, false}, Row{&by_grant, "1234", true},
                         Row{&by_grant, std::nullopt, true}}) {
    EventFacts facts;
    facts.grant_cost_object = row.cost_object;
    absl::Status s = AuthorizeEvent(*row.entry, receipt, 0, facts);
    if (row.allowed) {
      EXPECT_THAT(s, IsOk());
    } else {
      EXPECT_THAT(s, StatusIs(absl::StatusCode::kPermissionDenied,
                              HasSubstr("may post only to grants on cost objects 9929; grant "
                                        "RS/1/2025")));
    }
  }
  // A registration is judged by the cost object it registers; an amendment by the new one
  // too; a carry-over by its receiving grant too.
  EXPECT_THAT(AuthorizeEvent(by_object, OfKind(v1::Event::kGrantRegistered), 0, {}), IsOk());
  v1::Event amend = OfKind(v1::Event::kTermsAmended);
  amend.mutable_terms_amended()->set_cost_object("1234");
  EventFacts on_9929;
  on_9929.grant_cost_object = "9929";
  EXPECT_THAT(AuthorizeEvent(by_object, amend, 0, on_9929),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("moving grant RS/1/2025 to cost object 1234")));
  v1::Event carry = OfKind(v1::Event::kCarryOver);
  carry.mutable_carry_over()->set_to_grant_id("RS/2/2025");
  EventFacts to_1234 = on_9929;
  to_1234.to_grant_cost_object = "1234";
  EXPECT_THAT(AuthorizeEvent(by_object, carry, 0, to_1234),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("the receiving grant RS/2/2025 is outside them")));
}

TEST(ListenPolicyTest, OffLoopbackTheServerNeedsMutualTlsOrInsecureListen) {
  for (const char* address :
       {"127.0.0.1:50051", "127.1.2.3:0", "localhost:50051", "[::1]:50051", "LOCALHOST:1"}) {
    EXPECT_TRUE(IsLoopbackListenAddress(address)) << address;
  }
  for (const char* address : {"0.0.0.0:50051", "[::]:50051", "10.0.0.1:50051", "127.0.0:1",
                              "127.0.0.256:1", "example.org:50051", ":50051"}) {
    EXPECT_FALSE(IsLoopbackListenAddress(address)) << address;
  }
  ServerTlsOptions none;
  ServerTlsOptions server_only;
  server_only.cert_path = "s.pem";
  server_only.key_path = "s.key";
  ServerTlsOptions mutual = server_only;
  mutual.client_ca_path = "ca.pem";
  EXPECT_THAT(CheckListenPolicy("127.0.0.1:50051", none, false), IsOk());
  EXPECT_THAT(CheckListenPolicy("0.0.0.0:50051", mutual, false), IsOk());
  EXPECT_THAT(CheckListenPolicy("0.0.0.0:50051", none, true), IsOk());
  EXPECT_THAT(CheckListenPolicy("0.0.0.0:50051", none, false),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("--listen: 0.0.0.0:50051 is not a loopback address"),
                             HasSubstr("--insecure-listen"))));
  EXPECT_THAT(CheckListenPolicy("10.1.1.1:50051", server_only, false),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--client-ca")));
}

TEST(ListenPolicyTest, AKeyFileReadableByOthersIsNamed) {
  TempDir dir;
  const std::string key = dir.Sub("server.key");
  std::ofstream(key) << "key";
  ASSERT_EQ(chmod(key.c_str(), 0600), 0);
  EXPECT_EQ(KeyFilePermissionWarning(key), std::nullopt);
  ASSERT_EQ(chmod(key.c_str(), 0644), 0);
  EXPECT_THAT(KeyFilePermissionWarning(key).value_or(""),
              AllOf(HasSubstr("readable by group or others (mode 0644)"), HasSubstr("chmod 600")));
}

}  // namespace
}  // namespace grantledger
