// The crash loop: the real grantledgerd, loaded by several clients on Append and AppendStream
// (each remembering what it sent and what was acknowledged), is killed with SIGKILL at a
// random moment and restarted on the same data directory, round after round. After every
// round the ledger is opened and checked: every acknowledged event is present and unchanged,
// no batch is partial, no event is there twice, the chain verifies, and replay agrees with
// the recovered projections.
//
// The suite runs 3 rounds; GRANTLEDGER_CRASH_LOOP_ROUNDS=N runs N (scripts/crash-loop.sh),
// and GRANTLEDGER_CRASH_LOOP_SEED fixes the random kill moments.
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/store/event_store.h"
#include "tests/grpc_child_server.h"
#include "tests/grpc_test_support.h"

namespace grantledger::testing {
namespace {

constexpr char kGrant[] = "RS/229/2025";
constexpr int kClients = 6;  // even: unary Append, odd: AppendStream

uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* value = std::getenv(name);
  uint64_t out = 0;
  return value != nullptr && absl::SimpleAtoi(value, &out) ? out : fallback;
}

// One batch a client sent: its events' ids and serialized bytes (compact: a long loop sends
// millions), and the sequences if it was acknowledged.
struct SentBatch {
  std::vector<std::string> ids;
  std::vector<std::string> bytes;
  std::vector<uint64_t> sequences;  // empty: not acknowledged
};

// What the clients of one round sent, per client.
struct RoundLoad {
  std::mutex mu;
  std::vector<std::vector<SentBatch>> batches = std::vector<std::vector<SentBatch>>(kClients);
  std::atomic<uint64_t> acknowledged_events{0};
};

// A batch of 1..3 events of client `c`; ids are unique across rounds, contents vary.
std::vector<v1::Event> MakeBatch(int round, int c, int i) {
  std::vector<v1::Event> events;
  const int size = 1 + (i + c) % 3;
  for (int k = 0; k < size; ++k) {
    const std::string id = absl::StrCat("r", round, "-c", c, "-", i, "-", k);
    if ((i + k) % 5 == 0) {
      events.push_back(Receipt(id, kGrant, 100 + i % 97, "2025-06-30"));
    } else {
      events.push_back(Spend(id, kGrant, 1 + (i * 7 + k) % 1000, "", "", "2025-07-01"));
    }
  }
  return events;
}

// Client `c` appends until the server goes away.
void RunClient(const std::string& address, int round, int c, RoundLoad& load) {
  auto ledger = v1::LedgerService::NewStub(NewChannel(address));
  std::vector<SentBatch>& mine = load.batches[c];
  auto remember = [&](const std::vector<v1::Event>& events) {
    SentBatch batch;
    for (const v1::Event& e : events) {
      batch.ids.push_back(e.event_id());
      batch.bytes.push_back(e.SerializeAsString());
    }
    std::lock_guard<std::mutex> lock(load.mu);
    mine.push_back(std::move(batch));
    return mine.size() - 1;
  };
  if (c % 2 == 1) {
    auto context = ContextWithDeadline(absl::Seconds(120));
    auto stream = ledger->AppendStream(context.get());
    std::thread writer([&] {
      for (int i = 0;; ++i) {
        v1::AppendRequest request;
        std::vector<v1::Event> events = MakeBatch(round, c, i);
        for (const v1::Event& e : events) *request.add_events() = e;
        remember(events);  // before the write: a written request may land
        if (!stream->Write(request)) return;
        if (i >= 200'000) break;
      }
      stream->WritesDone();
    });
    v1::AppendStreamResponse answer;
    while (stream->Read(&answer)) {
      if (answer.code() != 0) continue;
      std::lock_guard<std::mutex> lock(load.mu);
      SentBatch& batch = mine.at(answer.request_index());
      batch.sequences.assign(answer.response().sequences().begin(),
                             answer.response().sequences().end());
      load.acknowledged_events += batch.sequences.size();
    }
    context->TryCancel();
    writer.join();
    stream->Finish();
    return;
  }
  for (int i = 0;; ++i) {
    v1::AppendRequest request;
    std::vector<v1::Event> events = MakeBatch(round, c, i);
    for (const v1::Event& e : events) *request.add_events() = e;
    const size_t index = remember(events);
    v1::AppendResponse response;
    auto context = ContextWithDeadline(absl::Seconds(20));
    if (!ledger->Append(context.get(), request, &response).ok()) return;
    std::lock_guard<std::mutex> lock(load.mu);
    mine[index].sequences.assign(response.sequences().begin(), response.sequences().end());
    load.acknowledged_events += response.sequences_size();
  }
}

// Opens the stopped server's data directory and checks everything sent so far. Returns the
// number of acknowledged events checked.
uint64_t CheckLedger(const std::string& data_dir, const std::vector<SentBatch>& sent) {
  EventStoreOptions options;
  options.path = data_dir;
  options.check_invariants = true;
  {
    // As an auditor finds it, before any writable open completes the indexes: the derived data
    // (the id index and the Merkle tiles, written after each answer) is whole or only pending.
    EventStoreOptions read_only = options;
    read_only.read_only = true;
    auto store = EventStore::Open(read_only);
    EXPECT_TRUE(store.ok()) << store.status();
    if (store.ok()) {
      auto derived = (*store)->VerifyDerived();
      EXPECT_TRUE(derived.ok()) << derived.status();
      if (derived.ok()) {
        EXPECT_TRUE(derived->ok) << derived->problem;
      }
    }
  }
  auto store = EventStore::Open(options);
  EXPECT_TRUE(store.ok()) << store.status();
  if (!store.ok()) return 0;
  std::map<std::string, uint64_t> stored;  // event_id -> sequence
  std::map<uint64_t, std::string> events;  // sequence -> the event's bytes
  absl::Status scanned = (*store)->Scan(1, 0, "", [&](const v1::RecordedEvent& r) {
    const bool fresh = stored.emplace(r.record().event().event_id(), r.record().sequence()).second;
    EXPECT_TRUE(fresh) << r.record().event().event_id() << " is stored twice";
    events.emplace(r.record().sequence(), r.record().event().SerializeAsString());
    return true;
  });
  EXPECT_TRUE(scanned.ok()) << scanned;
  uint64_t checked = 0;
  for (const SentBatch& batch : sent) {
    size_t present = 0;
    for (const std::string& id : batch.ids) present += stored.count(id);
    // All or nothing, and a stored batch is one run of sequences in the order sent.
    EXPECT_TRUE(present == 0 || present == batch.ids.size())
        << "batch of " << batch.ids[0] << " is partial: " << present << " of " << batch.ids.size();
    if (present == batch.ids.size()) {
      const uint64_t first = stored[batch.ids[0]];
      for (size_t k = 0; k < batch.ids.size(); ++k) {
        EXPECT_EQ(stored[batch.ids[k]], first + k) << batch.ids[k];
      }
    }
    if (batch.sequences.empty()) continue;
    EXPECT_EQ(present, batch.ids.size()) << "acknowledged batch of " << batch.ids[0] << " is lost";
    EXPECT_EQ(batch.sequences.size(), batch.ids.size()) << batch.ids[0];
    for (size_t k = 0; k < batch.ids.size() && k < batch.sequences.size(); ++k) {
      auto it = events.find(batch.sequences[k]);
      if (it == events.end()) {
        ADD_FAILURE() << "acknowledged sequence " << batch.sequences[k] << " is not in the log";
        continue;
      }
      EXPECT_EQ(it->second, batch.bytes[k])
          << "sequence " << batch.sequences[k] << " is not the event acknowledged there ("
          << batch.ids[k] << ")";
      ++checked;
    }
  }
  EXPECT_EQ((*store)->Head().sequence, events.size()) << "the log has gaps";
  auto verified = (*store)->Verify(0, 0);
  EXPECT_TRUE(verified.ok()) << verified.status();
  if (verified.ok()) {
    EXPECT_TRUE(verified->ok) << verified->problem;
  }
  auto replayed = (*store)->Replay(0);
  EXPECT_TRUE(replayed.ok()) << replayed.status();
  if (replayed.ok()) {
    EXPECT_TRUE(*replayed == (*store)->State()) << "replay disagrees";
  }
  return checked;
}

TEST(CrashLoopTest, SigkillUnderLoadLosesNothingAcknowledged) {
  const uint64_t rounds = EnvOr("GRANTLEDGER_CRASH_LOOP_ROUNDS", 3);
  const uint64_t seed = EnvOr("GRANTLEDGER_CRASH_LOOP_SEED", std::random_device{}());
  std::mt19937_64 random(seed);
  std::cout << "crash loop: " << rounds << " rounds, seed " << seed << "\n";
  TempDir dir;
  const std::string data_dir = dir.Sub("data");
  std::vector<SentBatch> sent;  // every round's batches
  uint64_t acknowledged_total = 0;
  std::vector<size_t> to_retry;  // in `sent`: each client's last batches of the round before
  const auto started = std::chrono::steady_clock::now();
  for (uint64_t round = 0; round < rounds; ++round) {
    auto child =
        ChildServer::Start(data_dir, dir.Sub(absl::StrCat("grantledgerd-", round, ".log")));
    ASSERT_TRUE(child.ok()) << "round " << round
                            << ": the server did not restart: " << child.status();
    const std::string address = (*child)->address();
    if (round == 0) {
      auto ledger = v1::LedgerService::NewStub(NewChannel(address));
      v1::AppendResponse response;
      ASSERT_TRUE(
          AppendEvents(*ledger, {RegisterGrant("reg", kGrant, 1'000'000'000'00)}, &response).ok());
    }
    // A finance system that lost its connection sends its last batches again, answered or not:
    // an answered one must get its sequences back, and none may be stored twice (CheckLedger).
    uint64_t retried_acknowledged = 0;
    if (!to_retry.empty()) {
      auto ledger = v1::LedgerService::NewStub(NewChannel(address));
      for (size_t at : to_retry) {
        SentBatch& batch = sent[at];
        std::vector<v1::Event> events(batch.bytes.size());
        for (size_t k = 0; k < events.size(); ++k)
          ASSERT_TRUE(events[k].ParseFromString(batch.bytes[k]));
        v1::AppendResponse response;
        const grpc::Status retried = AppendEvents(*ledger, events, &response);
        ASSERT_TRUE(retried.ok()) << "round " << round << ": retry of " << batch.ids[0] << ": "
                                  << retried.error_message();
        const std::vector<uint64_t> sequences(response.sequences().begin(),
                                              response.sequences().end());
        if (batch.sequences.empty()) {
          batch.sequences = sequences;
          retried_acknowledged += sequences.size();
        } else {
          EXPECT_EQ(sequences, batch.sequences) << "round " << round << ": the retry of "
                                                << batch.ids[0] << " was not answered as before";
        }
      }
      to_retry.clear();
    }
    RoundLoad load;
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([&, c] { RunClient(address, static_cast<int>(round), c, load); });
    }
    // Kill at a random moment: some time after the load got going.
    const auto load_start = std::chrono::steady_clock::now();
    while (load.acknowledged_events.load() < 20 &&
           std::chrono::steady_clock::now() - load_start < std::chrono::seconds(30)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    std::this_thread::sleep_for(std::chrono::microseconds(random() % 700'000));
    ASSERT_TRUE((*child)->Signal(SIGKILL));
    const std::optional<int> status = (*child)->WaitForExit(absl::Seconds(30));
    for (std::thread& t : clients) t.join();
    ASSERT_TRUE(status.has_value() && WIFSIGNALED(*status) && WTERMSIG(*status) == SIGKILL)
        << "round " << round << ": the server ended otherwise; log:\n"
        << (*child)->Log();
    child->reset();
    uint64_t round_acknowledged = retried_acknowledged;
    for (auto& batches : load.batches) {
      for (size_t k = 0; k < batches.size(); ++k) {
        round_acknowledged += batches[k].sequences.size();
        if (k + 3 >= batches.size()) to_retry.push_back(sent.size());
        sent.push_back(std::move(batches[k]));
      }
    }
    EXPECT_GT(round_acknowledged, 0u) << "round " << round << ": nothing was acknowledged";
    const uint64_t checked = CheckLedger(data_dir, sent);
    acknowledged_total += round_acknowledged;
    EXPECT_EQ(checked, acknowledged_total) << "round " << round;
    std::cout << "round " << round + 1 << ": " << round_acknowledged
              << " events acknowledged, killed, restarted; all " << acknowledged_total
              << " acknowledged so far present and unchanged" << std::endl;
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "round " << round << " (seed " << seed << ") failed";
      return;
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "crash loop: " << rounds << " rounds, " << acknowledged_total
            << " acknowledged events, all present and unchanged, 0 lost, 0 partial batches ("
            << seconds << " s)\n";
  ::testing::Test::RecordProperty("acknowledged_events", std::to_string(acknowledged_total));
}

}  // namespace
}  // namespace grantledger::testing
