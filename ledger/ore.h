// Ore: an amount of money as a whole number of öre (1 kr = 100 öre), the money type of the
// postings, balances, positions, obligations and entitlement models. Built from int64_t only
// explicitly, never from floating point; + - * and unary - are checked: an overflow aborts
// with a message (a broken invariant, never a silently wrapped amount), and CheckedAdd /
// CheckedSub report it as nullopt where input can cause it. Proto messages and GrantState keep
// int64_t: convert at those boundaries with Ore(x) and .value() (docs/decisions.md, issue 12).
#ifndef GRANTLEDGER_LEDGER_ORE_H_
#define GRANTLEDGER_LEDGER_ORE_H_

#include <compare>
#include <cstdint>
#include <optional>
#include <ostream>
#include <type_traits>

namespace grantledger {

namespace ore_internal {
// Prints "grantledger: money overflow: <a> <op> <b> öre does not fit in 64 bits" and aborts.
[[noreturn]] void Overflow(const char* op, int64_t a, int64_t b);
}  // namespace ore_internal

class Ore {
 public:
  constexpr Ore() = default;
  constexpr explicit Ore(int64_t ore) : ore_(ore) {}
  // Money is never floating point: Ore(1.5) does not compile.
  template <typename F, std::enable_if_t<std::is_floating_point_v<F>, int> = 0>
  Ore(F) = delete;

  // `kronor` whole kronor. REQUIRES: kronor * 100 fits (aborts otherwise).
  static constexpr Ore FromKronor(int64_t kronor) {
    int64_t out = 0;
    if (__builtin_mul_overflow(kronor, int64_t{100}, &out))
      ore_internal::Overflow("*", kronor, 100);
    return Ore(out);
  }

  // The same, or nullopt when kronor * 100 does not fit (for amounts from input).
  static constexpr std::optional<Ore> CheckedFromKronor(int64_t kronor) {
    int64_t out = 0;
    if (__builtin_mul_overflow(kronor, int64_t{100}, &out)) return std::nullopt;
    return Ore(out);
  }

  constexpr int64_t value() const { return ore_; }

  friend constexpr bool operator==(Ore, Ore) = default;
  friend constexpr std::strong_ordering operator<=>(Ore, Ore) = default;

  // REQUIRES: the result fits in int64 (aborts otherwise).
  friend constexpr Ore operator+(Ore a, Ore b) {
    int64_t out = 0;
    if (__builtin_add_overflow(a.ore_, b.ore_, &out)) ore_internal::Overflow("+", a.ore_, b.ore_);
    return Ore(out);
  }
  friend constexpr Ore operator-(Ore a, Ore b) {
    int64_t out = 0;
    if (__builtin_sub_overflow(a.ore_, b.ore_, &out)) ore_internal::Overflow("-", a.ore_, b.ore_);
    return Ore(out);
  }
  constexpr Ore operator-() const { return Ore(0) - *this; }
  friend constexpr Ore operator*(Ore a, int64_t n) {
    int64_t out = 0;
    if (__builtin_mul_overflow(a.ore_, n, &out)) ore_internal::Overflow("*", a.ore_, n);
    return Ore(out);
  }
  // Rounds toward zero. REQUIRES: n != 0.
  friend constexpr Ore operator/(Ore a, int64_t n) {
    if (n == 0 || (n == -1 && a.ore_ == INT64_MIN)) ore_internal::Overflow("/", a.ore_, n);
    return Ore(a.ore_ / n);
  }
  constexpr Ore& operator+=(Ore b) { return *this = *this + b; }
  constexpr Ore& operator-=(Ore b) { return *this = *this - b; }

 private:
  int64_t ore_ = 0;
};

// a + b and a - b, or nullopt when the result does not fit in int64.
constexpr std::optional<Ore> CheckedAdd(Ore a, Ore b) {
  int64_t out = 0;
  if (__builtin_add_overflow(a.value(), b.value(), &out)) return std::nullopt;
  return Ore(out);
}
constexpr std::optional<Ore> CheckedSub(Ore a, Ore b) {
  int64_t out = 0;
  if (__builtin_sub_overflow(a.value(), b.value(), &out)) return std::nullopt;
  return Ore(out);
}

// The whole number of öre, as the JSON outputs and the test messages write amounts. For
// people, FormatKronor (ledger/money.h).
inline std::ostream& operator<<(std::ostream& out, Ore amount) { return out << amount.value(); }

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_ORE_H_
