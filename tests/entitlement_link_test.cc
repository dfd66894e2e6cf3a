// A grant's entitlement model: the expected amount from the parameters recorded on the grant,
// invalid parameters rejected when the grant is registered, and the model kept through
// amendments, checkpoints and the two-clock positions.
#include "ledger/entitlement_link.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/rules.h"
#include "ledger/store/event_store.h"
#include "tests/test_support.h"

namespace grantledger {
namespace {

using ::grantledger::testing::Envelope;
using ::grantledger::testing::IsOk;
using ::grantledger::testing::RegisterGrant;
using ::grantledger::testing::StatusIs;
using ::grantledger::testing::TempDir;
using ::testing::HasSubstr;

v1::EntitlementModel Population(int64_t pot_kr, const std::string& recipient) {
  v1::EntitlementModel m;
  auto* p = m.mutable_population_share();
  p->set_pot_kr(pot_kr);
  p->set_recipient(recipient);
  for (auto [name, weight] : {std::pair<const char*, int64_t>{"Stockholm", 2'455'914},
                              {"Jämtland", 132'466},
                              {"Gotland", 61'001}}) {
    auto* r = p->add_recipients();
    r->set_name(name);
    r->set_weight(weight);
  }
  return m;
}

TEST(EntitlementLinkTest, PopulationShareOfTheNamedRecipient) {
  // 1 000 000 kr by 2 649 381 people: Jämtland 132 466 / 2 649 381 = 49 998.75... kr.
  auto expected = ExpectedAmount(Population(1'000'000, "Jämtland"));
  ASSERT_THAT(expected, IsOk());
  EXPECT_EQ(expected->model, "population share");
  EXPECT_EQ(expected->expected_ore, Ore::FromKronor(49'999));
  int64_t sum = 0;
  for (const char* name : {"Stockholm", "Jämtland", "Gotland"}) {
    sum += ExpectedAmount(Population(1'000'000, name))->expected_ore.value() / 100;
  }
  EXPECT_EQ(sum, 1'000'000);  // the shares add up to the pot exactly
  EXPECT_THAT(ExpectedAmount(Population(1'000'000, "Uppsala")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("recipient")));
}

TEST(EntitlementLinkTest, PerUnitWithTheJamtlandCap) {
  v1::EntitlementModel m;
  auto* p = m.mutable_per_unit();
  p->set_cap_kr(7'034'468);
  auto* hips = p->add_categories();
  hips->set_name("Höftledsprotes");
  hips->set_rate_kr(108'000);
  hips->set_actual_count(120);
  for (int64_t r : {70, 72, 74}) hips->add_reference_counts(r);
  auto expected = ExpectedAmount(m);  // 48 units above 72: 5 184 000 kr, under the cap
  ASSERT_THAT(expected, IsOk());
  EXPECT_EQ(expected->expected_ore, Ore::FromKronor(5'184'000));
  hips->set_actual_count(150);  // 78 units: 8 424 000 kr, capped
  EXPECT_EQ(ExpectedAmount(m)->expected_ore, Ore::FromKronor(7'034'468));
}

TEST(EntitlementLinkTest, InvalidParametersAreRejectedAtRegistration) {
  v1::Event reg = RegisterGrant("reg", "S2024/1", 100);
  *reg.mutable_grant_registered()->mutable_entitlement() = Population(1'000, "Nowhere");
  EXPECT_THAT(CheckEventShape(reg),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("entitlement")));
}

TEST(EntitlementLinkTest, TheModelFollowsAmendmentsCheckpointsAndPositions) {
  TempDir dir;
  EventStoreOptions options;
  options.path = dir.path();
  options.check_invariants = true;
  {
    auto store = EventStore::Open(options);
    ASSERT_THAT(store, IsOk());
    v1::Event reg = RegisterGrant("reg", "S2024/1", 100);
    *reg.mutable_grant_registered()->mutable_entitlement() = Population(1'000'000, "Jämtland");
    v1::Event amended = Envelope("amend", "S2024/1", "2025-09-01");
    amended.mutable_terms_amended()->set_decision_ref("final population");
    *amended.mutable_terms_amended()->mutable_entitlement() = Population(2'000'000, "Jämtland");
    ASSERT_THAT((*store)->Append({reg, amended}), IsOk());
  }
  auto store = EventStore::Open(options);  // from the checkpoint written on close
  ASSERT_THAT(store, IsOk());
  v1::EntitlementModel now;
  ASSERT_TRUE(now.ParseFromString((*store)->Grant("S2024/1")->terms.entitlement));
  EXPECT_EQ(ExpectedAmount(now)->expected_ore, Ore::FromKronor(99'998));
  auto before = (*store)->Position("S2024/1", AsOf{absl::CivilDay(2025, 6, 1), 0});
  ASSERT_THAT(before, IsOk());
  v1::EntitlementModel then;
  ASSERT_TRUE(then.ParseFromString(before->terms.entitlement));
  EXPECT_EQ(ExpectedAmount(then)->expected_ore,
            Ore::FromKronor(49'999));  // before the amendment's date
}

}  // namespace
}  // namespace grantledger
