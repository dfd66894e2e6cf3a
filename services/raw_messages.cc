// See raw_messages.h.
#include "services/raw_messages.h"

#include <map>
#include <optional>
#include <vector>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "google/protobuf/unknown_field_set.h"
#include "grpcpp/impl/codegen/proto_utils.h"
#include "grpcpp/support/proto_buffer_reader.h"
#include "grpcpp/support/proto_buffer_writer.h"
#include "ledger/store/store_types.h"
#include "ledger/text_rules.h"

namespace grantledger {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::UnknownField;
using google::protobuf::UnknownFieldSet;

struct BadString {
  std::string path;  // e.g. events[2].expense.text
  std::string value;
  std::string defect;
};

constexpr int kMaxDepth = 32;

// Reads `bytes` as a `type` message without checking its strings (as unknown fields), and
// finds the first string field that is not valid UTF-8. False when the bytes are not a
// protobuf encoding.
bool FindBadString(absl::string_view bytes, const Descriptor& type, const std::string& prefix,
                   int depth, std::optional<BadString>& found) {
  UnknownFieldSet fields;
  if (!fields.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return false;
  std::map<int, int> occurrences;  // per field number: a repeated field's index
  for (int k = 0; k < fields.field_count() && !found.has_value(); ++k) {
    const UnknownField& f = fields.field(k);
    const int occurrence = occurrences[f.number()]++;
    const FieldDescriptor* field = type.FindFieldByNumber(f.number());
    if (field == nullptr || f.type() != UnknownField::TYPE_LENGTH_DELIMITED) continue;
    std::string path = absl::StrCat(prefix, prefix.empty() ? "" : ".", field->name());
    if (field->is_repeated()) absl::StrAppend(&path, "[", occurrence, "]");
    const std::string& value = f.length_delimited();
    if (field->type() == FieldDescriptor::TYPE_STRING) {
      if (std::string defect = Utf8Defect(value); !defect.empty()) {
        found = BadString{std::move(path), value, std::move(defect)};
      }
    } else if (field->type() == FieldDescriptor::TYPE_MESSAGE && depth < kMaxDepth) {
      if (!FindBadString(value, *field->message_type(), path, depth + 1, found)) return false;
    }
  }
  return true;
}

}  // namespace

absl::Status DiagnoseUnparseable(absl::string_view bytes, const Descriptor& type,
                                 absl::string_view method) {
  std::optional<BadString> found;
  if (!FindBadString(bytes, type, "", 0, found) || !found.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(
        method, ": the request does not parse as ", type.full_name(),
        " (it is not a protobuf encoding of one, or a field has the wrong wire type); send a ",
        type.name(), " built from the published .proto files"));
  }
  absl::string_view rest = found->path;
  int64_t event_index = -1;
  if (absl::ConsumePrefix(&rest, "events[")) {
    const size_t close = rest.find(']');
    if (!absl::SimpleAtoi(rest.substr(0, close), &event_index)) event_index = -1;
  }
  const std::string what = absl::StrCat(QuoteForMessage(found->value), " ", found->defect);
  absl::Status status = absl::InvalidArgumentError(
      event_index >= 0 ? absl::StrCat("event ", event_index, " (", found->path, ") of the ", method,
                                      " request: ", what)
                       : absl::StrCat(method, ": ", found->path, ": ", what));
  if (event_index >= 0)
    status.SetPayload(kEventIndexPayload, absl::Cord(absl::StrCat(event_index)));
  return status;
}

absl::Status ParseRawMessage(const grpc::ByteBuffer& bytes, absl::string_view method,
                             google::protobuf::Message* out) {
  // The reader only reads the buffer; it takes a non-const pointer for gRPC's C API.
  auto* buffer = const_cast<grpc::ByteBuffer*>(&bytes);
  if (!buffer->Valid()) {  // no bytes at all: the empty message
    out->Clear();
    return absl::OkStatus();
  }
  {
    grpc::ProtoBufferReader reader(buffer);
    if (reader.status().ok() && out->ParseFromZeroCopyStream(&reader)) return absl::OkStatus();
  }
  std::vector<grpc::Slice> slices;
  std::string whole;
  if (buffer->Dump(&slices).ok()) {
    for (const grpc::Slice& slice : slices) {
      whole.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
    }
  }
  return DiagnoseUnparseable(whole, *out->GetDescriptor(), method);
}

void SerializeRawMessage(const google::protobuf::Message& message, grpc::ByteBuffer* out) {
  out->Clear();  // the writer fills an empty buffer
  bool own_buffer = false;
  (void)grpc::GenericSerialize<grpc::ProtoBufferWriter, google::protobuf::Message>(message, out,
                                                                                   &own_buffer);
}

}  // namespace grantledger
