// Moves to bytes and back; see move_codec.h.
#include "ledger/move_codec.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <limits>

namespace grantledger {
namespace {

uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

bool GetVarint(absl::string_view& in, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in.empty()) return false;
    const auto byte = static_cast<uint8_t>(in.front());
    in.remove_prefix(1);
    v |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

int64_t DayNumber(absl::CivilDay day) { return day - absl::CivilDay(1970, 1, 1); }

// The inverse, in constant time (H. Hinnant's civil_from_days, proleptic Gregorian as
// absl::CivilDay). absl's CivilDay(1970, 1, 1) + n normalizes by walking four-year cycles,
// years and months (some 30 steps for today's dates), and decoding does it twice per move.
absl::CivilDay DayOfNumber(int64_t n) {
  const int64_t z = n + 719468;  // days from 0000-03-01
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;                                       // [0, 146096]
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const int64_t mp = (5 * doy + 2) / 153;  // [0, 11], March first
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  return absl::CivilDay(yoe + era * 400 + (month <= 2), month, day);
}

// Day numbers decoded so far in one DecodeMoves call, direct-mapped: a grant's moves fall on a
// few hundred distinct days, and DayOfNumber (absl::CivilDay's constructor above all) costs
// more than the rest of a move's decoding (a quarter of an as-of query's time at 10M events).
class DayCache {
 public:
  DayCache() { std::fill(std::begin(numbers_), std::end(numbers_), kEmpty); }
  absl::CivilDay Day(int64_t n) {
    const size_t slot = static_cast<size_t>(n) & (kSlots - 1);
    if (numbers_[slot] != n) {
      numbers_[slot] = n;
      days_[slot] = DayOfNumber(n);
    }
    return days_[slot];
  }

 private:
  static constexpr size_t kSlots = 1024;
  static constexpr int64_t kEmpty = std::numeric_limits<int64_t>::min();
  int64_t numbers_[kSlots];
  absl::CivilDay days_[kSlots];
};

constexpr uint64_t kMaxKind = static_cast<uint64_t>(MoveKind::kRepayment);

}  // namespace

std::string EncodeMoves(absl::Span<const Move> moves) {
  std::string out;
  out.reserve(moves.size() * 12 + 4);
  PutVarint(out, moves.size());
  uint64_t last_sequence = 0;
  int64_t last_day = 0;
  for (const Move& m : moves) {
    PutVarint(out, ZigZag(static_cast<int64_t>(m.sequence - last_sequence)));
    const int64_t day = DayNumber(m.effective);
    PutVarint(out, ZigZag(day - last_day));
    PutVarint(out, ZigZag(DayNumber(m.booking) - day));
    PutVarint(out, ZigZag(m.amount_ore));
    PutVarint(out, static_cast<uint64_t>(m.kind));
    PutVarint(out, static_cast<uint64_t>(m.line + 1));
    PutVarint(out, static_cast<uint64_t>(m.to_line + 1));
    PutVarint(out, static_cast<uint64_t>(m.purpose + 1));
    PutVarint(out, static_cast<uint64_t>(m.cost_group + 1));
    last_sequence = m.sequence;
    last_day = day;
  }
  return out;
}

std::optional<std::vector<Move>> DecodeMoves(absl::string_view bytes, size_t lines, size_t purposes,
                                             size_t cost_groups) {
  uint64_t count = 0;
  if (!GetVarint(bytes, count) || count > bytes.size()) return std::nullopt;
  std::vector<Move> out;
  out.reserve(count);
  uint64_t sequence = 0;
  int64_t day = 0;
  DayCache days;
  // An index is stored plus one (-1, none, is 0) and must be below its table's size.
  auto index = [](absl::string_view& in, size_t limit, int32_t& into) {
    uint64_t v = 0;
    if (!GetVarint(in, v) || v > limit) return false;
    into = static_cast<int32_t>(v) - 1;
    return true;
  };
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t d_sequence = 0, d_day = 0, d_booking = 0, amount = 0, kind = 0;
    if (!GetVarint(bytes, d_sequence) || !GetVarint(bytes, d_day) || !GetVarint(bytes, d_booking) ||
        !GetVarint(bytes, amount) || !GetVarint(bytes, kind) || kind > kMaxKind) {
      return std::nullopt;
    }
    Move m;
    sequence += static_cast<uint64_t>(UnZigZag(d_sequence));
    day += UnZigZag(d_day);
    if (day < -1'000'000 || day > 1'000'000) return std::nullopt;  // beyond any civil date used
    const int64_t booking = day + UnZigZag(d_booking);
    if (booking < -1'000'000 || booking > 1'000'000) return std::nullopt;
    m.sequence = sequence;
    m.effective = days.Day(day);
    m.booking = days.Day(booking);
    m.amount_ore = UnZigZag(amount);
    m.kind = static_cast<MoveKind>(kind);
    if (!index(bytes, lines, m.line) || !index(bytes, lines, m.to_line) ||
        !index(bytes, purposes, m.purpose) || !index(bytes, cost_groups, m.cost_group)) {
      return std::nullopt;
    }
    out.push_back(m);
  }
  if (!bytes.empty()) return std::nullopt;
  return out;
}

}  // namespace grantledger
