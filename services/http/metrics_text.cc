// See metrics_text.h.
#include "services/http/metrics_text.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace grantledger {
namespace {

void Family(std::string& out, const char* name, const char* type, const char* help) {
  absl::StrAppend(&out, "# HELP ", name, " ", help, "\n# TYPE ", name, " ", type, "\n");
}

// A number as Prometheus reads it ("%g" keeps 0.0005 and 2.5 as written).
std::string Number(double value) { return absl::StrFormat("%g", value); }

void HistogramLines(std::string& out, const char* name, const Histogram::Snapshot& h) {
  for (size_t i = 0; i < h.upper_bounds.size(); ++i) {
    absl::StrAppend(&out, name, "_bucket{le=\"", Number(h.upper_bounds[i]), "\"} ",
                    h.cumulative_counts[i], "\n");
  }
  absl::StrAppend(&out, name, "_bucket{le=\"+Inf\"} ", h.count, "\n", name, "_sum ", Number(h.sum),
                  "\n", name, "_count ", h.count, "\n");
}

// The label value as the text format wants it: backslash, quote and newline escaped.
std::string LabelValue(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

std::string MetricsText(const ServerMetrics::Snapshot& m, uint64_t head_sequence,
                        const AppendHealthReport& appends) {
  std::string out;
  Family(out, "grantledger_appends_total", "counter", "Append batches written to the ledger.");
  absl::StrAppend(&out, "grantledger_appends_total ", m.appends, "\n");
  Family(out, "grantledger_events_total", "counter", "Events written to the ledger.");
  absl::StrAppend(&out, "grantledger_events_total ", m.events, "\n");
  Family(out, "grantledger_write_groups_total", "counter",
         "Group commits: synced writes, each holding one or more batches.");
  absl::StrAppend(&out, "grantledger_write_groups_total ", m.groups, "\n");
  Family(out, "grantledger_append_batch_events", "histogram", "Events per written batch.");
  HistogramLines(out, "grantledger_append_batch_events", m.batch_events);
  Family(out, "grantledger_write_sync_seconds", "histogram",
         "Time of one group's RocksDB write, with its fsync when sync is on.");
  HistogramLines(out, "grantledger_write_sync_seconds", m.write_seconds);
  Family(out, "grantledger_rejections_total", "counter",
         "Requests refused or failed, by status code.");
  for (size_t code = 1; code < m.rejections_by_code.size(); ++code) {
    absl::StrAppend(&out, "grantledger_rejections_total{code=\"",
                    absl::StatusCodeToString(static_cast<absl::StatusCode>(code)), "\"} ",
                    m.rejections_by_code[code], "\n");
  }
  Family(out, "grantledger_queries_total", "counter",
         "Read requests, by kind (gRPC method or HTTP route).");
  for (const auto& [kind, count] : m.queries) {
    absl::StrAppend(&out, "grantledger_queries_total{kind=\"", LabelValue(kind), "\"} ", count,
                    "\n");
  }
  Family(out, "grantledger_head_sequence", "gauge", "Sequence number of the last record.");
  absl::StrAppend(&out, "grantledger_head_sequence ", head_sequence, "\n");
  Family(out, "grantledger_appends_stopped", "gauge",
         "1 when the ledger takes no appends until grantledgerd is restarted (a failed index "
         "write, or an error RocksDB does not recover from; see the log), else 0.");
  absl::StrAppend(&out, "grantledger_appends_stopped ", appends.stopped ? 1 : 0, "\n");
  Family(out, "grantledger_appends_refused", "gauge",
         "1 while the ledger refuses appends (stopped, RocksDB refusing writes, or the disk "
         "below its reserve), else 0.");
  absl::StrAppend(&out, "grantledger_appends_refused ", appends.status.ok() ? 0 : 1, "\n");
  if (appends.disk_available_bytes.has_value()) {
    Family(out, "grantledger_disk_available_bytes", "gauge",
           "Space available to grantledgerd on the data directory's disk.");
    absl::StrAppend(&out, "grantledger_disk_available_bytes ", *appends.disk_available_bytes, "\n");
  }
  Family(out, "grantledger_disk_reserve_bytes", "gauge",
         "Free space below which appends are refused (taken again once space is freed).");
  absl::StrAppend(&out, "grantledger_disk_reserve_bytes ", appends.disk_reserve_bytes, "\n");
  Family(out, "grantledger_open_seconds", "gauge",
         "Time grantledgerd took to open its data directory, recovery included.");
  absl::StrAppend(&out, "grantledger_open_seconds ", Number(m.open_seconds), "\n");
  Family(out, "grantledger_replay_seconds", "gauge",
         "Time the open took to recover the projections (checkpoint and log replay).");
  absl::StrAppend(&out, "grantledger_replay_seconds ", Number(m.replay_seconds), "\n");
  return out;
}

}  // namespace grantledger
