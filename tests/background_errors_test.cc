// BackgroundErrors, the store's record of RocksDB refusing writes (for health), fed as RocksDB
// feeds it: an error that stops writes is kept until a recovery from it succeeds or a write
// that began after it succeeds; soft errors are not kept; an error RocksDB does not recover
// from is kept for good. (Through a real server and a full disk: services_disk_fault_test.cc.)
#include "ledger/store/background_errors.h"

#include "gtest/gtest.h"
#include "rocksdb/status.h"

namespace grantledger {
namespace {

rocksdb::Status NoSpace(rocksdb::Status::Severity severity) {
  return rocksdb::Status(rocksdb::Status::NoSpace("flush"), severity);
}

rocksdb::BackgroundErrorRecoveryInfo Recovery(const rocksdb::Status& from,
                                              const rocksdb::Status& to) {
  rocksdb::BackgroundErrorRecoveryInfo info;
  info.old_bg_error = from;
  info.new_bg_error = to;
  return info;
}

TEST(BackgroundErrorsTest, AnErrorThatStopsWritesIsKeptUntilItsRecoverySucceeds) {
  BackgroundErrors errors;
  EXPECT_EQ(errors.Current().error, "");
  rocksdb::Status error = NoSpace(rocksdb::Status::kHardError);
  errors.OnBackgroundError(rocksdb::BackgroundErrorReason::kFlush, &error);
  EXPECT_NE(errors.Current().error.find("No space"), std::string::npos) << errors.Current().error;
  EXPECT_FALSE(errors.Current().for_good);
  errors.OnErrorRecoveryEnd(Recovery(error, rocksdb::Status::Aborted("retries used up")));
  EXPECT_NE(errors.Current().error, "") << "a failed recovery leaves writes refused";
  errors.OnErrorRecoveryEnd(Recovery(error, rocksdb::Status::OK()));
  EXPECT_EQ(errors.Current().error, "");
}

TEST(BackgroundErrorsTest, ARecoveryFromAnOlderErrorLeavesANewerOne) {
  BackgroundErrors errors;
  rocksdb::Status first = NoSpace(rocksdb::Status::kHardError);
  errors.OnBackgroundError(rocksdb::BackgroundErrorReason::kFlush, &first);
  rocksdb::Status second = rocksdb::Status(rocksdb::Status::IOError("write-ahead log: injected"),
                                           rocksdb::Status::kHardError);
  errors.OnBackgroundError(rocksdb::BackgroundErrorReason::kWriteCallback, &second);
  errors.OnErrorRecoveryEnd(Recovery(first, rocksdb::Status::OK()));
  EXPECT_NE(errors.Current().error.find("injected"), std::string::npos);
}

TEST(BackgroundErrorsTest, OnlyAWriteThatBeganAfterTheErrorClearsIt) {
  BackgroundErrors errors;
  const uint64_t before = errors.Generation();
  rocksdb::Status error = NoSpace(rocksdb::Status::kHardError);
  errors.OnBackgroundError(rocksdb::BackgroundErrorReason::kFlush, &error);
  errors.WriteSucceeded(before);  // began before the error: says nothing of it
  EXPECT_NE(errors.Current().error, "");
  errors.WriteSucceeded(errors.Generation());
  EXPECT_EQ(errors.Current().error, "");
}

TEST(BackgroundErrorsTest, SoftErrorsAreNotKeptAndFatalOnesAreKeptForGood) {
  BackgroundErrors errors;
  rocksdb::Status soft = NoSpace(rocksdb::Status::kSoftError);  // a compaction: writes go on
  errors.OnBackgroundError(rocksdb::BackgroundErrorReason::kCompaction, &soft);
  EXPECT_EQ(errors.Current().error, "");
  rocksdb::Status fatal =
      rocksdb::Status(rocksdb::Status::Corruption("table"), rocksdb::Status::kFatalError);
  errors.OnBackgroundError(rocksdb::BackgroundErrorReason::kCompaction, &fatal);
  EXPECT_TRUE(errors.Current().for_good);
  errors.WriteSucceeded(errors.Generation());
  errors.OnErrorRecoveryEnd(Recovery(fatal, rocksdb::Status::OK()));
  EXPECT_NE(errors.Current().error, "") << "kept until the ledger is reopened";
}

}  // namespace
}  // namespace grantledger
