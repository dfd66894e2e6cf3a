// The audit subcommands; see audit_commands.h.
#include "cli/audit_commands.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cli/exit_codes.h"
#include "cli/ledger_backend.h"
#include "cli/tlog_source.h"
#include "ledger/status_macros.h"
#include "ledger/store/log_format.h"
#include "ledger/store/log_signer.h"
#include "ledger/store/record_chain.h"
#include "ledger/tlog/merkle.h"
#include "ledger/tlog/note.h"
#include "ledger/tlog/signing_key_file.h"

namespace grantledger {
namespace {

using absl::StrCat;

constexpr char kKeptName[] = "latest.checkpoint";

int Fail(const absl::Status& status) {
  std::cerr << "grantledger: " << status.message() << "\n";
  return ExitCodeFor(status);
}

absl::StatusOr<std::string> ReadFile(const std::string& path, absl::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(StrCat(what, " ", path, ": cannot be read"));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// --key: the verifier key itself, or a file holding it.
absl::StatusOr<NoteVerifier> LoadVerifier(const std::string& key) {
  if (key.empty()) {
    return absl::InvalidArgumentError(
        "--key: give the log's verifier key (NAME+KEYID+BASE64, from `grantledger audit "
        "public-key` on the server's side), or a file holding it; the key is what the proof is "
        "checked against, so it is never taken from the server");
  }
  std::string text = key;
  if (key.find('+') == std::string::npos || std::filesystem::exists(key)) {
    GL_ASSIGN_OR_RETURN(text, ReadFile(key, "--key"));
  }
  return NoteVerifier::Parse(absl::StripAsciiWhitespace(text));
}

// The checkpoint in a signed note, its signature verified: DataLoss otherwise.
absl::StatusOr<TlogCheckpoint> VerifiedCheckpoint(const NoteVerifier& verifier,
                                                  absl::string_view note, absl::string_view what) {
  absl::StatusOr<std::string> body = verifier.Verify(note);
  if (!body.ok()) return absl::DataLossError(StrCat(what, ": ", body.status().message()));
  absl::StatusOr<TlogCheckpoint> checkpoint = ParseCheckpointBody(*body);
  if (!checkpoint.ok()) {
    return absl::DataLossError(StrCat(what, ": ", checkpoint.status().message()));
  }
  return checkpoint;
}

// The record's chain hash, recomputed from its content and the hash before it, as the log
// chains it (ledger/store/record_chain.h).
std::string RecomputedHash(const v1::EventRecord& record) {
  std::string entry;
  char hash[kHashBytes];
  AppendRecord(entry, record.sequence(), record.recorded_time_unix_micros(),
               SerializeEvent(record.event()), record.author(), record.prev_hash(), hash);
  return std::string(hash, kHashBytes);
}

// Proves the log's checkpoint `latest` extends `old`: OK, or DataLoss naming both sizes.
absl::Status ProveExtends(TlogSource& source, const TlogCheckpoint& old,
                          const TlogCheckpoint& latest) {
  if (latest.size < old.size) {
    return absl::DataLossError(StrCat("the log's checkpoint has ", latest.size,
                                      " records, fewer than the ", old.size,
                                      " of the checkpoint kept: records were removed"));
  }
  absl::StatusOr<std::vector<std::string>> proof = source.ConsistencyProof(old.size, latest.size);
  if (!proof.ok()) {
    if (absl::IsUnavailable(proof.status())) return proof.status();
    return absl::DataLossError(StrCat("no consistency proof from size ", old.size, " to ",
                                      latest.size, ": ", proof.status().message()));
  }
  absl::Status verified =
      VerifyMerkleConsistency(old.size, latest.size, old.root, latest.root, *proof);
  if (!verified.ok()) {
    return absl::DataLossError(StrCat("the checkpoints of sizes ", old.size, " and ", latest.size,
                                      " disagree: ", verified.message()));
  }
  return absl::OkStatus();
}

struct Flags {
  TlogSourceFlags source;
  std::string key;
};

void AddSourceFlags(CLI::App* cmd, Flags& flags) {
  cmd->add_option("--db", flags.source.db,
                  "the data directory, opened read-only and signed with its key (default: "
                  "the server)");
  cmd->add_option("--server", flags.source.server,
                  "grantledgerd address (default 127.0.0.1:50051)");
  cmd->add_option("--signing-key", flags.source.signing_key,
                  "with --db: the log's signing key (default DIR/checkpoint-signing-key.pem)");
  cmd->add_option("--origin", flags.source.origin,
                  "with --db: the log's origin (default: that of its last signed checkpoint)");
}

void AddKeyFlag(CLI::App* cmd, Flags& flags) {
  cmd->add_option("--key", flags.key,
                  "the log's verifier key NAME+KEYID+BASE64 (or a file holding it), as "
                  "`grantledger audit public-key` prints it");
}

// Runs `body`; prints its error and sets the exit code.
void Run(int* exit_code, const std::function<absl::Status()>& body) {
  absl::Status s = body();
  *exit_code = s.ok() ? kExitOk : Fail(s);
}

absl::Status Witness(TlogSource& source, const NoteVerifier& verifier, const std::string& dir) {
  GL_ASSIGN_OR_RETURN(std::string note, source.Checkpoint(0));
  GL_ASSIGN_OR_RETURN(TlogCheckpoint latest,
                      VerifiedCheckpoint(verifier, note, "the log's latest checkpoint"));
  const std::string kept_path = StrCat(dir, "/", kKeptName);
  std::string consistent_with = "nothing kept before: kept as the first";
  if (std::filesystem::exists(kept_path)) {
    GL_ASSIGN_OR_RETURN(std::string kept_note, ReadFile(kept_path, "the kept checkpoint"));
    GL_ASSIGN_OR_RETURN(TlogCheckpoint kept,
                        VerifiedCheckpoint(verifier, kept_note, StrCat("the kept ", kept_path)));
    if (kept.origin != latest.origin) {
      return absl::DataLossError(StrCat("the log's origin is \"", latest.origin,
                                        "\", the kept checkpoint's \"", kept.origin, "\""));
    }
    absl::Status extends = ProveExtends(source, kept, latest);
    if (!extends.ok()) {
      if (!absl::IsDataLoss(extends)) return extends;
      return absl::DataLossError(StrCat("INCONSISTENT: the checkpoint kept in ", dir, " (size ",
                                        kept.size, ") and the log's latest (size ", latest.size,
                                        "): ", extends.message()));
    }
    consistent_with = StrCat("consistent with the kept checkpoint of size ", kept.size);
  }
  GL_RETURN_IF_ERROR(WriteFileDurably(StrCat(dir, "/checkpoint-", latest.size), note));
  GL_RETURN_IF_ERROR(WriteFileDurably(kept_path, note));
  std::cout << "witnessed "
            << absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now(), absl::UTCTimeZone()) << ": "
            << latest.origin << " size " << latest.size << " root "
            << absl::Base64Escape(latest.root) << "; " << consistent_with << "\n"
            << std::flush;
  return absl::OkStatus();
}

}  // namespace

void AddAuditCommands(CLI::App& app, int* exit_code) {
  auto* audit = app.add_subcommand(
      "audit", "the transparency log: signed checkpoints, inclusion and consistency proofs");
  audit->require_subcommand(1);

  {
    auto flags = std::make_shared<Flags>();
    auto out = std::make_shared<std::string>();
    auto size = std::make_shared<uint64_t>(0);
    auto* cmd = audit->add_subcommand("checkpoint", "fetch the log's signed checkpoint");
    AddSourceFlags(cmd, *flags);
    AddKeyFlag(cmd, *flags);
    cmd->add_option("--out", *out, "write it to FILE (default: standard output)");
    cmd->add_option("--size", *size, "the checkpoint of the first SIZE records (default: all)");
    cmd->callback([=] {
      Run(exit_code, [&]() -> absl::Status {
        GL_ASSIGN_OR_RETURN(std::unique_ptr<TlogSource> source, OpenTlogSource(flags->source));
        GL_ASSIGN_OR_RETURN(std::string note, source->Checkpoint(*size));
        if (!flags->key.empty()) {
          GL_ASSIGN_OR_RETURN(NoteVerifier verifier, LoadVerifier(flags->key));
          GL_RETURN_IF_ERROR(VerifiedCheckpoint(verifier, note, "the checkpoint").status());
        }
        if (out->empty()) {
          std::cout << note;
          return absl::OkStatus();
        }
        return WriteFileDurably(*out, note);
      });
    });
  }
  {
    auto flags = std::make_shared<Flags>();
    auto* cmd = audit->add_subcommand(
        "public-key", "print the log's verifier key NAME+KEYID+BASE64(0x01||PUBLIC KEY)");
    cmd->add_option("--db", flags->source.db, "the data directory whose key it is");
    cmd->add_option("--signing-key", flags->source.signing_key,
                    "the signing key file (default DIR/checkpoint-signing-key.pem)");
    cmd->add_option("--origin", flags->source.origin,
                    "the log's origin (default: that of its last signed checkpoint)");
    cmd->callback([=] {
      Run(exit_code, [&]() -> absl::Status {
        if (flags->source.db.empty() && flags->source.signing_key.empty()) {
          return absl::InvalidArgumentError("give --db DIR or --signing-key FILE");
        }
        LogSignerOptions options;
        options.data_dir = flags->source.db;
        options.key_path = flags->source.signing_key;
        options.origin = flags->source.origin;
        GL_ASSIGN_OR_RETURN(NoteSigner signer,
                            LoadSigningKey(SigningKeyPath(options), OriginOf(options), false));
        std::cout << signer.VerifierKey() << "\n";
        return absl::OkStatus();
      });
    });
  }
  {
    auto flags = std::make_shared<Flags>();
    auto sequence = std::make_shared<uint64_t>(0);
    auto checkpoint_file = std::make_shared<std::string>();
    auto* cmd = audit->add_subcommand(
        "prove", "prove that record SEQ, as the log returns it, is in a signed checkpoint");
    cmd->add_option("SEQ", *sequence, "the record's sequence")->required();
    cmd->add_option("--checkpoint", *checkpoint_file,
                    "a checkpoint you hold (default: the log's latest, its signature checked)");
    AddSourceFlags(cmd, *flags);
    AddKeyFlag(cmd, *flags);
    cmd->callback([=] {
      Run(exit_code, [&]() -> absl::Status {
        GL_ASSIGN_OR_RETURN(NoteVerifier verifier, LoadVerifier(flags->key));
        GL_ASSIGN_OR_RETURN(std::unique_ptr<TlogSource> source, OpenTlogSource(flags->source));
        std::string note;
        if (checkpoint_file->empty()) {
          GL_ASSIGN_OR_RETURN(note, source->Checkpoint(0));
        } else {
          GL_ASSIGN_OR_RETURN(note, ReadFile(*checkpoint_file, "--checkpoint"));
        }
        GL_ASSIGN_OR_RETURN(TlogCheckpoint checkpoint,
                            VerifiedCheckpoint(verifier, note, "the checkpoint"));
        if (*sequence == 0 || *sequence > checkpoint.size) {
          return absl::InvalidArgumentError(StrCat(
              "SEQ: ", *sequence, " is not in the checkpoint of ", checkpoint.size, " records"));
        }
        absl::StatusOr<InclusionAnswer> answer = source->InclusionProof(*sequence, checkpoint.size);
        if (absl::IsOutOfRange(answer.status())) {
          return absl::DataLossError(StrCat("the log cannot prove record ", *sequence,
                                            " in the checkpoint of ", checkpoint.size,
                                            " records: ", answer.status().message()));
        }
        GL_RETURN_IF_ERROR(answer.status());
        const v1::EventRecord& record = answer->event.record();
        if (record.sequence() != *sequence || answer->tree_size != checkpoint.size) {
          return absl::DataLossError(StrCat("the log answered with record ", record.sequence(),
                                            " in a tree of ", answer->tree_size));
        }
        const std::string hash = RecomputedHash(record);
        if (hash != answer->event.hash()) {
          return absl::DataLossError(
              StrCat("record ", *sequence, " does not hash to the chain hash it came with"));
        }
        absl::Status included = VerifyMerkleInclusion(
            MerkleLeafHash(hash), *sequence - 1, checkpoint.size, answer->hashes, checkpoint.root);
        if (!included.ok()) return absl::DataLossError(included.message());
        std::cout << "proved: record " << *sequence << " (hash " << HexOf(hash) << ", "
                  << record.event().event_id() << ") is in " << checkpoint.origin
                  << "'s signed checkpoint of " << checkpoint.size << " records (root "
                  << absl::Base64Escape(checkpoint.root) << "), " << answer->hashes.size()
                  << " proof hashes\n";
        return absl::OkStatus();
      });
    });
  }
  {
    auto flags = std::make_shared<Flags>();
    auto old_file = std::make_shared<std::string>();
    auto* cmd = audit->add_subcommand(
        "consistency", "prove that the log's latest checkpoint extends one you kept");
    cmd->add_option("OLD_CHECKPOINT_FILE", *old_file, "the checkpoint kept")->required();
    AddSourceFlags(cmd, *flags);
    AddKeyFlag(cmd, *flags);
    cmd->callback([=] {
      Run(exit_code, [&]() -> absl::Status {
        GL_ASSIGN_OR_RETURN(NoteVerifier verifier, LoadVerifier(flags->key));
        GL_ASSIGN_OR_RETURN(std::string old_note, ReadFile(*old_file, "the old checkpoint"));
        GL_ASSIGN_OR_RETURN(TlogCheckpoint old, VerifiedCheckpoint(verifier, old_note, *old_file));
        GL_ASSIGN_OR_RETURN(std::unique_ptr<TlogSource> source, OpenTlogSource(flags->source));
        GL_ASSIGN_OR_RETURN(std::string note, source->Checkpoint(0));
        GL_ASSIGN_OR_RETURN(TlogCheckpoint latest,
                            VerifiedCheckpoint(verifier, note, "the log's latest checkpoint"));
        GL_RETURN_IF_ERROR(ProveExtends(*source, old, latest));
        std::cout << "consistent: the log's checkpoint of " << latest.size
                  << " records extends the checkpoint of " << old.size << " records\n";
        return absl::OkStatus();
      });
    });
  }
  {
    auto flags = std::make_shared<Flags>();
    auto keep = std::make_shared<std::string>();
    auto every = std::make_shared<std::string>();
    auto* cmd = audit->add_subcommand(
        "witness",
        "fetch the latest checkpoint, prove it extends the last one kept in DIR, keep it");
    cmd->add_option("--keep", *keep, "the directory of kept checkpoints (created if missing)")
        ->required();
    cmd->add_option("--every", *every,
                    "repeat every DURATION (such as 24h or 10m) until an inconsistency");
    AddSourceFlags(cmd, *flags);
    AddKeyFlag(cmd, *flags);
    cmd->callback([=] {
      Run(exit_code, [&]() -> absl::Status {
        absl::Duration period = absl::ZeroDuration();
        if (!every->empty() &&
            (!absl::ParseDuration(*every, &period) || period < absl::Seconds(1))) {
          return absl::InvalidArgumentError(
              StrCat("--every ", *every, ": give a duration of at least 1s, such as 24h"));
        }
        GL_ASSIGN_OR_RETURN(NoteVerifier verifier, LoadVerifier(flags->key));
        std::error_code ec;
        std::filesystem::create_directories(*keep, ec);
        if (ec) return absl::UnavailableError(StrCat("--keep ", *keep, ": ", ec.message()));
        while (true) {
          absl::Status witnessed = [&]() -> absl::Status {
            GL_ASSIGN_OR_RETURN(std::unique_ptr<TlogSource> source, OpenTlogSource(flags->source));
            return Witness(*source, verifier, *keep);
          }();
          if (period == absl::ZeroDuration() || absl::IsDataLoss(witnessed)) return witnessed;
          if (!witnessed.ok()) Fail(witnessed);  // unavailable now: try again next time
          absl::SleepFor(period);
        }
      });
    });
  }
}

}  // namespace grantledger
