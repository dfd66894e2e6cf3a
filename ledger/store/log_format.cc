// Key encodings, log values and the chain hash; see log_format.h.
#include "ledger/store/log_format.h"

#include "ledger/tlog/sha256.h"

namespace grantledger {

std::string EncodeSequence(uint64_t sequence) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(sequence & 0xff);
    sequence >>= 8;
  }
  return out;
}

uint64_t DecodeSequence(absl::string_view bytes) {
  uint64_t out = 0;
  for (int i = 0; i < 8; ++i) out = (out << 8) | static_cast<unsigned char>(bytes[i]);
  return out;
}

std::string GrantIndexPrefix(absl::string_view grant_id) {
  std::string out(grant_id);
  out.push_back('\0');
  return out;
}

std::string GrantIndexKey(absl::string_view grant_id, uint64_t sequence) {
  return GrantIndexPrefix(grant_id) + EncodeSequence(sequence);
}

std::string EncodeGrantIndexValue(const std::vector<uint64_t>& sequences) {
  std::string out;
  for (size_t i = 1; i < sequences.size(); ++i) {
    uint64_t delta = sequences[i] - sequences[i - 1];
    while (delta >= 0x80) {
      out.push_back(static_cast<char>(delta | 0x80));
      delta >>= 7;
    }
    out.push_back(static_cast<char>(delta));
  }
  return out;
}

namespace {
// Reads a varint of at most `max_shift` + 7 bits at `i`, advancing it; false if it runs past the
// end, is too long, or is not the shortest encoding of its value (a redundant final zero group,
// or bits past 64): each value has one encoding, so stored bytes decode one way and re-encode
// to themselves (found by fuzz_log_entry).
bool ReadVarint(absl::string_view bytes, size_t& i, int max_shift, uint64_t& out) {
  out = 0;
  for (int shift = 0; shift <= max_shift; shift += 7) {
    if (i >= bytes.size()) return false;
    const unsigned char byte = static_cast<unsigned char>(bytes[i++]);
    if (shift == 63 && (byte & 0x7e) != 0) return false;
    out |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return shift == 0 || byte != 0;
  }
  return false;
}
}  // namespace

bool DecodeGrantIndexValue(uint64_t first, absl::string_view value, std::vector<uint64_t>& out) {
  out.push_back(first);
  uint64_t current = first;
  size_t i = 0;
  while (i < value.size()) {
    uint64_t delta = 0;
    if (!ReadVarint(value, i, 63, delta) || delta == 0) return false;
    if (delta > UINT64_MAX - current) return false;  // a damaged value must not wrap around
    current += delta;
    out.push_back(current);
  }
  return true;
}

std::string EncodeGrantIndexEntry(uint64_t prior_count, const std::vector<uint64_t>& sequences) {
  std::string out;
  uint64_t v = prior_count;
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  out += EncodeGrantIndexValue(sequences);
  return out;
}

bool DecodeGrantIndexEntry(uint64_t first, absl::string_view value, uint64_t& prior_count,
                           std::vector<uint64_t>& out) {
  size_t i = 0;
  if (!ReadVarint(value, i, 63, prior_count)) return false;
  return DecodeGrantIndexValue(first, value.substr(i), out);
}

void AppendVarint32(std::string& out, uint32_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>(value | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

bool SplitLogEntry(absl::string_view entry, std::vector<LogValue>& out) {
  size_t i = 0;
  while (i < entry.size()) {
    uint64_t length = 0;
    if (!ReadVarint(entry, i, 28, length) || length > UINT32_MAX) return false;
    if (entry.size() - i < length + kHashBytes) return false;
    out.push_back(LogValue{entry.substr(i + length, kHashBytes), entry.substr(i, length)});
    i += length + kHashBytes;
  }
  return true;
}

void AppendLogRecord(std::string& entry, absl::string_view record_bytes, absl::string_view hash) {
  AppendVarint32(entry, static_cast<uint32_t>(record_bytes.size()));
  entry.append(record_bytes.data(), record_bytes.size());
  entry.append(hash.data(), hash.size());
}

void ChainHashInto(absl::string_view prev_hash, absl::string_view record_bytes, char* out) {
  Sha256Into({prev_hash, record_bytes}, out);
}

std::string ChainHash(absl::string_view prev_hash, absl::string_view record_bytes) {
  std::string out(kHashBytes, '\0');
  ChainHashInto(prev_hash, record_bytes, out.data());
  return out;
}

std::string HexOf(absl::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

}  // namespace grantledger
