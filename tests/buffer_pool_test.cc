// BufferPool: batch-sized buffers come back with their memory; small and huge ones are not kept,
// and the pool keeps a bounded number.
#include "ledger/store/buffer_pool.h"

#include <string>

#include "gtest/gtest.h"

namespace grantledger {
namespace {

TEST(BufferPoolTest, ABatchSizedBufferIsGivenBackEmptyWithItsMemory) {
  BufferPool pool;
  std::string buffer = pool.Take(200'000);
  EXPECT_TRUE(buffer.empty());
  EXPECT_GE(buffer.capacity(), 200'000u);
  buffer.assign(150'000, 'x');
  const char* memory = buffer.data();
  pool.Give(std::move(buffer));
  EXPECT_EQ(pool.kept(), 1u);

  std::string again = pool.Take(100'000);
  EXPECT_TRUE(again.empty());
  EXPECT_EQ(again.data(), memory);  // the same memory, already touched
  EXPECT_EQ(pool.kept(), 0u);
}

TEST(BufferPoolTest, SmallAndHugeBuffersAreNotKept) {
  BufferPool pool;
  std::string small(100, 'x');
  pool.Give(std::move(small));
  std::string huge;
  huge.reserve(BufferPool::kMaxPooledBytes + 1);
  pool.Give(std::move(huge));
  EXPECT_EQ(pool.kept(), 0u);
  // A small request does not take a kept buffer.
  std::string kept;
  kept.reserve(BufferPool::kMinPooledBytes);
  pool.Give(std::move(kept));
  EXPECT_LT(pool.Take(64).capacity(), BufferPool::kMinPooledBytes);
  EXPECT_EQ(pool.kept(), 1u);
}

TEST(BufferPoolTest, KeepsABoundedNumber) {
  BufferPool pool;
  for (size_t i = 0; i < BufferPool::kMaxKept + 3; ++i) {
    std::string buffer;
    buffer.reserve(BufferPool::kMinPooledBytes);
    pool.Give(std::move(buffer));
  }
  EXPECT_EQ(pool.kept(), BufferPool::kMaxKept);
}

}  // namespace
}  // namespace grantledger
