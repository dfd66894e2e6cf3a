// See grpc_child_server.h.
#include "tests/grpc_child_server.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

extern char** environ;

namespace grantledger::testing {
namespace {

// The port from the server's "listening on 127.0.0.1:PORT" line, once it is logged.
std::optional<int> LoggedPort(const std::string& log) {
  constexpr char kMarker[] = "listening on 127.0.0.1:";
  size_t at = log.find(kMarker);
  if (at == std::string::npos) return std::nullopt;
  at += sizeof(kMarker) - 1;
  size_t end = log.find_first_not_of("0123456789", at);
  if (end == std::string::npos) return std::nullopt;  // the line is still being written
  int port = 0;
  if (!absl::SimpleAtoi(log.substr(at, end - at), &port)) return std::nullopt;
  return port;
}

}  // namespace

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

absl::StatusOr<std::unique_ptr<ChildServer>> ChildServer::Start(const std::string& data_dir,
                                                                const std::string& log_path,
                                                                absl::Duration timeout) {
  const std::string binary = std::string(GRANTLEDGER_BINARY_DIR) + "/services/grantledgerd";
  if (!std::filesystem::exists(binary)) {
    return absl::FailedPreconditionError(absl::StrCat(binary, " is not built"));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<std::string> args = {binary, "--data-dir", data_dir, "--listen", "127.0.0.1:0"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    return absl::InternalError(absl::StrCat("posix_spawn ", binary, ": error ", spawned));
  }
  std::unique_ptr<ChildServer> child(new ChildServer(pid, log_path));
  const auto deadline = std::chrono::steady_clock::now() + absl::ToChronoSeconds(timeout);
  std::optional<int> port;
  while (!(port = LoggedPort(child->Log()))) {
    if (std::optional<int> status = child->WaitForExit(absl::ZeroDuration())) {
      return absl::UnavailableError(
          absl::StrCat("grantledgerd ended before it listened (",
                       WIFEXITED(*status) ? absl::StrCat("exit code ", WEXITSTATUS(*status))
                                          : absl::StrCat("signal ", WTERMSIG(*status)),
                       "); log:\n", child->Log()));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("grantledgerd did not listen in time; log:\n", child->Log()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  child->address_ = absl::StrCat("127.0.0.1:", *port);
  return child;
}

ChildServer::~ChildServer() {
  if (exited_) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
}

std::string ChildServer::Log() const { return ReadWholeFile(log_path_); }

bool ChildServer::Signal(int signal) const { return !exited_ && ::kill(pid_, signal) == 0; }

std::optional<int> ChildServer::WaitForExit(absl::Duration timeout) {
  const auto deadline = std::chrono::steady_clock::now() + absl::ToChronoMilliseconds(timeout);
  while (!exited_) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      exit_status_ = status;
      return status;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return exit_status_;  // reaped by an earlier call
}

}  // namespace grantledger::testing
