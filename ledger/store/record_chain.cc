// Building log records; see record_chain.h.
#include "ledger/store/record_chain.h"

#include <cstring>

#include "google/protobuf/io/coded_stream.h"

namespace grantledger {

void AppendRecord(std::string& entry, uint64_t sequence, int64_t recorded_time_unix_micros,
                  absl::string_view event_bytes, absl::string_view author,
                  absl::string_view prev_hash, char* hash) {
  using google::protobuf::io::CodedOutputStream;
  const auto time = static_cast<uint64_t>(recorded_time_unix_micros);
  const size_t author_size =
      author.empty() ? 0 : 1 + CodedOutputStream::VarintSize32(author.size()) + author.size();
  const size_t record_size =
      3 + CodedOutputStream::VarintSize64(sequence) + CodedOutputStream::VarintSize64(time) +
      CodedOutputStream::VarintSize32(event_bytes.size()) + event_bytes.size() + author_size;
  AppendVarint32(entry, static_cast<uint32_t>(record_size));
  const size_t offset = entry.size();
  entry.resize(offset + record_size + kHashBytes);
  auto* out = reinterpret_cast<uint8_t*>(entry.data() + offset);
  *out++ = 1 << 3 | 0;
  out = CodedOutputStream::WriteVarint64ToArray(sequence, out);
  *out++ = 2 << 3 | 0;
  out = CodedOutputStream::WriteVarint64ToArray(time, out);
  *out++ = 4 << 3 | 2;
  out = CodedOutputStream::WriteVarint32ToArray(static_cast<uint32_t>(event_bytes.size()), out);
  std::memcpy(out, event_bytes.data(), event_bytes.size());
  out += event_bytes.size();
  if (!author.empty()) {
    *out++ = 5 << 3 | 2;
    out = CodedOutputStream::WriteVarint32ToArray(static_cast<uint32_t>(author.size()), out);
    std::memcpy(out, author.data(), author.size());
  }
  ChainHashInto(prev_hash, absl::string_view(entry.data() + offset, record_size), hash);
  std::memcpy(entry.data() + offset + record_size, hash, kHashBytes);
}

std::string SerializeEvent(const v1::Event& event) {
  // Events have no map fields, so the plain encoding is deterministic.
  std::string out;
  event.SerializeToString(&out);
  return out;
}

}  // namespace grantledger
