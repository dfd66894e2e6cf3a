// The server's operational counters for /metrics (services/http/metrics_text.h renders them in
// the Prometheus text format): appends, events, batch sizes, the synced write's latency,
// rejections by status code, queries by kind, open and replay times. One process-wide
// instance, as Prometheus's own clients keep one default registry. No per-grant labels: the
// only label values are status codes and method names, a fixed small set.
#ifndef GRANTLEDGER_SERVICES_SERVER_METRICS_H_
#define GRANTLEDGER_SERVICES_SERVER_METRICS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "ledger/store/store_types.h"

namespace grantledger {

// A cumulative histogram with fixed upper bounds (Prometheus's `le`), lock-free to observe.
class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void Observe(double value);

  struct Snapshot {
    std::vector<double> upper_bounds;
    std::vector<uint64_t> cumulative_counts;  // one per bound, then +Inf
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot Read() const;

 private:
  const std::vector<double> upper_bounds_;
  std::vector<std::atomic<uint64_t>> counts_;  // per bucket (not cumulative), then +Inf
  std::atomic<uint64_t> sum_micro_{0};         // sum in millionths, to stay integer
};

class ServerMetrics final : public StoreObserver {
 public:
  static ServerMetrics& Global();

  // StoreObserver.
  void GroupWritten(const std::vector<uint64_t>& batch_events, absl::Duration write) override;
  void Recovered(absl::Duration took) override;

  // A request refused or failed with `code` (not OK; client cancellations are not counted).
  void RecordRejection(absl::StatusCode code);
  // A read request of `kind` (a gRPC method "QueryService/GetGrant" or an HTTP route
  // "http:/api/grants"): kinds are fixed names, never built from request data.
  void RecordQuery(absl::string_view kind);
  // How long grantledgerd took to open the data directory (recovery included).
  void SetOpenTime(absl::Duration took);

  struct Snapshot {
    uint64_t appends = 0;  // batches written
    uint64_t events = 0;
    uint64_t groups = 0;  // synced writes
    Histogram::Snapshot batch_events;
    Histogram::Snapshot write_seconds;
    std::array<uint64_t, 17> rejections_by_code{};  // by absl::StatusCode value
    std::map<std::string, uint64_t> queries;
    double open_seconds = 0;
    double replay_seconds = 0;
  };
  Snapshot Read() const;

 private:
  ServerMetrics();

  std::atomic<uint64_t> appends_{0};
  std::atomic<uint64_t> events_{0};
  std::atomic<uint64_t> groups_{0};
  Histogram batch_events_;
  Histogram write_seconds_;
  std::array<std::atomic<uint64_t>, 17> rejections_{};
  mutable absl::Mutex queries_mu_;
  std::map<std::string, uint64_t, std::less<>> queries_ ABSL_GUARDED_BY(queries_mu_);
  std::atomic<int64_t> open_micros_{0};
  std::atomic<int64_t> replay_micros_{0};
};

}  // namespace grantledger

#endif  // GRANTLEDGER_SERVICES_SERVER_METRICS_H_
