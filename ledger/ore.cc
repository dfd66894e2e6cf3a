// The overflow report of Ore's checked arithmetic; see ore.h.
#include "ledger/ore.h"

#include <cstdio>
#include <cstdlib>

namespace grantledger::ore_internal {

void Overflow(const char* op, int64_t a, int64_t b) {
  std::fprintf(stderr,
               "grantledger: money overflow: %lld %s %lld öre does not fit in 64 bits; this is a "
               "bug (the rules bound every amount and balance): report it\n",
               static_cast<long long>(a), op, static_cast<long long>(b));
  std::abort();
}

}  // namespace grantledger::ore_internal
