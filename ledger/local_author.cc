// See local_author.h.
#include "ledger/local_author.h"

#include <pwd.h>
#include <unistd.h>

#include <vector>

#include "absl/strings/str_cat.h"

namespace grantledger {

const std::string& LocalAuthor() {
  static const std::string* const author = [] {
    const uid_t uid = geteuid();
    passwd entry{};
    passwd* found = nullptr;
    std::vector<char> buffer(16384);
    if (getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr &&
        found->pw_name != nullptr && found->pw_name[0] != '\0') {
      return new std::string(absl::StrCat("local:", found->pw_name));
    }
    return new std::string(absl::StrCat("local:uid", uid));
  }();
  return *author;
}

}  // namespace grantledger
