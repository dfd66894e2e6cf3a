// The command line's words in English and Swedish: one catalogue for the headings, status words
// and messages of every table and report. `--lang sv` (the default when LANG, LC_ALL or
// LC_MESSAGES starts with "sv") shows them in Swedish; JSON keeps its English field names and
// status values, which are an interface.
#ifndef GRANTLEDGER_CLI_MESSAGES_H_
#define GRANTLEDGER_CLI_MESSAGES_H_

#include <string>
#include <vector>

#include "absl/strings/substitute.h"

namespace grantledger {

enum class Language { kEnglish, kSwedish };

void SetLanguage(Language language);
Language CurrentLanguage();
// Swedish when LC_ALL, LC_MESSAGES or LANG (the first one set) starts with "sv".
Language LanguageFromEnvironment();

// `english` in the current language; itself when the catalogue has no translation.
std::string Tr(const std::string& english);
// A sentence with numbers or names: `english` is a template with $0, $1, ... (absl::Substitute),
// translated whole (so that Swedish may order the words its own way), then filled in.
template <typename... Args>
std::string TrSub(const std::string& english, const Args&... args) {
  return absl::Substitute(Tr(english), args...);
}
// Each of `english` translated (table headings).
std::vector<std::string> TrAll(std::vector<std::string> english);

}  // namespace grantledger

#endif  // GRANTLEDGER_CLI_MESSAGES_H_
