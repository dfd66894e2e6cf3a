// Thousands of generated event sequences, valid and invalid mixed, appended through the real
// store. After every step: the trial balance is zero, a replay from the log equals the kept
// state, an idempotent retry adds nothing, and a rejected batch changed nothing.
#include <random>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/balances.h"
#include "ledger/store/event_store.h"
#include "tests/test_support.h"

namespace grantledger {
namespace {

using ::grantledger::testing::Allocate;
using ::grantledger::testing::IsOk;
using ::grantledger::testing::Reallocate;
using ::grantledger::testing::Receipt;
using ::grantledger::testing::RegisterGrant;
using ::grantledger::testing::Repay;
using ::grantledger::testing::Reverse;
using ::grantledger::testing::Spend;
using ::grantledger::testing::TempDir;

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  v1::Event Next(uint64_t head) {
    const std::string id = absl::StrCat("e", seed_counter_++);
    const std::string grant = absl::StrCat("RS/", Pick(4), "/2025");  // some never registered
    const int64_t amount = Amount();
    const std::string activity = absl::StrCat("p", Pick(5));
    const std::string division = Pick(2) == 0 ? "Med" : "HS Kir";
    switch (Pick(10)) {
      case 0:
        return RegisterGrant(id, grant, Amount() * 10);
      case 1:
      case 2:
        return Receipt(id, grant, amount);
      case 3:
        return Allocate(id, grant, amount, activity, division);
      case 4:
        return Reallocate(id, grant, amount, activity, division, absl::StrCat("p", Pick(5)), "Med");
      case 5:
      case 6:
        return Spend(id, grant, amount, Pick(3) == 0 ? "" : activity, Pick(3) == 0 ? "" : division);
      case 7:
        return Repay(id, grant, amount);
      case 8:
        if (Pick(3) == 0) {
          v1::Event carry = Receipt(id, grant, amount);
          carry.clear_receipt();
          carry.mutable_carry_over()->set_amount_ore(amount);
          carry.mutable_carry_over()->set_to_grant_id(absl::StrCat("RS/", Pick(4), "/2025"));
          carry.mutable_carry_over()->set_decision_ref("beslut");
          return carry;
        }
        return Reverse(id, grant, head == 0 ? 1 : 1 + rng_() % (head + 2));
      default: {
        v1::Event bad = Receipt(id, grant, Pick(2) == 0 ? 0 : -amount);  // always invalid
        return bad;
      }
    }
  }
  int Pick(int n) { return static_cast<int>(rng_() % n); }
  int64_t Amount() { return 1 + static_cast<int64_t>(rng_() % 1'000'000'00); }

 private:
  std::mt19937 rng_;
  uint64_t seed_counter_ = 0;
};

TEST(RandomizedLedgerTest, InvariantsHoldOverGeneratedSequences) {
  TempDir dir;
  EventStoreOptions options;
  options.path = dir.path();
  options.check_invariants = true;
  options.sync = false;  // durability is tested elsewhere; this test is about rules and state
  options.checkpoint_interval_events = 97;
  auto opened = EventStore::Open(options);
  ASSERT_THAT(opened, IsOk());
  std::unique_ptr<EventStore> store = std::move(*opened);
  Generator gen(20251231);
  int accepted = 0, rejected = 0;
  for (int step = 0; step < 3000; ++step) {
    const int batch_size = 1 + gen.Pick(4);
    std::vector<v1::Event> batch;
    for (int i = 0; i < batch_size; ++i) batch.push_back(gen.Next(store->Head().sequence));
    const LedgerState before = store->State();
    auto result = store->Append(batch);
    if (result.ok()) {
      ++accepted;
      // An idempotent retry returns the same sequences and writes nothing.
      const Digest head = store->Head();
      auto retry = store->Append(batch);
      ASSERT_THAT(retry, IsOk());
      EXPECT_EQ(retry->sequences, result->sequences);
      EXPECT_EQ(store->Head().sequence, head.sequence);
      EXPECT_EQ(store->Head().head_hash, head.head_hash);
    } else {
      ++rejected;
      EXPECT_EQ(store->State(), before) << "step " << step << ": " << result.status();
    }
    ASSERT_EQ(store->State().TrialBalance(), 0);
    if (step % 50 == 0) {
      // The as-of histories, read at the far future and the head, agree with the projections.
      const LedgerState state = store->State();
      for (const auto& [id, grant] : state.grants) {
        auto position = store->Position(id, AsOf{absl::CivilDay(2999, 12, 31), 0});
        ASSERT_THAT(position, IsOk());
        const GrantBalance kept = BalanceOfGrant(grant);
        EXPECT_EQ(position->balance.received_ore.value(), kept.received_ore.value()) << id;
        EXPECT_EQ(position->balance.spent_ore.value(), kept.spent_ore.value()) << id;
        EXPECT_EQ(position->balance.repaid_ore.value(), kept.repaid_ore.value()) << id;
        EXPECT_EQ(position->balance.allocated_ore.value(), kept.allocated_ore.value()) << id;
        EXPECT_EQ(position->balance.carried_out_ore.value(), kept.carried_out_ore.value()) << id;
        EXPECT_EQ(position->balance.remaining_ore.value(), kept.remaining_ore.value()) << id;
      }
    }
    if (step % 250 == 0 || step == 2999) {
      auto replayed = store->Replay(0);
      ASSERT_THAT(replayed, IsOk());
      ASSERT_EQ(*replayed, store->State()) << "step " << step;
    }
    if (step % 1000 == 999) {
      // Reopen: the checkpoint plus the tail must give the same state.
      const LedgerState kept = store->State();
      store.reset();
      auto reopened = EventStore::Open(options);
      ASSERT_THAT(reopened, IsOk());
      store = std::move(*reopened);
      ASSERT_EQ(store->State(), kept);
    }
  }
  EXPECT_GT(accepted, 300);
  EXPECT_GT(rejected, 300);
  auto verified = store->Verify(0, 0);
  ASSERT_THAT(verified, IsOk());
  EXPECT_TRUE(verified->ok);
}

}  // namespace
}  // namespace grantledger
