// A RocksDB file system for tests that makes the write-ahead log fail on demand: the disk
// under a store going bad between two writes (EventStoreOptions::env_for_tests).
#ifndef GRANTLEDGER_TESTS_FAILING_WAL_FILE_SYSTEM_H_
#define GRANTLEDGER_TESTS_FAILING_WAL_FILE_SYSTEM_H_

#include <atomic>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"

namespace grantledger::testing {

// RocksDB's write-ahead-log files, with a fault to inject: once armed with n, the n-th append to
// a log file from then on fails, and so does every append after it (a disk that went bad), so
// that nothing the failed write held reaches the file later (on close, say).
class FailingWalFileSystem : public rocksdb::FileSystemWrapper {
 public:
  FailingWalFileSystem() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  static const char* kClassName() { return "FailingWalFileSystem"; }
  const char* Name() const override { return kClassName(); }
  void FailAppend(int nth) { countdown_ = nth; }
  int appends_refused() const { return refused_; }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* debug) override {
    rocksdb::IOStatus s = target()->NewWritableFile(name, options, result, debug);
    if (s.ok() && absl::EndsWith(name, ".log")) {
      *result = std::make_unique<LogFile>(std::move(*result), this);
    }
    return s;
  }

 private:
  class LogFile : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    LogFile(std::unique_ptr<rocksdb::FSWritableFile> file, FailingWalFileSystem* fs)
        : FSWritableFileOwnerWrapper(std::move(file)), fs_(fs) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* debug) override {
      if (fs_->Refuse()) return rocksdb::IOStatus::IOError("injected: the disk failed");
      return target()->Append(data, options, debug);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo& verification,
                             rocksdb::IODebugContext* debug) override {
      if (fs_->Refuse()) return rocksdb::IOStatus::IOError("injected: the disk failed");
      return target()->Append(data, options, verification, debug);
    }

   private:
    FailingWalFileSystem* fs_;
  };
  bool Refuse() {
    if (failing_) {
      ++refused_;
      return true;
    }
    if (countdown_ > 0 && --countdown_ == 0) {
      failing_ = true;
      ++refused_;
      return true;
    }
    return false;
  }
  std::atomic<int> countdown_{0};
  std::atomic<bool> failing_{false};
  std::atomic<int> refused_{0};
};

}  // namespace grantledger::testing

#endif  // GRANTLEDGER_TESTS_FAILING_WAL_FILE_SYSTEM_H_
