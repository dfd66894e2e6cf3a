// Shared test helpers: a temporary directory, the StatusIs matcher Debian's abseil lacks, and
// builders for events so tests read like the domain.
#ifndef GRANTLEDGER_TESTS_TEST_SUPPORT_H_
#define GRANTLEDGER_TESTS_TEST_SUPPORT_H_

#include <cstdint>
#include <filesystem>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "grantledger/v1/events.pb.h"

namespace grantledger::testing {

// A fresh directory under the system temp dir, removed at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline const absl::Status& StatusOf(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& StatusOf(const absl::StatusOr<T>& s) {
  return s.status();
}

// EXPECT_THAT(result, StatusIs(absl::StatusCode::kNotFound, HasSubstr("RS/1")));
MATCHER_P2(StatusIs, code, message_matcher, "") {
  const absl::Status& status = StatusOf(arg);
  if (status.code() != code) {
    *result_listener << "code is " << absl::StatusCodeToString(status.code()) << ": "
                     << status.message();
    return false;
  }
  return ::testing::ExplainMatchResult(message_matcher, std::string(status.message()),
                                       result_listener);
}
MATCHER(IsOk, "") {
  const absl::Status& status = StatusOf(arg);
  *result_listener << status.ToString();
  return status.ok();
}

// The built `grantledger` run with `args` (a shell word list), its output kept in files in
// `dir`; standard input is /dev/null.
struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
CliResult RunCli(const TempDir& dir, const std::string& args);
// A whole file's bytes ("" if it cannot be read).
std::string ReadFileBytes(const std::string& path);

// Builders. Every event gets the grant, a date and a source; ids must be unique per test.
v1::Event Envelope(const std::string& event_id, const std::string& grant_id,
                   const std::string& date = "2025-06-01");
v1::Event RegisterGrant(const std::string& event_id, const std::string& grant_id,
                        int64_t decided_ore, const std::string& period_start = "2025-01-01",
                        const std::string& period_end = "2025-12-31",
                        const std::string& deadline = "2026-03-31");
v1::Event Receipt(const std::string& event_id, const std::string& grant_id, int64_t amount_ore,
                  const std::string& date = "2025-06-01");
v1::Event Allocate(const std::string& event_id, const std::string& grant_id, int64_t amount_ore,
                   const std::string& activity, const std::string& division);
v1::Event Reallocate(const std::string& event_id, const std::string& grant_id, int64_t amount_ore,
                     const std::string& from_activity, const std::string& from_division,
                     const std::string& to_activity, const std::string& to_division);
v1::Event Spend(const std::string& event_id, const std::string& grant_id, int64_t amount_ore,
                const std::string& activity = "", const std::string& division = "",
                const std::string& date = "2025-06-01");
v1::Event Repay(const std::string& event_id, const std::string& grant_id, int64_t amount_ore);
v1::Event Reverse(const std::string& event_id, const std::string& grant_id, uint64_t sequence);

}  // namespace grantledger::testing

#endif  // GRANTLEDGER_TESTS_TEST_SUPPORT_H_
