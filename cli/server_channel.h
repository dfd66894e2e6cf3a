// A gRPC channel to a grantledgerd, with the command line's TLS flags (tls_flags.h): what the
// server backend and the audit commands connect with.
#ifndef GRANTLEDGER_CLI_SERVER_CHANNEL_H_
#define GRANTLEDGER_CLI_SERVER_CHANNEL_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"

namespace grantledger {

// Connected within 5 s, or Unavailable saying what to check.
absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenServerChannel(const std::string& address);

}  // namespace grantledger

#endif  // GRANTLEDGER_CLI_SERVER_CHANNEL_H_
