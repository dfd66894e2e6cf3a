// Ore, the money type: explicit construction from int64 and none from floating point, exact
// comparison, checked arithmetic (an overflow is reported by CheckedAdd/CheckedSub and aborts
// the plain operators instead of wrapping), and the formatting the reports already use.
#include "ledger/ore.h"

#include <cstdint>
#include <limits>
#include <sstream>
#include <type_traits>

#include "gtest/gtest.h"
#include "ledger/money.h"

namespace grantledger {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

// Money is never floating point, and an int64 becomes money only when written so.
static_assert(!std::is_constructible_v<Ore, double>);
static_assert(!std::is_constructible_v<Ore, float>);
static_assert(!std::is_constructible_v<Ore, long double>);
static_assert(!std::is_convertible_v<int64_t, Ore>);
static_assert(!std::is_convertible_v<Ore, int64_t>);
static_assert(std::is_constructible_v<Ore, int64_t>);
static_assert(std::is_trivially_copyable_v<Ore> && sizeof(Ore) == sizeof(int64_t));
// Usable at compile time.
static_assert((Ore(150) + Ore(50)).value() == 200);
static_assert(Ore::FromKronor(3) == Ore(300));
static_assert(Ore(-1) < Ore(0) && Ore() == Ore(0));

TEST(OreTest, ArithmeticAndComparison) {
  Ore a(147'463'000'00);
  Ore b(143'016'388'00);
  EXPECT_EQ((a - b).value(), 4'446'612'00);
  EXPECT_EQ(b - a, -(a - b));
  Ore sum;
  sum += a;
  sum -= b;
  EXPECT_EQ(sum, a - b);
  EXPECT_EQ(Ore(1'000) * 3, Ore(3'000));
  EXPECT_EQ(Ore(1'000) / 3, Ore(333));  // toward zero
  EXPECT_EQ(Ore(-1'000) / 3, Ore(-333));
  EXPECT_LT(b, a);
  EXPECT_GT(a, b);
  EXPECT_EQ(std::max(Ore(0), Ore(-5)), Ore(0));
  EXPECT_EQ(Ore::FromKronor(250'000), Ore(25'000'000));
}

TEST(OreTest, CheckedOperationsReportOverflow) {
  EXPECT_EQ(CheckedAdd(Ore(kMax - 1), Ore(1)), Ore(kMax));
  EXPECT_EQ(CheckedAdd(Ore(kMax), Ore(1)), std::nullopt);
  EXPECT_EQ(CheckedAdd(Ore(kMin), Ore(-1)), std::nullopt);
  EXPECT_EQ(CheckedSub(Ore(kMin + 1), Ore(1)), Ore(kMin));
  EXPECT_EQ(CheckedSub(Ore(kMin), Ore(1)), std::nullopt);
  EXPECT_EQ(CheckedSub(Ore(0), Ore(kMin)), std::nullopt);
  EXPECT_EQ(Ore::CheckedFromKronor(kMax / 100), Ore(kMax / 100 * 100));
  EXPECT_EQ(Ore::CheckedFromKronor(kMax / 100 + 1), std::nullopt);
}

TEST(OreDeathTest, PlainOperatorsAbortOnOverflowInsteadOfWrapping) {
  EXPECT_DEATH((void)(Ore(kMax) + Ore(1)), "money overflow");
  EXPECT_DEATH((void)(Ore(kMin) - Ore(1)), "money overflow");
  EXPECT_DEATH((void)(-Ore(kMin)), "money overflow");
  EXPECT_DEATH((void)(Ore(kMax) * 2), "money overflow");
  EXPECT_DEATH((void)(Ore(1) / 0), "money overflow");
  EXPECT_DEATH((void)Ore::FromKronor(kMax), "money overflow");
  Ore total(kMax);
  EXPECT_DEATH(total += Ore(1), "money overflow");
}

TEST(OreTest, FormatsAsTheReportsDo) {
  EXPECT_EQ(FormatKronor(Ore(147'463'000'00)), "147 463 000 kr");
  EXPECT_EQ(FormatKronor(Ore(-1'234'550)), "-12 345,50 kr");
  EXPECT_EQ(FormatKronor(Ore(5), /*with_unit=*/false), "0,05");
  EXPECT_EQ(FormatKronor(Ore(kMin)), FormatKronor(kMin));
  std::ostringstream json;
  json << "{\"amount_ore\":" << Ore(-4'446'612'00) << "}";
  EXPECT_EQ(json.str(), "{\"amount_ore\":-444661200}");
}

}  // namespace
}  // namespace grantledger
