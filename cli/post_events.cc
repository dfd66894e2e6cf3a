// Posting in batches; see post_events.h.
#include "cli/post_events.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cli/event_spool.h"
#include "cli/exit_codes.h"
#include "cli/format_count.h"
#include "cli/messages.h"
#include "cli/progress.h"
#include "ledger/limits.h"
#include "ledger/store/log_format.h"

namespace grantledger {
namespace {

int Fail(const absl::Status& status, std::ostream& err) {
  err << "grantledger: " << status.message() << "\n";
  return ExitCodeFor(status);
}

// Fills *events (and *lines, their line numbers) with the next batch of at most `max` events,
// in input order; leaves them empty at the end.
using NextBatch = std::function<absl::Status(size_t max, std::vector<v1::Event>* events,
                                             std::vector<int>* lines)>;

// Maps a rejected batch's event index back to its line in the file.
std::string WhereRejected(const absl::Status& status, const std::vector<int>& lines,
                          const std::string& name) {
  auto payload = status.GetPayload(kEventIndexPayload);
  size_t index = 0;
  if (payload && absl::SimpleAtoi(std::string(*payload), &index) && index < lines.size()) {
    return absl::StrCat(name, ":", lines[index], ": ");
  }
  return absl::StrCat(name, ": ");
}

// Says what a failure at the batch starting after `start` events left written.
void SayWhatWasWritten(size_t start, bool dry_run, std::ostream& err) {
  if (start > 0) {
    err << "grantledger: "
        << TrSub(dry_run ? "the $0 events before this batch were valid; nothing of this batch "
                           "was written"
                         : "the $0 events before this batch were written; nothing of this batch "
                           "was written",
                 GroupDigits(start))
        << "\n";
  } else {
    err << "grantledger: " << Tr("nothing was written") << "\n";
  }
}

// Sends the `total` events that `next` yields, `batch_size` at a time (0: all at once).
int PostBatches(LedgerBackend& backend, uint64_t total, const NextBatch& next,
                const std::string& name, size_t batch_size, bool dry_run, std::ostream& out,
                std::ostream& err) {
  if (batch_size == 0) batch_size = total;
  size_t written = 0, duplicates = 0;
  uint64_t first = 0, last = 0;
  Digest head;
  Progress progress(dry_run ? "events checked" : "events posted", total);
  std::vector<v1::Event> batch;
  std::vector<int> lines;
  for (size_t start = 0; start < total; start += batch_size) {
    absl::Status read = next(batch_size, &batch, &lines);
    if (!read.ok() || batch.empty()) {
      if (read.ok()) read = absl::InternalError(absl::StrCat(name, ": fewer events than counted"));
      err << "grantledger: " << read.message() << "\n";
      SayWhatWasWritten(start, dry_run, err);
      return ExitCodeFor(read);
    }
    const size_t end = start + batch.size();
    absl::StatusOr<AppendResult> result = backend.Append(std::move(batch), dry_run);
    batch.clear();
    if (!result.ok()) {
      err << "grantledger: " << WhereRejected(result.status(), lines, name)
          << result.status().message() << "\n";
      SayWhatWasWritten(start, dry_run, err);
      return ExitCodeFor(result.status());
    }
    for (size_t i = 0; i < result->sequences.size(); ++i) {
      if (result->duplicates[i]) {
        ++duplicates;
        continue;
      }
      ++written;
      if (first == 0) first = result->sequences[i];
      last = result->sequences[i];
    }
    head = result->head;
    progress.Update(end);
  }
  progress.Finish();
  if (dry_run) {
    out << TrSub("valid: $0 ($1 new, $2 already in the ledger); nothing was written",
                 CountOf(total, "event", "events"), GroupDigits(written), GroupDigits(duplicates))
        << "\n";
    return kExitOk;
  }
  out << TrSub("posted $0", CountOf(written, "event", "events"));
  if (written > 0) out << TrSub(" (sequences $0–$1)", first, last);
  out << TrSub(", $0 already in the ledger; head $1 $2", GroupDigits(duplicates), head.sequence,
               HexOf(head.head_hash))
      << "\n";
  return kExitOk;
}

}  // namespace

int PostEventLines(LedgerBackend& backend, const std::vector<EventLine>& event_lines,
                   const std::string& name, size_t batch_size, bool dry_run, std::ostream& out,
                   std::ostream& err) {
  size_t at = 0;
  auto next = [&](size_t max, std::vector<v1::Event>* events, std::vector<int>* lines) {
    events->clear();
    lines->clear();
    for (; at < event_lines.size() && events->size() < max; ++at) {
      events->push_back(event_lines[at].event);
      lines->push_back(event_lines[at].line);
    }
    return absl::OkStatus();
  };
  return PostBatches(backend, event_lines.size(), next, name, batch_size, dry_run, out, err);
}

int PostEventStream(LedgerBackend& backend, std::istream& in, const std::string& name,
                    size_t batch_size, bool dry_run, std::ostream& out, std::ostream& err) {
  const size_t batch = batch_size == 0 ? std::numeric_limits<size_t>::max() : batch_size;
  // Memory holds the first batch. When the input turns out longer, the events go to the
  // spool; when the first batch itself is over the store's limit, the rest is only counted
  // (the store would refuse that batch: it is refused here, with the store's message).
  const size_t hold = std::min(batch, kMaxEventsPerBatch);
  std::vector<EventLine> held;
  std::unique_ptr<EventSpool> spool;
  bool only_count = false;
  EventLineReader reader(in, name);
  {
    Progress reading("events read", 0);
    EventLine line;
    while (true) {
      absl::StatusOr<bool> more = reader.Next(&line);
      if (!more.ok()) return Fail(more.status(), err);
      if (!*more) break;
      reading.Update(reader.events());
      if (only_count) continue;
      if (spool == nullptr && held.size() < hold) {
        held.push_back(std::move(line));
        continue;
      }
      if (spool == nullptr) {
        if (batch > kMaxEventsPerBatch) {
          only_count = true;
          std::vector<EventLine>().swap(held);
          continue;
        }
        absl::StatusOr<std::unique_ptr<EventSpool>> made = EventSpool::Create();
        if (!made.ok()) return Fail(made.status(), err);
        spool = *std::move(made);
        for (const EventLine& h : held) {
          if (absl::Status s = spool->Add(h); !s.ok()) return Fail(s, err);
        }
        std::vector<EventLine>().swap(held);
      }
      if (absl::Status s = spool->Add(line); !s.ok()) return Fail(s, err);
    }
  }
  const uint64_t total = reader.events();
  if (total == 0) return Fail(NoEventsError(name), err);
  if (only_count) {
    const uint64_t first_batch = std::min<uint64_t>(batch, total);
    err << "grantledger: " << name << ": events: the batch has " << first_batch
        << " events; split it into batches of at most " << kMaxEventsPerBatch << "\n";
    SayWhatWasWritten(0, dry_run, err);
    return kExitRejected;
  }
  NextBatch next;
  size_t at = 0;
  if (spool == nullptr) {
    next = [&](size_t max, std::vector<v1::Event>* events, std::vector<int>* lines) {
      events->clear();
      lines->clear();
      for (; at < held.size() && events->size() < max; ++at) {
        events->push_back(std::move(held[at].event));
        lines->push_back(held[at].line);
      }
      return absl::OkStatus();
    };
  } else {
    if (absl::Status s = spool->Rewind(); !s.ok()) return Fail(s, err);
    next = [&](size_t max, std::vector<v1::Event>* events, std::vector<int>* lines) {
      events->clear();
      lines->clear();
      EventLine line;
      while (events->size() < max) {
        absl::StatusOr<bool> more = spool->Next(&line);
        if (!more.ok()) return more.status();
        if (!*more) break;
        events->push_back(std::move(line.event));
        lines->push_back(line.line);
      }
      return absl::OkStatus();
    };
  }
  return PostBatches(backend, total, next, name, batch_size, dry_run, out, err);
}

}  // namespace grantledger
