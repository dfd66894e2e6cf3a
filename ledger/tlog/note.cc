// See note.h.
#include "ledger/tlog/note.h"

#include <openssl/evp.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "ledger/tlog/sha256.h"

namespace grantledger {
namespace {

using absl::StrCat;

constexpr absl::string_view kSignaturePrefix = "\xE2\x80\x94 ";  // an em dash U+2014, a space
constexpr size_t kEd25519Bytes = 32;
constexpr size_t kEd25519SignatureBytes = 64;
constexpr char kEd25519Type = 0x01;

struct KeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

absl::Status CheckName(absl::string_view name) {
  if (name.empty()) return absl::InvalidArgumentError("the key name is empty");
  for (unsigned char c : name) {
    if (c == '+' || c <= 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError(
          StrCat("the key name \"", name, "\" holds a space, a '+' or a control character"));
    }
  }
  return absl::OkStatus();
}

uint32_t BigEndian32(absl::string_view b) {
  return (uint32_t{static_cast<unsigned char>(b[0])} << 24) |
         (uint32_t{static_cast<unsigned char>(b[1])} << 16) |
         (uint32_t{static_cast<unsigned char>(b[2])} << 8) | static_cast<unsigned char>(b[3]);
}

std::string BigEndianBytes(uint32_t v) {
  return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                     static_cast<char>(v >> 8), static_cast<char>(v)};
}

// Strict standard base64 (with padding), as the C2SP formats write it.
bool DecodeBase64(absl::string_view text, std::string& out) {
  return absl::Base64Unescape(text, &out) && absl::Base64Escape(out) == text;
}

}  // namespace

std::string CheckpointBody(const TlogCheckpoint& checkpoint) {
  return StrCat(checkpoint.origin, "\n", checkpoint.size, "\n", absl::Base64Escape(checkpoint.root),
                "\n");
}

absl::StatusOr<TlogCheckpoint> ParseCheckpointBody(absl::string_view body) {
  if (body.empty() || body.back() != '\n') {
    return absl::InvalidArgumentError("the checkpoint body does not end with a newline");
  }
  std::vector<absl::string_view> lines = absl::StrSplit(body.substr(0, body.size() - 1), '\n');
  if (lines.size() < 3) {
    return absl::InvalidArgumentError(
        "the checkpoint body has fewer than three lines (origin, tree size, root hash)");
  }
  TlogCheckpoint checkpoint;
  if (lines[0].empty()) return absl::InvalidArgumentError("the checkpoint's origin line is empty");
  checkpoint.origin = std::string(lines[0]);
  const absl::string_view size = lines[1];
  if (size.empty() || size.size() > 20 || (size.size() > 1 && size[0] == '0') ||
      !std::all_of(size.begin(), size.end(), absl::ascii_isdigit) ||
      !absl::SimpleAtoi(size, &checkpoint.size)) {
    return absl::InvalidArgumentError(
        StrCat("the checkpoint's tree size line \"", size, "\" is not a decimal number"));
  }
  if (!DecodeBase64(lines[2], checkpoint.root) || checkpoint.root.size() != 32) {
    return absl::InvalidArgumentError(
        StrCat("the checkpoint's root line \"", lines[2], "\" is not a base64 32-byte hash"));
  }
  for (size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) return absl::InvalidArgumentError("the checkpoint has an empty line");
  }
  return checkpoint;
}

absl::StatusOr<SignedNote> ParseSignedNote(absl::string_view text) {
  if (text.empty() || text.back() != '\n') {
    return absl::InvalidArgumentError("the signed note does not end with a newline");
  }
  const size_t blank = text.rfind("\n\n");
  if (blank == absl::string_view::npos) {
    return absl::InvalidArgumentError("the signed note has no blank line before its signatures");
  }
  SignedNote note;
  note.body = std::string(text.substr(0, blank + 1));
  absl::string_view rest = text.substr(blank + 2);
  rest.remove_suffix(1);
  for (absl::string_view line : absl::StrSplit(rest, '\n')) {
    if (!absl::StartsWith(line, kSignaturePrefix)) {
      return absl::InvalidArgumentError(
          StrCat("the signature line \"", line, "\" does not start with an em dash and a space"));
    }
    line.remove_prefix(kSignaturePrefix.size());
    const size_t space = line.rfind(' ');
    std::string blob;
    if (space == absl::string_view::npos || !DecodeBase64(line.substr(space + 1), blob) ||
        blob.size() < 5) {
      return absl::InvalidArgumentError(
          StrCat("the signature line \"", line, "\" is not \"NAME BASE64(KEYID||SIGNATURE)\""));
    }
    NoteSignature signature;
    signature.name = std::string(line.substr(0, space));
    if (absl::Status s = CheckName(signature.name); !s.ok()) return s;
    signature.key_id = BigEndian32(blob);
    signature.signature = blob.substr(4);
    note.signatures.push_back(std::move(signature));
  }
  if (note.signatures.empty())
    return absl::InvalidArgumentError("the signed note has no signature");
  return note;
}

uint32_t Ed25519KeyId(absl::string_view name, absl::string_view public_key) {
  const char type = kEd25519Type;
  char digest[kSha256Bytes];
  Sha256Into({name, "\n", absl::string_view(&type, 1), public_key}, digest);
  return BigEndian32(absl::string_view(digest, 4));
}

absl::StatusOr<NoteSigner> NoteSigner::FromPrivateKey(absl::string_view name,
                                                      absl::string_view private_key) {
  if (absl::Status s = CheckName(name); !s.ok()) return s;
  if (private_key.size() != kEd25519Bytes) {
    return absl::InvalidArgumentError("an Ed25519 private key is 32 bytes");
  }
  std::shared_ptr<EVP_PKEY> key(
      EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr,
                                   reinterpret_cast<const unsigned char*>(private_key.data()),
                                   private_key.size()),
      KeyDeleter());
  if (key == nullptr) return absl::InvalidArgumentError("the Ed25519 private key is not usable");
  std::string public_key(kEd25519Bytes, '\0');
  size_t length = public_key.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), reinterpret_cast<unsigned char*>(public_key.data()),
                                  &length) != 1 ||
      length != kEd25519Bytes) {
    return absl::InternalError("OpenSSL gave no public key for the Ed25519 key");
  }
  NoteSigner signer;
  signer.name_ = std::string(name);
  signer.public_key_ = std::move(public_key);
  signer.private_key_ = std::string(private_key);
  signer.key_ = std::move(key);
  return signer;
}

absl::StatusOr<NoteSigner> NoteSigner::Generate(absl::string_view name) {
  EVP_PKEY* raw = nullptr;
  std::unique_ptr<EVP_PKEY_CTX, void (*)(EVP_PKEY_CTX*)> ctx(
      EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr), EVP_PKEY_CTX_free);
  if (ctx == nullptr || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_keygen(ctx.get(), &raw) != 1) {
    return absl::InternalError("OpenSSL could not generate an Ed25519 key");
  }
  std::unique_ptr<EVP_PKEY, KeyDeleter> key(raw);
  std::string private_key(kEd25519Bytes, '\0');
  size_t length = private_key.size();
  if (EVP_PKEY_get_raw_private_key(key.get(), reinterpret_cast<unsigned char*>(private_key.data()),
                                   &length) != 1) {
    return absl::InternalError("OpenSSL gave no private key for the new Ed25519 key");
  }
  return FromPrivateKey(name, private_key);
}

absl::StatusOr<std::string> NoteSigner::Sign(absl::string_view body) const {
  if (body.empty() || body.back() != '\n') {
    return absl::InvalidArgumentError("a note's body ends with a newline");
  }
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::string signature(kEd25519SignatureBytes, '\0');
  size_t length = signature.size();
  if (ctx == nullptr || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(body.data()), body.size()) != 1 ||
      length != kEd25519SignatureBytes) {
    return absl::InternalError("OpenSSL could not sign with the Ed25519 key");
  }
  const std::string blob = BigEndianBytes(Ed25519KeyId(name_, public_key_)) + signature;
  return StrCat(body, "\n", kSignaturePrefix, name_, " ", absl::Base64Escape(blob), "\n");
}

std::string NoteSigner::VerifierKey() const {
  return StrCat(name_, "+", absl::StrFormat("%08x", Ed25519KeyId(name_, public_key_)), "+",
                absl::Base64Escape(StrCat(std::string(1, kEd25519Type), public_key_)));
}

absl::StatusOr<NoteVerifier> NoteVerifier::Parse(absl::string_view verifier_key) {
  verifier_key = absl::StripAsciiWhitespace(verifier_key);
  std::vector<absl::string_view> parts = absl::StrSplit(verifier_key, absl::MaxSplits('+', 2));
  std::string key;
  uint32_t key_id = 0;
  if (parts.size() != 3 || parts[1].size() != 8 || !absl::SimpleHexAtoi(parts[1], &key_id) ||
      !DecodeBase64(parts[2], key) || key.size() != kEd25519Bytes + 1 || key[0] != kEd25519Type) {
    return absl::InvalidArgumentError(
        StrCat("\"", verifier_key,
               "\" is not an Ed25519 verifier key NAME+KEYID+BASE64(0x01||PUBLIC KEY) (as "
               "`grantledger audit public-key` prints it)"));
  }
  if (absl::Status s = CheckName(parts[0]); !s.ok()) return s;
  const std::string public_key = key.substr(1);
  if (Ed25519KeyId(parts[0], public_key) != key_id) {
    return absl::InvalidArgumentError(
        StrCat("the verifier key's id ", parts[1], " does not match its name and public key"));
  }
  std::shared_ptr<EVP_PKEY> pkey(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                  reinterpret_cast<const unsigned char*>(public_key.data()),
                                  public_key.size()),
      KeyDeleter());
  if (pkey == nullptr) return absl::InvalidArgumentError("the Ed25519 public key is not usable");
  NoteVerifier verifier;
  verifier.name_ = std::string(parts[0]);
  verifier.key_id_ = key_id;
  verifier.key_ = std::move(pkey);
  return verifier;
}

absl::StatusOr<std::string> NoteVerifier::Verify(absl::string_view text) const {
  absl::StatusOr<SignedNote> note = ParseSignedNote(text);
  if (!note.ok()) return absl::DataLossError(note.status().message());
  for (const NoteSignature& signature : note->signatures) {
    if (signature.name != name_ || signature.key_id != key_id_) continue;
    std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    if (ctx != nullptr &&
        EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) == 1 &&
        EVP_DigestVerify(
            ctx.get(), reinterpret_cast<const unsigned char*>(signature.signature.data()),
            signature.signature.size(), reinterpret_cast<const unsigned char*>(note->body.data()),
            note->body.size()) == 1) {
      return std::move(note->body);
    }
    return absl::DataLossError(StrCat("the note's signature by ", name_,
                                      " does not verify: it was altered or signed by another key"));
  }
  return absl::DataLossError(StrCat("the note has no signature by the key ", name_, "+",
                                    absl::StrFormat("%08x", key_id_)));
}

}  // namespace grantledger
