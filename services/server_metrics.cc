// See server_metrics.h.
#include "services/server_metrics.h"

#include <algorithm>
#include <cmath>

namespace grantledger {

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)), counts_(upper_bounds_.size() + 1) {}

void Histogram::Observe(double value) {
  const size_t bucket =
      std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), value) - upper_bounds_.begin();
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_micro_.fetch_add(static_cast<uint64_t>(std::llround(std::max(0.0, value) * 1e6)),
                       std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot out;
  out.upper_bounds = upper_bounds_;
  uint64_t running = 0;
  for (const std::atomic<uint64_t>& c : counts_) {
    running += c.load(std::memory_order_relaxed);
    out.cumulative_counts.push_back(running);
  }
  out.count = running;
  out.sum = static_cast<double>(sum_micro_.load(std::memory_order_relaxed)) / 1e6;
  return out;
}

ServerMetrics::ServerMetrics()
    : batch_events_({1, 10, 100, 1000, 10000, 100000}),
      write_seconds_({0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}) {}

ServerMetrics& ServerMetrics::Global() {
  static ServerMetrics* metrics = new ServerMetrics();  // never destroyed: threads may record late
  return *metrics;
}

void ServerMetrics::GroupWritten(const std::vector<uint64_t>& batch_events, absl::Duration write) {
  uint64_t events = 0;
  for (uint64_t n : batch_events) {
    batch_events_.Observe(static_cast<double>(n));
    events += n;
  }
  appends_.fetch_add(batch_events.size(), std::memory_order_relaxed);
  events_.fetch_add(events, std::memory_order_relaxed);
  groups_.fetch_add(1, std::memory_order_relaxed);
  write_seconds_.Observe(absl::ToDoubleSeconds(write));
}

void ServerMetrics::Recovered(absl::Duration took) {
  replay_micros_.store(absl::ToInt64Microseconds(took), std::memory_order_relaxed);
}

void ServerMetrics::SetOpenTime(absl::Duration took) {
  open_micros_.store(absl::ToInt64Microseconds(took), std::memory_order_relaxed);
}

void ServerMetrics::RecordRejection(absl::StatusCode code) {
  const size_t index = static_cast<size_t>(code);
  if (index == 0 || index >= rejections_.size()) return;
  rejections_[index].fetch_add(1, std::memory_order_relaxed);
}

void ServerMetrics::RecordQuery(absl::string_view kind) {
  absl::MutexLock lock(&queries_mu_);
  auto it = queries_.find(kind);
  if (it == queries_.end()) it = queries_.emplace(std::string(kind), 0).first;
  ++it->second;
}

ServerMetrics::Snapshot ServerMetrics::Read() const {
  Snapshot out;
  out.appends = appends_.load(std::memory_order_relaxed);
  out.events = events_.load(std::memory_order_relaxed);
  out.groups = groups_.load(std::memory_order_relaxed);
  out.batch_events = batch_events_.Read();
  out.write_seconds = write_seconds_.Read();
  for (size_t i = 0; i < rejections_.size(); ++i) {
    out.rejections_by_code[i] = rejections_[i].load(std::memory_order_relaxed);
  }
  {
    absl::MutexLock lock(&queries_mu_);
    out.queries.insert(queries_.begin(), queries_.end());
  }
  out.open_seconds = static_cast<double>(open_micros_.load(std::memory_order_relaxed)) / 1e6;
  out.replay_seconds = static_cast<double>(replay_micros_.load(std::memory_order_relaxed)) / 1e6;
  return out;
}

}  // namespace grantledger
