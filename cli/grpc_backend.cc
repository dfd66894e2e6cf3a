// The server backend: the commands' view of a ledger served by grantledgerd, over the same
// gRPC API a finance system uses.
#include <grpcpp/grpcpp.h>

#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cli/as_of_flags.h"
#include "cli/ledger_backend.h"
#include "cli/server_channel.h"
#include "cli/tls_flags.h"
#include "grantledger/v1/audit_service.grpc.pb.h"
#include "grantledger/v1/ledger_service.grpc.pb.h"
#include "grantledger/v1/query_service.grpc.pb.h"
#include "grantledger/v1/year_end_service.grpc.pb.h"
#include "ledger/civil_date.h"
#include "ledger/status_macros.h"
#include "ledger/store/store_types.h"
#include "ledger/year_end.h"
#include "services/codec.h"
#include "services/recorded_point.h"
#include "services/service_context.h"

namespace grantledger {
namespace {

constexpr int kDeadlineSeconds = 120;

// A server older than this client leaves out the obligation fields 26-30 (as_of_date, kind,
// report_submitted, days_elapsed, days_in_period) that the client rebuilds each obligation from;
// decoding without them would misstate the reporting status and the warnings. Every obligation
// this client's server sends has as_of_date, so its absence names the older server.
absl::Status CheckObligationFields(
    const google::protobuf::RepeatedPtrField<v1::Obligation>& obligations) {
  for (const v1::Obligation& o : obligations) {
    if (!o.as_of_date().empty()) continue;
    return absl::FailedPreconditionError(absl::StrCat(
        "the server's obligation for grant ", o.grant_id(),
        " lacks as_of_date and the fields after it: grantledgerd is older than this grantledger; "
        "upgrade grantledgerd, or use the grantledger of the server's version"));
  }
  return absl::OkStatus();
}

class GrpcBackend : public LedgerBackend {
 public:
  GrpcBackend(std::string address, std::shared_ptr<grpc::Channel> channel)
      : address_(std::move(address)),
        ledger_(v1::LedgerService::NewStub(channel)),
        audit_(v1::AuditService::NewStub(channel)),
        query_(v1::QueryService::NewStub(channel)),
        year_end_(v1::YearEndService::NewStub(channel)) {}

  absl::StatusOr<AppendResult> Append(std::vector<v1::Event> events, bool dry_run) override {
    v1::AppendRequest request;
    for (v1::Event& e : events) *request.add_events() = std::move(e);
    request.set_dry_run(dry_run);
    v1::AppendResponse response;
    grpc::ClientContext context;
    SetDeadline(context);
    grpc::Status s = ledger_->Append(&context, request, &response);
    if (!s.ok()) return FromGrpc(s, &context);
    AppendResult out;
    out.sequences.assign(response.sequences().begin(), response.sequences().end());
    out.duplicates.assign(response.duplicates().begin(), response.duplicates().end());
    out.head = Digest{response.head().sequence(), response.head().head_hash()};
    return out;
  }

  absl::Status ReadEvents(uint64_t from, const std::string& grant_id,
                          const std::function<bool(const v1::RecordedEvent&)>& visit) override {
    v1::ReadEventsRequest request;
    request.set_from_sequence(from);
    request.set_grant_id(grant_id);
    grpc::ClientContext context;
    auto reader = audit_->ReadEvents(&context, request);
    v1::EventsChunk chunk;
    bool stopped = false;
    while (!stopped && reader->Read(&chunk)) {
      for (const v1::RecordedEvent& e : chunk.events()) {
        if (!visit(e)) {
          stopped = true;
          context.TryCancel();
          break;
        }
      }
    }
    grpc::Status s = reader->Finish();
    if (stopped) return absl::OkStatus();
    return s.ok() ? absl::OkStatus() : FromGrpc(s, &context);
  }

  absl::StatusOr<VerifyResult> Verify(uint64_t from, uint64_t to,
                                      const std::optional<Digest>& expect) override {
    v1::VerifyChainRequest request;
    request.set_from_sequence(from);
    request.set_to_sequence(to);
    if (expect.has_value()) {
      request.mutable_expect()->set_sequence(expect->sequence);
      request.mutable_expect()->set_head_hash(expect->head_hash);
    }
    v1::VerifyChainResponse response;
    grpc::ClientContext context;
    SetDeadline(context);
    grpc::Status s = audit_->VerifyChain(&context, request, &response);
    if (!s.ok()) return FromGrpc(s, &context);
    VerifyResult out;
    out.ok = response.ok();
    out.first_bad_sequence = response.first_bad_sequence();
    out.problem = response.problem();
    out.checked = response.checked();
    out.last_good = Digest{response.last_good().sequence(), response.last_good().head_hash()};
    return out;
  }

  absl::StatusOr<Digest> Head() override {
    v1::GetDigestRequest request;
    v1::GetDigestResponse response;
    grpc::ClientContext context;
    SetDeadline(context);
    grpc::Status s = audit_->GetDigest(&context, request, &response);
    if (!s.ok()) return FromGrpc(s, &context);
    return Digest{response.digest().sequence(), response.digest().head_hash()};
  }

  absl::StatusOr<std::string> Checkpoint(uint64_t tree_size) override {
    v1::GetCheckpointRequest request;
    request.set_tree_size(tree_size);
    v1::GetCheckpointResponse response;
    grpc::ClientContext context;
    SetDeadline(context);
    grpc::Status s = audit_->GetCheckpoint(&context, request, &response);
    if (!s.ok()) return FromGrpc(s, &context);
    return response.checkpoint();
  }

  absl::StatusOr<Digest> Restore(std::vector<RestoredRecord>) override {
    return absl::FailedPreconditionError(
        "restore builds a new data directory: run it with --db NEWDIR, not against a server");
  }

  absl::StatusOr<GrantPosition> Position(const std::string& grant_id, const AsOf& as_of) override {
    v1::PositionRequest request;
    request.set_grant_id(grant_id);
    SetAsOf(as_of, request.mutable_as_of());
    v1::PositionResponse response;
    grpc::ClientContext context;
    SetDeadline(context);
    grpc::Status s = year_end_->GetPosition(&context, request, &response);
    if (!s.ok()) return FromGrpc(s, &context);
    return DecodePosition(response);
  }

  absl::StatusOr<std::vector<GrantPosition>> Positions(const AsOf& as_of) override {
    v1::ListGrantsRequest request;
    if (as_of.sequence != 0) request.set_as_of_sequence(as_of.sequence);
    v1::ListGrantsResponse response;
    grpc::ClientContext context;
    SetDeadline(context);
    grpc::Status s = query_->ListGrants(&context, request, &response);
    if (!s.ok()) return FromGrpc(s, &context);
    std::vector<GrantPosition> out;
    for (const v1::GrantView& g : response.grants()) {
      absl::StatusOr<GrantPosition> p = Position(g.grant_id(), as_of);
      if (absl::IsNotFound(p.status())) continue;
      if (!p.ok()) return p.status();
      out.push_back(std::move(*p));
    }
    return out;
  }

  absl::StatusOr<uint64_t> GrantVersion(const std::string& grant_id, uint64_t sequence) override {
    v1::GetGrantRequest request;
    request.set_grant_id(grant_id);
    if (sequence != 0) request.set_as_of_sequence(sequence);
    v1::GetGrantResponse response;
    grpc::ClientContext context;
    SetDeadline(context);
    grpc::Status s = query_->GetGrant(&context, request, &response);
    if (!s.ok()) return FromGrpc(s, &context);
    return response.grant().version();
  }

  absl::StatusOr<ObligationsAnswer> Obligations(const AsOfQuery& query) override {
    v1::ObligationsRequest request;
    SetAsOfQuery(query, request.mutable_as_of());
    v1::ObligationsResponse response;
    grpc::ClientContext context;
    SetDeadline(context);
    grpc::Status s = year_end_->GetObligations(&context, request, &response);
    if (!s.ok()) return RecordedPointRefusal(FromGrpc(s, &context), query);
    GL_RETURN_IF_ERROR(CheckObligationFields(response.obligations()));
    GL_ASSIGN_OR_RETURN(AsOf as_of, AnsweredPoint(query, response.as_of_sequence()));
    ObligationsAnswer out{as_of, {}};
    out.obligations.reserve(response.obligations_size());
    for (const v1::Obligation& o : response.obligations())
      out.obligations.push_back(DecodeObligation(o));
    return out;
  }

  absl::StatusOr<UnusedAnswer> Unused(const AsOfQuery& query, const DeadlineRange& range) override {
    v1::UnusedRequest request;
    SetAsOfQuery(query, request.mutable_as_of());
    if (range.from) request.set_deadline_from(FormatCivilDay(*range.from));
    if (range.to) request.set_deadline_to(FormatCivilDay(*range.to));
    v1::UnusedResponse response;
    grpc::ClientContext context;
    SetDeadline(context);
    grpc::Status s = year_end_->ListUnused(&context, request, &response);
    if (!s.ok()) return RecordedPointRefusal(FromGrpc(s, &context), query);
    GL_RETURN_IF_ERROR(CheckObligationFields(response.obligations()));
    GL_ASSIGN_OR_RETURN(AsOf as_of, AnsweredPoint(query, response.as_of_sequence()));
    return UnusedAnswer{as_of, DecodeUnusedList(response)};
  }

  absl::StatusOr<uint64_t> SequenceAtRecordedTime(absl::Time time) override {
    // The server resolves recorded times; an obligations query echoes the sequence it used.
    v1::ObligationsRequest request;
    SetTimestamp(time, request.mutable_as_of()->mutable_recorded_as_of());
    v1::ObligationsResponse response;
    grpc::ClientContext context;
    SetDeadline(context);
    grpc::Status s = year_end_->GetObligations(&context, request, &response);
    if (!s.ok()) return FromGrpc(s, &context);
    return response.as_of_sequence();
  }

  absl::Status Replay() override {
    return absl::FailedPreconditionError(
        "replay reads the data directory itself: run it with --db DIR (a copy will do)");
  }

 private:
  void SetDeadline(grpc::ClientContext& context) {
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(kDeadlineSeconds));
  }
  static void SetAsOf(const AsOf& as_of, v1::AsOfPoint* out) {
    out->set_as_of_date(FormatCivilDay(as_of.date));
    if (as_of.sequence != 0) out->set_as_of_sequence(as_of.sequence);
  }
  static void SetTimestamp(absl::Time time, google::protobuf::Timestamp* out) {
    // Whole seconds rounded down and nanos in [0, 1e9), as Timestamp requires (also before
    // 1970).
    const int64_t micros = absl::ToUnixMicros(time);
    const int64_t seconds = micros / 1'000'000 - (micros % 1'000'000 < 0 ? 1 : 0);
    out->set_seconds(seconds);
    out->set_nanos(static_cast<int32_t>(micros - seconds * 1'000'000) * 1000);
  }
  // The unresolved point: the server resolves it in the same call.
  static void SetAsOfQuery(const AsOfQuery& query, v1::AsOfPoint* out) {
    out->set_as_of_date(FormatCivilDay(query.date));
    if (query.sequence.has_value()) {
      out->set_as_of_sequence(*query.sequence);
    } else if (query.recorded_at.has_value()) {
      SetTimestamp(*query.recorded_at, out->mutable_recorded_as_of());
    }
  }
  // A sequence beyond the head, refused by the server with the head in its trailing
  // metadata, in the words of ResolveAsOf.
  static absl::Status RecordedPointRefusal(absl::Status status, const AsOfQuery& query) {
    uint64_t head = 0;
    auto payload = status.GetPayload(kHeadSequencePayload);
    if (status.code() == absl::StatusCode::kOutOfRange && query.sequence.has_value() &&
        payload.has_value() && absl::SimpleAtoi(std::string(*payload), &head)) {
      return RecordedSequenceBeyondHead(*query.sequence, head);
    }
    return status;
  }
  // The point an answer stands for; a recorded time before the first record is refused as
  // ResolveAsOf refuses it (the server answers it with nothing, at sequence 0).
  static absl::StatusOr<AsOf> AnsweredPoint(const AsOfQuery& query, uint64_t sequence) {
    if (query.recorded_at.has_value() && sequence == 0) {
      return NothingRecordedBy(query.recorded_text);
    }
    return AsOf{query.date, sequence};
  }
  absl::Status FromGrpc(const grpc::Status& s, grpc::ClientContext* context) {
    if (s.error_code() == grpc::StatusCode::UNAVAILABLE &&
        s.error_message().find("connect") != std::string::npos) {
      return absl::UnavailableError(absl::StrCat(
          "no grantledgerd answers at ", address_,
          "; start it (build/services/grantledgerd --data-dir DIR), or give --db DIR"));
    }
    absl::Status out(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
    // A rejected batch carries the offending event's index as trailing metadata.
    const auto& trailing = context->GetServerTrailingMetadata();
    auto it = trailing.find("grantledger-event-index");
    if (it != trailing.end()) {
      out.SetPayload(kEventIndexPayload,
                     absl::Cord(std::string(it->second.data(), it->second.size())));
    }
    // A refused as_of_sequence carries the head (services/recorded_point.h).
    auto head = trailing.find(kHeadSequenceMetadata);
    if (head != trailing.end()) {
      out.SetPayload(kHeadSequencePayload,
                     absl::Cord(std::string(head->second.data(), head->second.size())));
    }
    return out;
  }

  std::string address_;
  std::unique_ptr<v1::LedgerService::Stub> ledger_;
  std::unique_ptr<v1::AuditService::Stub> audit_;
  std::unique_ptr<v1::QueryService::Stub> query_;
  std::unique_ptr<v1::YearEndService::Stub> year_end_;
};

absl::StatusOr<std::string> ReadPem(const std::string& path, const char* flag) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": cannot read ", path, "; give a readable PEM file"));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Insecure without TLS files; otherwise TLS verifying the server against --tls-ca (the
// system's roots when only a certificate is given), presenting --tls-cert when given.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ClientChannelCredentials(
    const ClientTlsFiles& tls) {
  if (!tls.tls()) return grpc::InsecureChannelCredentials();
  if (tls.cert_path.empty() != tls.key_path.empty()) {
    return absl::InvalidArgumentError(
        "--tls-cert and --tls-key go together: give both (or GRANTLEDGER_TLS_CERT and "
        "GRANTLEDGER_TLS_KEY), or neither");
  }
  grpc::SslCredentialsOptions options;
  if (!tls.ca_path.empty()) {
    absl::StatusOr<std::string> ca = ReadPem(tls.ca_path, "--tls-ca");
    if (!ca.ok()) return ca.status();
    options.pem_root_certs = *std::move(ca);
  }
  if (!tls.cert_path.empty()) {
    absl::StatusOr<std::string> cert = ReadPem(tls.cert_path, "--tls-cert");
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key = ReadPem(tls.key_path, "--tls-key");
    if (!key.ok()) return key.status();
    options.pem_cert_chain = *std::move(cert);
    options.pem_private_key = *std::move(key);
  }
  return grpc::SslCredentials(options);
}

}  // namespace

absl::StatusOr<std::unique_ptr<LedgerBackend>> OpenServerBackend(const std::string& address) {
  GL_ASSIGN_OR_RETURN(std::shared_ptr<grpc::Channel> channel, OpenServerChannel(address));
  return std::unique_ptr<LedgerBackend>(new GrpcBackend(address, std::move(channel)));
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenServerChannel(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  args.SetMaxSendMessageSize(64 << 20);
  const ClientTlsFiles tls = ClientTls();
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      ClientChannelCredentials(tls);
  if (!credentials.ok()) return credentials.status();
  auto channel = grpc::CreateCustomChannel(address, *credentials, args);
  if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(5))) {
    return absl::UnavailableError(absl::StrCat(
        "no grantledgerd answers at ", address,
        "; start it (build/services/grantledgerd --data-dir DIR), or give --db DIR",
        tls.tls() ? "; with TLS, check that --tls-ca issued the server's certificate and that "
                    "the server's CA issued --tls-cert"
                  : "; a server with TLS needs --tls-ca (and --tls-cert, --tls-key)"));
  }
  return channel;
}

}  // namespace grantledger
