// A test helper shared by the tests of derived data (checkpoint, indexes, tree): a read-only
// open of a ledger finds every derived structure equal to a rebuild from the log.
#ifndef GRANTLEDGER_TESTS_DERIVED_CHECKS_H_
#define GRANTLEDGER_TESTS_DERIVED_CHECKS_H_

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/store/event_store.h"
#include "tests/test_support.h"

namespace grantledger::testing {

// Opens `options.path` read-only and expects VerifyDerived to find everything intact. Call it
// under ASSERT_NO_FATAL_FAILURE where a failed open should end the test.
inline void ExpectDerivedIntact(EventStoreOptions options) {
  options.read_only = true;
  auto store = EventStore::Open(options);
  ASSERT_THAT(store, IsOk());
  auto derived = (*store)->VerifyDerived();
  ASSERT_THAT(derived, IsOk());
  EXPECT_TRUE(derived->ok) << derived->problem;
}

}  // namespace grantledger::testing

#endif  // GRANTLEDGER_TESTS_DERIVED_CHECKS_H_
