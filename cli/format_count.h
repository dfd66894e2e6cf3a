// Counts for people: digits grouped in threes with spaces, as Swedish text writes them
// ("1 000 245 records"). Used by every summary line and the progress line.
#ifndef GRANTLEDGER_CLI_FORMAT_COUNT_H_
#define GRANTLEDGER_CLI_FORMAT_COUNT_H_

#include <cstdint>
#include <string>

namespace grantledger {

// "1 000 245".
std::string GroupDigits(uint64_t n);

// "1 record", "1 000 245 records" (in the current language, cli/messages.h).
std::string CountOf(uint64_t n, const char* singular, const char* plural);

}  // namespace grantledger

#endif  // GRANTLEDGER_CLI_FORMAT_COUNT_H_
