// absl::Status -> grpc::Status for the services: the canonical codes map one to one (gRPC and
// absl share them) and the message is kept, so a client sees the core's own explanation.
#ifndef GRANTLEDGER_SERVICES_STATUS_MAPPING_H_
#define GRANTLEDGER_SERVICES_STATUS_MAPPING_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace grantledger {

grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace grantledger

#endif  // GRANTLEDGER_SERVICES_STATUS_MAPPING_H_
