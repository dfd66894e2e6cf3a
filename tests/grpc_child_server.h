// The real grantledgerd binary as a child process, for tests that stop it the hard way
// (SIGKILL, SIGTERM) or run it on a data directory of their own making (a small tmpfs): it
// starts on 127.0.0.1 with a port the system picks, logs to a file, and never outlives the
// test.
#ifndef GRANTLEDGER_TESTS_GRPC_CHILD_SERVER_H_
#define GRANTLEDGER_TESTS_GRPC_CHILD_SERVER_H_

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace grantledger::testing {

class ChildServer {
 public:
  // Starts build/services/grantledgerd --data-dir `data_dir` --listen 127.0.0.1:0, its stderr
  // in `log_path`, and waits up to `timeout` for its "listening on" line. An error carries
  // the log (the server refused to start, or exited).
  static absl::StatusOr<std::unique_ptr<ChildServer>> Start(
      const std::string& data_dir, const std::string& log_path,
      absl::Duration timeout = absl::Seconds(60));
  // SIGKILL unless it has exited.
  ~ChildServer();
  ChildServer(const ChildServer&) = delete;
  ChildServer& operator=(const ChildServer&) = delete;

  const std::string& address() const { return address_; }
  pid_t pid() const { return pid_; }
  std::string Log() const;
  bool Signal(int signal) const;
  // Waits up to `timeout` for the exit; its wait status (also when it was reaped before), or
  // nullopt if it is still running.
  std::optional<int> WaitForExit(absl::Duration timeout);

 private:
  ChildServer(pid_t pid, std::string log_path) : pid_(pid), log_path_(std::move(log_path)) {}

  pid_t pid_;
  std::string log_path_;
  std::string address_;
  bool exited_ = false;
  int exit_status_ = 0;
};

// The whole file at `path` ("" when it cannot be read).
std::string ReadWholeFile(const std::string& path);

}  // namespace grantledger::testing

#endif  // GRANTLEDGER_TESTS_GRPC_CHILD_SERVER_H_
