// See reflection_service.h.
#include "services/reflection_service.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "services/authorization.h"
#include "services/raw_messages.h"

namespace grantledger {
namespace {

constexpr char kMethod[] = "ServerReflection/ServerReflectionInfo";

using google::protobuf::DescriptorPool;
using google::protobuf::FileDescriptor;

// One stream: reads a request, writes its answer, reads the next. v1 and v1alpha have the
// same messages in two packages, hence the template.
template <typename Request, typename Response>
class ReflectionReactor : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  ReflectionReactor(ServiceContext& service, grpc::CallbackServerContext* context)
      : context_(context) {
    absl::StatusOr<CallPrincipal> principal = AuthorizeCall(service, *context, kMethod);
    if (!principal.ok()) {
      this->Finish(FinishStatus(context, kMethod, principal.status()));
      return;
    }
    this->StartRead(&raw_request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      this->Finish(grpc::Status::OK);  // the client half-closed (or went away)
      return;
    }
    absl::Status parsed = ParseRawMessage(raw_request_, kMethod, &request_);
    raw_request_.Clear();
    if (!parsed.ok()) {
      this->Finish(FinishStatus(context_, kMethod, parsed));
      return;
    }
    response_.Clear();
    Answer();
    SerializeRawMessage(response_, &raw_response_);
    this->StartWrite(&raw_response_);
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      this->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
      return;
    }
    this->StartRead(&raw_request_);
  }

  void OnDone() override { delete this; }

 private:
  void Error(grpc::StatusCode code, const std::string& message) {
    response_.mutable_error_response()->set_error_code(static_cast<int>(code));
    response_.mutable_error_response()->set_error_message(message);
  }

  // The file and the files it imports that this stream has not sent yet.
  void SendFile(const FileDescriptor* file) {
    std::vector<const FileDescriptor*> pending = {file};
    auto* out = response_.mutable_file_descriptor_response();
    bool first = true;
    while (!pending.empty()) {
      const FileDescriptor* next = pending.back();
      pending.pop_back();
      // The file asked for is always sent; its imports once per stream.
      if (!first && sent_.contains(next->name())) continue;
      first = false;
      sent_.insert(next->name());
      google::protobuf::FileDescriptorProto proto;
      next->CopyTo(&proto);
      proto.SerializeToString(out->add_file_descriptor_proto());
      for (int i = 0; i < next->dependency_count(); ++i) pending.push_back(next->dependency(i));
    }
  }

  void Answer() {
    const DescriptorPool* pool = DescriptorPool::generated_pool();
    response_.set_valid_host(request_.host());
    *response_.mutable_original_request() = request_;
    switch (request_.message_request_case()) {
      case Request::kFileByFilename: {
        const FileDescriptor* file = pool->FindFileByName(request_.file_by_filename());
        if (file == nullptr) {
          return Error(grpc::StatusCode::NOT_FOUND,
                       absl::StrCat("no file ", request_.file_by_filename()));
        }
        return SendFile(file);
      }
      case Request::kFileContainingSymbol: {
        const FileDescriptor* file =
            pool->FindFileContainingSymbol(request_.file_containing_symbol());
        if (file == nullptr) {
          return Error(grpc::StatusCode::NOT_FOUND,
                       absl::StrCat("no symbol ", request_.file_containing_symbol()));
        }
        return SendFile(file);
      }
      case Request::kFileContainingExtension: {
        const auto& asked = request_.file_containing_extension();
        const auto* type = pool->FindMessageTypeByName(asked.containing_type());
        const auto* extension =
            type == nullptr ? nullptr : pool->FindExtensionByNumber(type, asked.extension_number());
        if (extension == nullptr) {
          return Error(grpc::StatusCode::NOT_FOUND,
                       absl::StrCat("no extension ", asked.extension_number(), " of ",
                                    asked.containing_type()));
        }
        return SendFile(extension->file());
      }
      case Request::kAllExtensionNumbersOfType: {
        const auto* type = pool->FindMessageTypeByName(request_.all_extension_numbers_of_type());
        if (type == nullptr) {
          return Error(grpc::StatusCode::NOT_FOUND,
                       absl::StrCat("no type ", request_.all_extension_numbers_of_type()));
        }
        std::vector<const google::protobuf::FieldDescriptor*> extensions;
        pool->FindAllExtensions(type, &extensions);
        auto* out = response_.mutable_all_extension_numbers_response();
        out->set_base_type_name(type->full_name());
        for (const auto* extension : extensions) out->add_extension_number(extension->number());
        return;
      }
      case Request::kListServices: {
        auto* out = response_.mutable_list_services_response();
        for (const std::string& name : ServedServiceNames()) out->add_service()->set_name(name);
        return;
      }
      default:
        return Error(grpc::StatusCode::UNIMPLEMENTED, "unknown reflection request");
    }
  }

  grpc::CallbackServerContext* const context_;
  grpc::ByteBuffer raw_request_;
  Request request_;
  Response response_;
  grpc::ByteBuffer raw_response_;          // response_ serialized, while it is written
  absl::flat_hash_set<std::string> sent_;  // file names sent on this stream
};

}  // namespace

const std::vector<std::string>& ServedServiceNames() {
  static const std::vector<std::string>* const names =
      new std::vector<std::string>{"grantledger.v1.LedgerService",
                                   "grantledger.v1.QueryService",
                                   "grantledger.v1.AuditService",
                                   "grantledger.v1.YearEndService",
                                   "grpc.health.v1.Health",
                                   "grpc.reflection.v1.ServerReflection",
                                   "grpc.reflection.v1alpha.ServerReflection"};
  return *names;
}

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>*
ReflectionV1Service::ServerReflectionInfo(grpc::CallbackServerContext* context) {
  return new ReflectionReactor<grpc::reflection::v1::ServerReflectionRequest,
                               grpc::reflection::v1::ServerReflectionResponse>(service_, context);
}

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>*
ReflectionV1AlphaService::ServerReflectionInfo(grpc::CallbackServerContext* context) {
  return new ReflectionReactor<grpc::reflection::v1alpha::ServerReflectionRequest,
                               grpc::reflection::v1alpha::ServerReflectionResponse>(service_,
                                                                                    context);
}

}  // namespace grantledger
