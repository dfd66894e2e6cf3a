// Append load over gRPC against the embedded library, measured in one run with the same
// event shape as append_bench.cc: single events from 1 and 64 concurrent clients, and
// 1000-event batches; each over Append (a call per request) and AppendStream (a request per
// message on one stream per client); events/s, per-request p50/p99 latency, this process's CPU
// time per event, and the gRPC / library ratio.
// Issue 4's targets on a 2-core machine, client included: >= 20 000 durable single-event
// appends/s with 64 clients, >= 200 000 events/s in 1000-event batches.
// Usage: grpc_load_bench [--seconds S] [--dir DIR] [--no-sync] [--server HOST:PORT]
//                        [--only single1|single64|batch1|batch2] [--api unary|stream|both]
//                        [--no-library] [--channels N] [--client-threads] [--no-retries]
//                        [--tls]
//   Without --server it starts a server in-process on 127.0.0.1 over a fresh ledger in DIR;
//   with it, it posts to that running server (the library figures still use DIR). Each client
//   has its own connection unless --channels N makes them share N. A single-event client
//   waits for each event's durable answer before it sends the next, on either API; a batch
//   client on AppendStream sends its next batch while the previous one syncs.
//   --tls runs every case twice in one run: against the plain server, then against a second
//   in-process server with mutual TLS and the authorization policy (certificates made by
//   scripts/dev-pki.sh in DIR/pki; the clients post as the poster). Issue 14's targets with
//   TLS: >= 180 000 events/s in batches, >= 15 000 single events/s from 64 clients.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "grantledger/v1/ledger_service.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "ledger/store/event_store.h"
#include "services/server.h"
#include "tests/bench/bench_events.h"

namespace gl = grantledger;
using Clock = std::chrono::steady_clock;

namespace {

double g_seconds = 3.0;
bool g_sync = true;
std::string g_dir = "/tmp/grantledger-grpc-bench";
std::string g_server;
std::string g_only;  // one case: single1, single64, batch1 or batch2
bool g_no_library = false;
int g_channels = 0;             // connections the clients share; 0: one per client
bool g_client_threads = false;  // --client-threads: Append from a blocking thread per client
std::string g_api = "both";     // unary (Append), stream (AppendStream) or both
bool g_retries = true;          // gRPC's transparent retries (on by default), off with --no-retries
bool g_tls = false;             // --tls: each case also against a server with mutual TLS
// The clients' credentials for the pass being run (insecure, or TLS as a principal).
std::shared_ptr<grpc::ChannelCredentials> g_credentials;
constexpr int kBatch = 1000;

gl::v1::Event MakeEvent(const std::string& id) { return gl::bench::BenchExpense(id); }

gl::v1::Event Registration() { return gl::bench::BenchRegistration(); }

std::unique_ptr<gl::EventStore> OpenLedger(const std::string& name) {
  return gl::bench::OpenBenchLedger(g_dir, name, g_sync);
}

struct Figures {
  double events_per_second = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double cpu_us_per_event = 0;  // this process's CPU time (user + system) per event
};

// CPU seconds (user + system) this process has used so far, over all its threads.
double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Events/s and latency percentiles of a run's calls (per client); exits if a call failed.
Figures Summarize(bool failed, std::vector<std::vector<double>> latencies, int events_per_call,
                  double elapsed, double cpu_seconds) {
  if (failed) {
    std::fprintf(stderr, "a call failed; figures are not valid\n");
    std::exit(1);
  }
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  Figures f;
  const double events = static_cast<double>(all.size()) * events_per_call;
  f.events_per_second = events / elapsed;
  if (events > 0) f.cpu_us_per_event = cpu_seconds * 1e6 / events;
  if (!all.empty()) {
    f.p50_ms = all[all.size() / 2];
    f.p99_ms = all[std::min(all.size() - 1, all.size() * 99 / 100)];
  }
  return f;
}

// Runs `body(thread, i)` (one call of `events_per_call` events; false = failed) from `threads`
// threads for g_seconds; returns events/s and the calls' latency percentiles.
Figures RunFor(int threads, int events_per_call, const std::function<bool(int, uint64_t)>& body) {
  std::atomic<bool> stop{false};
  std::atomic<bool> failed{false};
  std::vector<std::vector<double>> latencies(threads);
  std::vector<std::thread> workers;
  const auto start = Clock::now();
  const double cpu_start = ProcessCpuSeconds();
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      latencies[t].reserve(1 << 16);
      for (uint64_t i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        const auto call_start = Clock::now();
        if (!body(t, i)) {
          failed = true;
          return;
        }
        latencies[t].push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - call_start).count());
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(g_seconds));
  stop = true;
  for (auto& w : workers) w.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  return Summarize(failed, std::move(latencies), events_per_call, elapsed,
                   ProcessCpuSeconds() - cpu_start);
}

std::shared_ptr<grpc::Channel> NewChannel(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // one connection per client
  args.SetMaxSendMessageSize(64 << 20);
  args.SetInt(GRPC_ARG_ENABLE_CHANNELZ, 0);
  if (!g_retries) args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
  return grpc::CreateCustomChannel(address, g_credentials, args);
}

std::string ReadText(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return "";
  std::string out;
  char buffer[4096];
  for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, f)) > 0;) out.append(buffer, n);
  std::fclose(f);
  return out;
}

std::shared_ptr<grpc::ChannelCredentials> TlsAs(const std::string& pki, const std::string& who) {
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = ReadText(pki + "/ca.pem");
  ssl.pem_cert_chain = ReadText(pki + "/" + who + ".pem");
  ssl.pem_private_key = ReadText(pki + "/" + who + ".key");
  return grpc::SslCredentials(ssl);
}

// One stub per client, over `layout` connections (0: one each).
std::vector<std::unique_ptr<gl::v1::LedgerService::Stub>> Stubs(const std::string& address,
                                                                int clients, int layout) {
  const int channels = layout <= 0 ? clients : std::min(layout, clients);
  std::vector<std::shared_ptr<grpc::Channel>> shared;
  for (int c = 0; c < channels; ++c) shared.push_back(NewChannel(address));
  std::vector<std::unique_ptr<gl::v1::LedgerService::Stub>> stubs;
  for (int c = 0; c < clients; ++c) {
    stubs.push_back(gl::v1::LedgerService::NewStub(shared[c % channels]));
  }
  return stubs;
}

bool GrpcAppend(gl::v1::LedgerService::Stub& stub, const gl::v1::AppendRequest& request) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  gl::v1::AppendResponse response;
  grpc::Status status = stub.Append(&context, request, &response);
  if (!status.ok()) std::fprintf(stderr, "Append: %s\n", status.error_message().c_str());
  return status.ok();
}

// `clients` logical clients over gRPC's callback API: each sends its next call from the
// completion of its previous one, so `clients` calls are always in flight without a thread per
// client (as a load generator would). `fill(t, i, request)` builds client t's i-th request.
Figures RunAsync(const std::vector<std::unique_ptr<gl::v1::LedgerService::Stub>>& stubs,
                 int events_per_call,
                 const std::function<void(int, uint64_t, gl::v1::AppendRequest&)>& fill) {
  struct Client {
    int t = 0;
    uint64_t i = 0;
    gl::v1::LedgerService::Stub* stub = nullptr;
    std::unique_ptr<grpc::ClientContext> context;
    gl::v1::AppendRequest request;
    gl::v1::AppendResponse response;
    Clock::time_point start;
    std::vector<double> latencies;
  };
  const int clients = static_cast<int>(stubs.size());
  std::vector<Client> state(clients);
  std::atomic<bool> stop{false};
  std::atomic<bool> failed{false};
  absl::Mutex mu;
  int running = clients;
  std::function<void(Client&)> issue = [&](Client& c) {
    c.context = std::make_unique<grpc::ClientContext>();
    c.context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    c.request.Clear();
    fill(c.t, c.i, c.request);
    c.start = Clock::now();
    c.stub->async()->Append(
        c.context.get(), &c.request, &c.response, [&, client = &c](grpc::Status status) {
          client->latencies.push_back(
              std::chrono::duration<double, std::milli>(Clock::now() - client->start).count());
          if (!status.ok()) {
            std::fprintf(stderr, "Append: %s\n", status.error_message().c_str());
            failed = true;
          }
          if (stop.load() || failed.load()) {
            absl::MutexLock lock(&mu);
            --running;
            return;
          }
          ++client->i;
          issue(*client);
        });
  };
  const auto start = Clock::now();
  const double cpu_start = ProcessCpuSeconds();
  for (int t = 0; t < clients; ++t) {
    state[t].t = t;
    state[t].stub = stubs[t].get();
    state[t].latencies.reserve(1 << 16);
    issue(state[t]);
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(g_seconds));
  stop = true;
  {
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(
        +[](int* n) { return *n == 0; }, &running));
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<std::vector<double>> latencies;
  for (Client& c : state) latencies.push_back(std::move(c.latencies));
  return Summarize(failed, std::move(latencies), events_per_call, elapsed,
                   ProcessCpuSeconds() - cpu_start);
}

// One client's AppendStream: it writes its next request as soon as fewer than `in_flight` are
// unanswered (1: each waits for the previous answer, as a client posting one durable event at
// a time), and closes its side once `stop` is set and every request is answered.
class StreamClient
    : public grpc::ClientBidiReactor<gl::v1::AppendRequest, gl::v1::AppendStreamResponse> {
 public:
  using Fill = std::function<void(int, uint64_t, gl::v1::AppendRequest&)>;
  StreamClient(gl::v1::LedgerService::Stub& stub, int t, int in_flight, const Fill& fill,
               const std::atomic<bool>& stop)
      : t_(t), in_flight_(in_flight), fill_(fill), stop_(stop) {
    latencies_.reserve(1 << 16);
    stub.async()->AppendStream(&context_, this);
    StartRead(&response_);
    Next();
    StartCall();
  }

  void OnWriteDone(bool ok) override {
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      if (!ok) failed_ = true;
    }
    Next();
  }
  void OnReadDone(bool ok) override {
    if (!ok) return;  // the stream is over; OnDone follows
    {
      absl::MutexLock lock(&mu_);
      if (response_.code() != 0) {
        std::fprintf(stderr, "AppendStream: %s\n", response_.message().c_str());
        failed_ = true;
      }
      latencies_.push_back(
          std::chrono::duration<double, std::milli>(Clock::now() - sent_.front()).count());
      sent_.pop_front();
    }
    StartRead(&response_);
    Next();
  }
  void OnDone(const grpc::Status& status) override {
    absl::MutexLock lock(&mu_);
    if (!status.ok()) {
      std::fprintf(stderr, "AppendStream: %s\n", status.error_message().c_str());
      failed_ = true;
    }
    done_ = true;
  }

  // Waits for the stream to end; true if every request was answered OK.
  bool Await() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(&done_));
    return !failed_;
  }
  std::vector<double> TakeLatencies() { return std::move(latencies_); }

 private:
  // Writes the next request, or closes the stream, when the state allows.
  void Next() {
    bool write = false;
    bool close = false;
    {
      absl::MutexLock lock(&mu_);
      if (writing_ || closed_) return;
      if (stop_.load() || failed_) {
        if (sent_.empty()) close = closed_ = true;
      } else if (static_cast<int>(sent_.size()) < in_flight_) {
        writing_ = write = true;
        request_.Clear();
        fill_(t_, i_++, request_);
        sent_.push_back(Clock::now());
      }
    }
    if (write) StartWrite(&request_);
    if (close) StartWritesDone();
  }

  const int t_;
  const int in_flight_;
  const Fill& fill_;
  const std::atomic<bool>& stop_;
  grpc::ClientContext context_;
  gl::v1::AppendRequest request_;
  gl::v1::AppendStreamResponse response_;
  absl::Mutex mu_;
  uint64_t i_ = 0;
  bool writing_ = false;
  bool closed_ = false;
  bool failed_ = false;
  bool done_ = false;
  std::deque<Clock::time_point> sent_;  // send times of the unanswered requests
  std::vector<double> latencies_;
};

// `stubs.size()` clients, each posting over its own AppendStream with up to `in_flight`
// requests unanswered.
Figures RunStreams(const std::vector<std::unique_ptr<gl::v1::LedgerService::Stub>>& stubs,
                   int events_per_call, int in_flight, const StreamClient::Fill& fill) {
  std::atomic<bool> stop{false};
  const auto start = Clock::now();
  const double cpu_start = ProcessCpuSeconds();
  std::vector<std::unique_ptr<StreamClient>> clients;
  for (size_t t = 0; t < stubs.size(); ++t) {
    clients.push_back(
        std::make_unique<StreamClient>(*stubs[t], static_cast<int>(t), in_flight, fill, stop));
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(g_seconds));
  stop = true;
  bool failed = false;
  std::vector<std::vector<double>> latencies;
  for (auto& c : clients) {
    if (!c->Await()) failed = true;
    latencies.push_back(c->TakeLatencies());
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  return Summarize(failed, std::move(latencies), events_per_call, elapsed,
                   ProcessCpuSeconds() - cpu_start);
}

// One client posting batches over AppendStream from its own threads, as a batch-posting system
// would: one builds each request and writes it once fewer than `in_flight` are unanswered (so
// the next batch is built and sent while the previous one syncs), one reads the answers.
Figures RunStreamBatches(gl::v1::LedgerService::Stub& stub, int events_per_call, int in_flight,
                         const StreamClient::Fill& fill) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(static_cast<int>(g_seconds) + 60));
  const auto start = Clock::now();
  const double cpu_start = ProcessCpuSeconds();
  auto stream = stub.AppendStream(&context);
  absl::Mutex mu;
  std::deque<Clock::time_point> sent;  // send times of the unanswered requests
  std::vector<double> latencies;
  bool failed = false;
  std::thread reader([&] {
    gl::v1::AppendStreamResponse answer;
    while (stream->Read(&answer)) {
      absl::MutexLock lock(&mu);
      if (answer.code() != 0) {
        std::fprintf(stderr, "AppendStream: %s\n", answer.message().c_str());
        failed = true;
      }
      latencies.push_back(
          std::chrono::duration<double, std::milli>(Clock::now() - sent.front()).count());
      sent.pop_front();
    }
  });
  const auto end = start + std::chrono::duration<double>(g_seconds);
  for (uint64_t i = 0; Clock::now() < end; ++i) {
    gl::v1::AppendRequest request;
    fill(0, i, request);
    {
      absl::MutexLock lock(&mu);
      auto room = [&] { return static_cast<int>(sent.size()) < in_flight; };
      mu.Await(absl::Condition(&room));
      if (failed) break;
      sent.push_back(Clock::now());
    }
    if (!stream->Write(request)) break;
  }
  stream->WritesDone();
  reader.join();
  grpc::Status status = stream->Finish();
  if (!status.ok()) {
    std::fprintf(stderr, "AppendStream: %s\n", status.error_message().c_str());
    failed = true;
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  return Summarize(failed, {std::move(latencies)}, events_per_call, elapsed,
                   ProcessCpuSeconds() - cpu_start);
}

void Print(const char* name, const Figures& grpc_figures, const Figures& lib) {
  std::printf("%-40s gRPC %9.0f events/s  p50 %6.2f ms  p99 %6.2f ms  cpu %5.1f us/event", name,
              grpc_figures.events_per_second, grpc_figures.p50_ms, grpc_figures.p99_ms,
              grpc_figures.cpu_us_per_event);
  if (lib.events_per_second == 0) {
    std::printf("\n");
    return;
  }
  std::printf(" | library %9.0f events/s  p50 %6.2f ms  p99 %6.2f ms | ratio %.2f\n",
              lib.events_per_second, lib.p50_ms, lib.p99_ms,
              grpc_figures.events_per_second / lib.events_per_second);
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--seconds") && i + 1 < argc) {
      g_seconds = std::atof(argv[++i]);
    } else if (!std::strcmp(argv[i], "--dir") && i + 1 < argc) {
      g_dir = argv[++i];
    } else if (!std::strcmp(argv[i], "--no-sync")) {
      g_sync = false;
    } else if (!std::strcmp(argv[i], "--server") && i + 1 < argc) {
      g_server = argv[++i];
    } else if (!std::strcmp(argv[i], "--only") && i + 1 < argc) {
      g_only = argv[++i];
    } else if (!std::strcmp(argv[i], "--channels") && i + 1 < argc) {
      g_channels = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--no-retries")) {
      g_retries = false;
    } else if (!std::strcmp(argv[i], "--client-threads")) {
      g_client_threads = true;
    } else if (!std::strcmp(argv[i], "--api") && i + 1 < argc) {
      g_api = argv[++i];
    } else if (!std::strcmp(argv[i], "--no-library")) {
      g_no_library = true;
    } else if (!std::strcmp(argv[i], "--tls")) {
      g_tls = true;
    } else {
      std::fprintf(stderr,
                   "usage: grpc_load_bench [--seconds S] [--dir DIR] [--no-sync] "
                   "[--server HOST:PORT] [--only single1|single64|batch1|batch2] "
                   "[--api unary|stream|both] [--no-library] [--channels N] [--client-threads] "
                   "[--no-retries] [--tls]\n");
      return 1;
    }
  }
  g_seconds = std::clamp(g_seconds, 0.2, 60.0);
  if (g_api != "unary" && g_api != "stream" && g_api != "both") {
    std::fprintf(stderr, "--api is unary, stream or both\n");
    return 1;
  }
  // As grantledgerd: no lock-order graph on every mutex gRPC creates (a debugging aid).
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  // Event ids unique per run, so a long-running --server accepts every run's events.
  const std::string run = absl::StrCat(std::chrono::duration_cast<std::chrono::microseconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count());

  g_credentials = grpc::InsecureChannelCredentials();
  std::unique_ptr<gl::EventStore> served_store;
  std::unique_ptr<gl::GrantLedgerServer> server;
  std::string address = g_server;
  if (address.empty()) {
    served_store = OpenLedger("served");
    gl::ServerOptions options;
    options.listen_address = "127.0.0.1:0";
    auto started = gl::GrantLedgerServer::Start(*served_store, options);
    if (!started.ok()) {
      std::fprintf(stderr, "%s\n", started.status().ToString().c_str());
      return 1;
    }
    server = std::move(*started);
    address = server->address();
  }
  // The TLS pass: its own ledger and server, the certificates of scripts/dev-pki.sh.
  std::unique_ptr<gl::EventStore> tls_store;
  std::unique_ptr<gl::GrantLedgerServer> tls_server;
  const std::string pki = g_dir + "/pki";
  if (g_tls) {
    std::filesystem::create_directories(g_dir);
    const std::string command =
        absl::StrCat(GRANTLEDGER_SOURCE_DIR, "/scripts/dev-pki.sh ", pki, " > /dev/null");
    if (std::system(command.c_str()) != 0) {
      std::fprintf(stderr, "cannot make certificates: %s\n", command.c_str());
      return 1;
    }
    tls_store = OpenLedger("served-tls");
    gl::ServerOptions options;
    options.listen_address = "127.0.0.1:0";
    options.tls.cert_path = pki + "/server.pem";
    options.tls.key_path = pki + "/server.key";
    options.tls.client_ca_path = pki + "/ca.pem";
    options.authz_path = pki + "/authz.json";
    auto started = gl::GrantLedgerServer::Start(*tls_store, options);
    if (!started.ok()) {
      std::fprintf(stderr, "%s\n", started.status().ToString().c_str());
      return 1;
    }
    tls_server = std::move(*started);
  }
  std::printf("grpc_load_bench: %.1f s per case, sync=%s, event %zu bytes encoded, server %s%s%s\n",
              g_seconds, g_sync ? "on" : "off", MakeEvent("erp-000000000001").ByteSizeLong(),
              address.c_str(), g_server.empty() ? " (in-process)" : "",
              g_tls ? absl::StrCat(", and with mutual TLS ", tls_server->address()).c_str() : "");

  // The library's figures, measured once per case and printed beside both passes.
  std::map<std::string, Figures> library_of;
  // One pass of every case against `address` with g_credentials; `tag` ends each name.
  auto run_cases = [&](const std::string& address, const std::string& tag) -> bool {
    const std::string id_tag = tag.empty() ? "" : "-tls";
    if (tag.empty()) {  // the TLS pass's grant is registered by its coordinator
      auto stub = gl::v1::LedgerService::NewStub(NewChannel(address));
      gl::v1::AppendRequest request;
      *request.add_events() = Registration();  // duplicates when the grant is there already
      *request.add_events() = gl::bench::BenchAllocation();
      if (!GrpcAppend(*stub, request)) return false;
    }
    for (int clients : {1, 64}) {
      if (!g_only.empty() && g_only != absl::StrCat("single", clients)) continue;
      // 64 clients: each with its own connection, and multiplexed over 4 (as one finance system
      // with 64 requests in flight would), unless --channels names one layout.
      std::vector<int> layouts = {g_channels};
      if (clients > 1 && g_channels == 0) layouts = {0, 4};
      Figures& library = library_of[absl::StrCat("single", clients)];
      if (!g_no_library && library.events_per_second == 0) {
        auto store = OpenLedger(absl::StrCat("lib-single-", clients));
        library = RunFor(clients, 1, [&](int t, uint64_t i) {
          return store->Append({MakeEvent(absl::StrCat("s", t, "-", i))}).ok();
        });
      }
      for (int channels : layouts) {
        std::vector<std::unique_ptr<gl::v1::LedgerService::Stub>> stubs =
            Stubs(address, clients, channels);
        const std::string name =
            clients == 1 ? std::string("single events, 1 client")
            : channels == 0
                ? absl::StrCat("single events, ", clients, " clients, own conns")
                : absl::StrCat("single events, ", clients, " clients, ", channels, " conns");
        auto fill = [&](int t, uint64_t i, gl::v1::AppendRequest& request) {
          *request.add_events() =
              MakeEvent(absl::StrCat(run, id_tag, "-s", clients, "-", channels, "-", t, "-", i));
        };
        if (g_api != "stream") {
          Figures over_grpc;
          if (g_client_threads) {
            over_grpc = RunFor(clients, 1, [&](int t, uint64_t i) {
              gl::v1::AppendRequest request;
              fill(t, i, request);
              return GrpcAppend(*stubs[t], request);
            });
          } else {
            over_grpc = RunAsync(stubs, 1, fill);
          }
          Print(absl::StrCat(name, ", Append", tag, ":").c_str(), over_grpc, library);
        }
        if (g_api != "unary") {
          // Each client waits for its event's durable answer before it sends the next.
          Print(absl::StrCat(name, ", AppendStream", tag, ":").c_str(),
                RunStreams(stubs, 1, 1, fill), library);
        }
      }
    }

    for (int clients : {1, 2}) {
      if (!g_only.empty() && g_only != absl::StrCat("batch", clients)) continue;
      std::vector<std::unique_ptr<gl::v1::LedgerService::Stub>> stubs =
          Stubs(address, clients, g_channels);
      Figures& library = library_of[absl::StrCat("batch", clients)];
      if (!g_no_library && library.events_per_second == 0) {
        auto store = OpenLedger(absl::StrCat("lib-batch-", clients));
        library = RunFor(clients, kBatch, [&](int t, uint64_t i) {
          std::vector<gl::v1::Event> events;
          events.reserve(kBatch);
          for (int k = 0; k < kBatch; ++k) {
            events.push_back(MakeEvent(absl::StrCat("b", t, "-", i, "-", k)));
          }
          return store->Append(std::move(events)).ok();
        });
      }
      auto fill = [&](const char* api, int t, uint64_t i, gl::v1::AppendRequest& request) {
        request.mutable_events()->Reserve(kBatch);
        for (int k = 0; k < kBatch; ++k) {
          *request.add_events() =
              MakeEvent(absl::StrCat(run, id_tag, "-b", api, clients, "-", t, "-", i, "-", k));
        }
      };
      const std::string name = absl::StrCat("1000-event batches, ", clients, " client(s)");
      if (g_api != "stream") {
        Figures over_grpc = RunFor(clients, kBatch, [&](int t, uint64_t i) {
          gl::v1::AppendRequest request;
          fill("u", t, i, request);
          return GrpcAppend(*stubs[t], request);
        });
        Print(absl::StrCat(name, ", Append", tag, ":").c_str(), over_grpc, library);
      }
      if (g_api != "unary" && clients == 1) {
        // The next batch is sent while the previous one syncs: two unanswered at most.
        Figures over_grpc = RunStreamBatches(
            *stubs[0], kBatch, 2,
            [&](int t, uint64_t i, gl::v1::AppendRequest& request) { fill("s", t, i, request); });
        Print(absl::StrCat(name, ", AppendStream", tag, ":").c_str(), over_grpc, library);
      }
    }
    return true;
  };
  if (!run_cases(address, "")) return 1;
  if (g_tls) {
    g_credentials = TlsAs(pki, "poster");
    // The registration is the coordinator's; the load is the poster's.
    {
      auto stub = gl::v1::LedgerService::NewStub(
          grpc::CreateChannel(tls_server->address(), TlsAs(pki, "coordinator")));
      gl::v1::AppendRequest request;
      *request.add_events() = Registration();
      *request.add_events() = gl::bench::BenchAllocation();
      if (!GrpcAppend(*stub, request)) return 1;
    }
    if (!run_cases(tls_server->address(), " [TLS]")) return 1;
    tls_server->Shutdown(absl::Seconds(5));
    tls_server.reset();
    tls_store.reset();
  }
  if (server) server->Shutdown(absl::Seconds(5));
  server.reset();
  served_store.reset();
  std::filesystem::remove_all(g_dir);
  return 0;
}
