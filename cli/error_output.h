// How every command reports a failure: one prefix ("grantledger: "), the status's message, and
// the exit code that cli/exit_codes.h gives it.
#ifndef GRANTLEDGER_CLI_ERROR_OUTPUT_H_
#define GRANTLEDGER_CLI_ERROR_OUTPUT_H_

#include <iostream>
#include <string>

#include "absl/status/status.h"
#include "cli/exit_codes.h"

namespace grantledger {

inline constexpr char kErrorPrefix[] = "grantledger: ";

// Prints the status's message on standard error and returns its exit code.
inline int FailWith(const absl::Status& status) {
  std::cerr << kErrorPrefix << status.message() << "\n";
  return ExitCodeFor(status);
}

// A usage error (bad flags): prints it and returns kExitUsage.
inline int FailUsage(const std::string& message) {
  std::cerr << kErrorPrefix << message << "\n";
  return kExitUsage;
}

}  // namespace grantledger

#endif  // GRANTLEDGER_CLI_ERROR_OUTPUT_H_
