// `post` reads its input as a stream (cli/post_events.h): a file of thousands of lines goes to
// the ledger in batches of --batch-size, through a data directory and through a server, with
// the same answers as before: every line is parsed before the first batch (a malformed last
// line writes nothing), a rejected event is named by its file:line, the summary counts every
// event, and an oversized single batch is refused with the store's own message.
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "cli/event_file.h"
#include "cli/ledger_backend.h"
#include "cli/post_events.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/limits.h"
#include "tests/grpc_test_support.h"
#include "tests/test_support.h"

namespace grantledger {
namespace {

using ::grantledger::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kGrant[] = "RS/229/2025";

// A real backend that records the size of every batch it is given.
class RecordingBackend : public LedgerBackend {
 public:
  explicit RecordingBackend(std::unique_ptr<LedgerBackend> real) : real_(std::move(real)) {}
  std::vector<size_t> batches;

  absl::StatusOr<AppendResult> Append(std::vector<v1::Event> events, bool dry_run) override {
    batches.push_back(events.size());
    return real_->Append(std::move(events), dry_run);
  }
  absl::Status ReadEvents(uint64_t from, const std::string& grant_id,
                          const std::function<bool(const v1::RecordedEvent&)>& visit) override {
    return real_->ReadEvents(from, grant_id, visit);
  }
  absl::StatusOr<VerifyResult> Verify(uint64_t from, uint64_t to,
                                      const std::optional<Digest>& expect) override {
    return real_->Verify(from, to, expect);
  }
  absl::StatusOr<Digest> Restore(std::vector<RestoredRecord> records) override {
    return real_->Restore(std::move(records));
  }
  absl::StatusOr<Digest> Head() override { return real_->Head(); }
  absl::StatusOr<GrantPosition> Position(const std::string& grant_id, const AsOf& as_of) override {
    return real_->Position(grant_id, as_of);
  }
  absl::StatusOr<std::vector<GrantPosition>> Positions(const AsOf& as_of) override {
    return real_->Positions(as_of);
  }
  absl::StatusOr<uint64_t> GrantVersion(const std::string& grant_id, uint64_t sequence) override {
    return real_->GrantVersion(grant_id, sequence);
  }
  absl::StatusOr<uint64_t> SequenceAtRecordedTime(absl::Time time) override {
    return real_->SequenceAtRecordedTime(time);
  }
  absl::StatusOr<ObligationsAnswer> Obligations(const AsOfQuery& query) override {
    return real_->Obligations(query);
  }
  absl::StatusOr<UnusedAnswer> Unused(const AsOfQuery& query, const DeadlineRange& range) override {
    return real_->Unused(query, range);
  }
  absl::Status Replay() override { return real_->Replay(); }

 private:
  std::unique_ptr<LedgerBackend> real_;
};

// JSON Lines: the grant's registration and allocation, then `expenses` expenses of 1 kr, with a
// comment and a blank line every 100 lines (so a line number is not an event index). The
// expense numbered `zero_at` (if any) has amount 0, which the rules refuse.
std::string EventsText(int expenses, int zero_at = -1) {
  std::string text = "# streamed post\n";
  auto add = [&](const v1::Event& e) { absl::StrAppend(&text, EventToJson(e), "\n"); };
  add(testing::RegisterGrant("reg", kGrant, 100'000'000'00));
  add(testing::Allocate("alloc", kGrant, 100'000'000'00, "p7", "HS Kir"));
  for (int i = 0; i < expenses; ++i) {
    if (i % 100 == 99) text += "# a comment\n\n";
    add(testing::Spend(absl::StrCat("x-", i), kGrant, i == zero_at ? 0 : 100, "p7", "HS Kir"));
  }
  return text;
}

// The 1-based line of the expense numbered `i` in EventsText.
int LineOfExpense(int i) { return 4 + i + 2 * ((i + 1) / 100); }

struct Posted {
  int exit_code;
  std::string out;
  std::string err;
};

Posted Post(LedgerBackend& backend, const std::string& text, size_t batch_size,
            bool dry_run = false) {
  std::istringstream in(text);
  std::ostringstream out, err;
  const int code = PostEventStream(backend, in, "events.jsonl", batch_size, dry_run, out, err);
  return Posted{code, out.str(), err.str()};
}

class PostStreamTest : public ::testing::Test {
 protected:
  std::unique_ptr<RecordingBackend> OpenDb() {
    auto real = OpenDirectBackend(dir_.Sub("data"), /*writable=*/true);
    EXPECT_TRUE(real.ok()) << real.status();
    return std::make_unique<RecordingBackend>(std::move(*real));
  }
  TempDir dir_;
};

TEST_F(PostStreamTest, ALongFileGoesInBatchesAndEveryEventIsCounted) {
  auto db = OpenDb();
  const std::string text = EventsText(2998);  // 3 000 events
  // A dry run as one batch (a later batch's expenses need the allocation of the first).
  Posted dry = Post(*db, text, 0, /*dry_run=*/true);
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_THAT(dry.out, HasSubstr("valid: 3 000 events (3 000 new, 0 already in the ledger)"));
  EXPECT_THAT(db->batches, ElementsAre(3000));
  db->batches.clear();
  Posted posted = Post(*db, text, 1000);
  ASSERT_EQ(posted.exit_code, 0) << posted.err;
  EXPECT_THAT(db->batches, ElementsAre(1000, 1000, 1000));
  EXPECT_THAT(posted.out, HasSubstr("posted 3 000 events (sequences 1–3000), 0 already"));
  // Posting it again writes nothing: every event is already there, batch by batch.
  db->batches.clear();
  Posted again = Post(*db, text, 700);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(db->batches, ElementsAre(700, 700, 700, 700, 200));
  EXPECT_THAT(again.out, HasSubstr("posted 0 events, 3 000 already in the ledger; head 3000"));
  auto head = db->Head();
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->sequence, 3000u);
}

TEST_F(PostStreamTest, AMalformedLastLineWritesNothingEvenAcrossBatches) {
  auto db = OpenDb();
  const std::string text = EventsText(2500) + "{\"event_id\": \"broken\", \n";
  Posted posted = Post(*db, text, 500);
  EXPECT_EQ(posted.exit_code, 2);
  EXPECT_THAT(posted.err, HasSubstr(absl::StrCat("events.jsonl:", LineOfExpense(2499) + 1, ":")));
  EXPECT_TRUE(db->batches.empty());
  EXPECT_EQ(db->Head()->sequence, 0u);
}

TEST_F(PostStreamTest, ARejectedEventIsNamedByItsLineAndEarlierBatchesStay) {
  auto db = OpenDb();
  Posted posted = Post(*db, EventsText(3000, /*zero_at=*/2345), 1000);
  EXPECT_EQ(posted.exit_code, 2);
  EXPECT_THAT(posted.err, HasSubstr(absl::StrCat("events.jsonl:", LineOfExpense(2345), ": ")));
  EXPECT_THAT(posted.err, HasSubstr("the 2 000 events before this batch were written; nothing of "
                                    "this batch was written"));
  EXPECT_THAT(db->batches, ElementsAre(1000, 1000, 1000));
  EXPECT_EQ(db->Head()->sequence, 2000u);
}

TEST_F(PostStreamTest, OneBatchOverTheLimitIsRefusedWithTheStoresMessage) {
  auto db = OpenDb();
  // What the store says for a batch one event too long.
  std::vector<v1::Event> too_many(kMaxEventsPerBatch + 1, testing::Receipt("r", kGrant, 1));
  auto refused = db->Append(too_many, /*dry_run=*/false);
  ASSERT_FALSE(refused.ok());
  db->batches.clear();
  // The same file as one batch (no --batch-size): refused before anything is sent or held.
  Posted posted = Post(*db, EventsText(kMaxEventsPerBatch - 1), 0);
  EXPECT_EQ(posted.exit_code, 2);
  EXPECT_EQ(posted.err, absl::StrCat("grantledger: events.jsonl: ", refused.status().message(),
                                     "\ngrantledger: nothing was written\n"));
  EXPECT_TRUE(db->batches.empty());
}

TEST_F(PostStreamTest, ThroughAServerToo) {
  testing::TestServer server;
  auto real = OpenServerBackend(server.address());
  ASSERT_TRUE(real.ok()) << real.status();
  RecordingBackend backend(std::move(*real));
  Posted posted = Post(backend, EventsText(2498), 1000);
  ASSERT_EQ(posted.exit_code, 0) << posted.err;
  EXPECT_THAT(backend.batches, ElementsAre(1000, 1000, 500));
  EXPECT_EQ(server.store().Head().sequence, 2500u);
}

// The binary, reading standard input: `post - --batch-size N`.
TEST_F(PostStreamTest, TheCommandReadsStandardInputInBatches) {
  const std::string file = dir_.Sub("events.jsonl");
  std::ofstream(file, std::ios::binary) << EventsText(4998);
  const std::string command =
      absl::StrCat(GRANTLEDGER_BINARY_DIR, "/cli/grantledger post - --batch-size 1000 --db ",
                   dir_.Sub("data"), " < ", file, " > ", dir_.Sub("out"), " 2>&1");
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  std::ifstream in(dir_.Sub("out"));
  std::stringstream out;
  out << in.rdbuf();
  EXPECT_EQ(WEXITSTATUS(status), 0) << out.str();
  EXPECT_THAT(out.str(), HasSubstr("posted 5 000 events (sequences 1–5000)"));
  auto db = OpenDirectBackend(dir_.Sub("data"), /*writable=*/false);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ((*db)->Head()->sequence, 5000u);
}

}  // namespace
}  // namespace grantledger
