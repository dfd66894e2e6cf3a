// grantledgerd as a child process: loaded by several clients (Append and AppendStream),
// stopped with SIGTERM (it must exit 0) or SIGKILL; either way every event it acknowledged
// must be in the ledger it leaves.
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/grpc_child_server.h"
#include "tests/grpc_test_support.h"

namespace grantledger::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kGrant[] = "RS/229/2025";

// Starts grantledgerd, loads it from several clients, sends `stop_signal` once 300 appends
// are acknowledged, waits for it to exit, then opens its data directory (recovering, after a
// SIGKILL) and checks that every acknowledged event is there and the chain verifies.
void LoadThenStop(int stop_signal) {
  TempDir dir;
  const std::string data_dir = dir.Sub("data");
  auto child = ChildServer::Start(data_dir, dir.Sub("grantledgerd.log"));
  ASSERT_TRUE(child.ok()) << child.status();
  const std::string address = (*child)->address();
  {
    auto ledger = v1::LedgerService::NewStub(NewChannel(address));
    v1::AppendResponse response;
    ASSERT_TRUE(
        AppendEvents(*ledger, {RegisterGrant("reg", kGrant, 1'000'000'000)}, &response).ok());
  }

  // Load: each client appends until the server refuses or goes away, remembering what it was
  // acknowledged.
  constexpr int kClients = 8;
  constexpr int kMaxAppendsPerClient = 20'000;
  std::mutex mu;
  std::map<std::string, uint64_t> acknowledged;  // event_id -> sequence
  std::atomic<int> acked_count{0};
  std::atomic<int> acked_on_streams{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      auto ledger = v1::LedgerService::NewStub(NewChannel(address));
      if (c % 2 == 1) {
        // Half the clients post over AppendStream, writing ahead of the answers; an answer
        // with code 0 acknowledges the request of its index.
        auto context = ContextWithDeadline(absl::Seconds(60));
        auto stream = ledger->AppendStream(context.get());
        std::thread writer([&] {
          for (int i = 0; i < kMaxAppendsPerClient; ++i) {
            v1::AppendRequest request;
            *request.add_events() = Spend(absl::StrCat("c", c, "-", i), kGrant, 1);
            if (!stream->Write(request)) return;
          }
          stream->WritesDone();
        });
        v1::AppendStreamResponse answer;
        while (stream->Read(&answer)) {
          if (answer.code() != 0) continue;
          std::lock_guard<std::mutex> lock(mu);
          acknowledged[absl::StrCat("c", c, "-", answer.request_index())] =
              answer.response().sequences(0);
          ++acked_count;
          ++acked_on_streams;
        }
        writer.join();
        stream->Finish();
        return;
      }
      for (int i = 0; i < kMaxAppendsPerClient; ++i) {
        const std::string id = absl::StrCat("c", c, "-", i);
        v1::AppendRequest request;
        *request.add_events() = Spend(id, kGrant, 1);
        v1::AppendResponse response;
        auto context = ContextWithDeadline(absl::Seconds(10));
        if (!ledger->Append(context.get(), request, &response).ok()) return;
        std::lock_guard<std::mutex> lock(mu);
        acknowledged[id] = response.sequences(0);
        ++acked_count;
      }
    });
  }
  const auto load_start = std::chrono::steady_clock::now();
  while (acked_count.load() < 300 &&
         std::chrono::steady_clock::now() - load_start < std::chrono::seconds(20)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE((*child)->Signal(stop_signal));
  const std::optional<int> wait_status = (*child)->WaitForExit(absl::Seconds(30));
  for (std::thread& t : clients) t.join();
  ASSERT_TRUE(wait_status.has_value())
      << "grantledgerd did not stop within 30 s of signal " << stop_signal;
  const std::string log = (*child)->Log();
  if (stop_signal == SIGKILL) {
    ASSERT_TRUE(WIFSIGNALED(*wait_status) && WTERMSIG(*wait_status) == SIGKILL);
  } else {
    ASSERT_TRUE(WIFEXITED(*wait_status)) << "grantledgerd died of a signal; log:\n" << log;
    EXPECT_EQ(WEXITSTATUS(*wait_status), 0);
    EXPECT_THAT(log, HasSubstr("stopping on SIGTERM"));
    EXPECT_THAT(log, HasSubstr("stopped: head sequence"));
  }
  ASSERT_GE(acknowledged.size(), 300u) << "the load never got going; log:\n" << log;
  EXPECT_GT(acked_on_streams.load(), 0) << "no AppendStream request was acknowledged";

  EventStoreOptions options;
  options.path = data_dir;
  auto store = EventStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  for (const auto& [id, sequence] : acknowledged) {
    absl::StatusOr<v1::RecordedEvent> recorded = (*store)->Read(sequence);
    ASSERT_TRUE(recorded.ok()) << id << " acknowledged at " << sequence << ": "
                               << recorded.status();
    EXPECT_EQ(recorded->record().event().event_id(), id);
  }
  EXPECT_GE((*store)->Head().sequence, acknowledged.size() + 1);
  auto verified = (*store)->Verify(0, 0);
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->ok) << verified->problem;
}

TEST(ServicesSigtermTest, NoAcknowledgedEventIsLostAndTheServerExitsZero) { LoadThenStop(SIGTERM); }

TEST(ServicesSigtermTest, AfterSigkillTheLedgerRecoversEveryAcknowledgedEvent) {
  LoadThenStop(SIGKILL);
}

}  // namespace
}  // namespace grantledger::testing
