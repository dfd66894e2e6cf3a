// See server_log.h.
#include "services/server_log.h"

#include <unistd.h>

#include <string>

#include "absl/strings/str_cat.h"

namespace grantledger {

void LogLine(absl::string_view line) {
  std::string out = absl::StrCat("grantledgerd: ", line, "\n");
  size_t written = 0;
  // A log line is best effort: a full or closed stderr must not stop the server.
  for (int attempt = 0; attempt < 8 && written < out.size(); ++attempt) {
    ssize_t n = ::write(STDERR_FILENO, out.data() + written, out.size() - written);
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
}

}  // namespace grantledger
