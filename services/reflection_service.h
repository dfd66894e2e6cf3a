// Server reflection (grpc.reflection.v1 and v1alpha) over the descriptors compiled into the
// server, for grpcurl and similar tools. Our own, because Debian's gRPC 1.51 ships only the
// v1alpha plugin, which cannot be gated: with client certificates on, reflection is only for
// verified principals (AuthorizeCall, method "ServerReflection/ServerReflectionInfo").
#ifndef GRANTLEDGER_SERVICES_REFLECTION_SERVICE_H_
#define GRANTLEDGER_SERVICES_REFLECTION_SERVICE_H_

#include <string>
#include <vector>

#include "grpc/reflection/v1/reflection.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "services/service_context.h"

namespace grantledger {

// The fully qualified names of the services the server offers (ListServices answers them).
const std::vector<std::string>& ServedServiceNames();

// Raw (bytes in and out) like every method the server offers: a request that does not parse
// ends the stream INVALID_ARGUMENT naming the method and field (services/raw_messages.h).
class ReflectionV1Service
    : public grpc::reflection::v1::ServerReflection::WithRawCallbackMethod_ServerReflectionInfo<
          grpc::reflection::v1::ServerReflection::Service> {
 public:
  explicit ReflectionV1Service(ServiceContext& service) : service_(service) {}
  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* ServerReflectionInfo(
      grpc::CallbackServerContext* context) override;

 private:
  ServiceContext& service_;
};

class ReflectionV1AlphaService : public grpc::reflection::v1alpha::ServerReflection::
                                     WithRawCallbackMethod_ServerReflectionInfo<
                                         grpc::reflection::v1alpha::ServerReflection::Service> {
 public:
  explicit ReflectionV1AlphaService(ServiceContext& service) : service_(service) {}
  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* ServerReflectionInfo(
      grpc::CallbackServerContext* context) override;

 private:
  ServiceContext& service_;
};

}  // namespace grantledger

#endif  // GRANTLEDGER_SERVICES_REFLECTION_SERVICE_H_
