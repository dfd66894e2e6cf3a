// /metrics: the server's counters (services/server_metrics.h) and the ledger's head, in the
// Prometheus text exposition format 0.0.4, written by hand (Debian has no Prometheus C++
// client). Every family has HELP and TYPE; names carry their unit; no per-grant labels.
#ifndef GRANTLEDGER_SERVICES_HTTP_METRICS_TEXT_H_
#define GRANTLEDGER_SERVICES_HTTP_METRICS_TEXT_H_

#include <cstdint>
#include <string>

#include "ledger/store/store_types.h"
#include "services/server_metrics.h"

namespace grantledger {

inline constexpr char kMetricsContentType[] = "text/plain; version=0.0.4; charset=utf-8";

// `appends`: whether the store takes appends, and its disk (EventStore::AppendHealth).
std::string MetricsText(const ServerMetrics::Snapshot& metrics, uint64_t head_sequence,
                        const AppendHealthReport& appends = {});

}  // namespace grantledger

#endif  // GRANTLEDGER_SERVICES_HTTP_METRICS_TEXT_H_
