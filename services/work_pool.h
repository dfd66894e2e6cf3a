// A fixed pool of threads that runs the services' blocking work (appends waiting for their
// group's fsync, scans, verification) so gRPC's own callback threads never block. Sized for
// group commit: every concurrent append needs a thread to wait on.
#ifndef GRANTLEDGER_SERVICES_WORK_POOL_H_
#define GRANTLEDGER_SERVICES_WORK_POOL_H_

#include <cstddef>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace grantledger {

class WorkPool {
 public:
  // REQUIRES: threads >= 1, max_queued >= 1.
  WorkPool(size_t threads, size_t max_queued);
  // Runs what is queued, then joins (Stop()).
  ~WorkPool();
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  // Queues `task`; false (and `task` is dropped) when max_queued tasks are waiting already or
  // the pool is stopping.
  bool TrySubmit(std::function<void()> task);

  // Refuses new tasks, lets the queued and running ones finish, joins the threads. Idempotent.
  void Stop();

 private:
  void Run();

  const size_t max_queued_;
  absl::Mutex mu_;
  // Signalled once per queued task (and broadcast on Stop): one idle thread wakes per task,
  // where a conditional Await would re-evaluate every idle thread's condition on each unlock.
  absl::CondVar ready_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
  absl::Mutex join_mu_;  // serializes Stop()
};

}  // namespace grantledger

#endif  // GRANTLEDGER_SERVICES_WORK_POOL_H_
