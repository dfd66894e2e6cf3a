// The on-disk spool of parsed events; see event_spool.h.
#include "cli/event_spool.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"

namespace grantledger {
namespace {

// Each event: its line number and its length (4 bytes each, this machine's byte order: the
// file never outlives the process), then its protobuf encoding.
struct Header {
  uint32_t line;
  uint32_t size;
};

constexpr size_t kBufferBytes = 1 << 20;

}  // namespace

absl::StatusOr<std::unique_ptr<EventSpool>> EventSpool::Create() {
  std::error_code ec;
  std::string dir = std::filesystem::temp_directory_path(ec).string();
  if (ec) dir = "/tmp";
  // An unnamed file where the file system can make one; else a named one, unlinked at once.
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) {
    std::string pattern = dir + "/grantledger-spool-XXXXXX";
    fd = ::mkostemp(pattern.data(), O_CLOEXEC);
    if (fd >= 0) ::unlink(pattern.c_str());
  }
  std::FILE* file = fd < 0 ? nullptr : ::fdopen(fd, "w+b");
  if (file == nullptr) {
    const int error = errno;
    if (fd >= 0) ::close(fd);
    return absl::UnavailableError(absl::StrCat("cannot make a temporary file in ", dir,
                                               " to hold the parsed events (", std::strerror(error),
                                               "); set TMPDIR to a writable directory"));
  }
  std::setvbuf(file, nullptr, _IOFBF, kBufferBytes);
  return std::unique_ptr<EventSpool>(new EventSpool(file, std::move(dir)));
}

EventSpool::~EventSpool() { std::fclose(file_); }

absl::Status EventSpool::WriteFailed(int error) const {
  return absl::UnavailableError(absl::StrCat(
      "cannot write the parsed events to a temporary file in ", dir_, " (", std::strerror(error),
      "); free space there, or set TMPDIR to a directory with room for them"));
}

absl::Status EventSpool::Add(const EventLine& line) {
  buffer_.clear();
  if (!line.event.SerializeToString(&buffer_)) {
    return absl::InternalError(absl::StrCat("line ", line.line, ": the event cannot be encoded"));
  }
  const Header header{static_cast<uint32_t>(line.line), static_cast<uint32_t>(buffer_.size())};
  if (std::fwrite(&header, sizeof header, 1, file_) != 1 ||
      std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) {
    return WriteFailed(errno);
  }
  ++events_;
  return absl::OkStatus();
}

absl::Status EventSpool::Rewind() {
  if (std::fflush(file_) != 0) return WriteFailed(errno);
  if (std::fseek(file_, 0, SEEK_SET) != 0) return WriteFailed(errno);
  return absl::OkStatus();
}

absl::StatusOr<bool> EventSpool::Next(EventLine* out) {
  Header header;
  const size_t got = std::fread(&header, 1, sizeof header, file_);
  if (got == 0 && std::feof(file_)) return false;
  if (got == sizeof header) {
    buffer_.resize(header.size);
    if (std::fread(buffer_.data(), 1, buffer_.size(), file_) == buffer_.size() &&
        out->event.ParseFromString(buffer_)) {
      out->line = static_cast<int>(header.line);
      return true;
    }
  }
  return absl::UnavailableError(absl::StrCat("the temporary file of parsed events in ", dir_,
                                             " cannot be read back (", std::strerror(errno), ")"));
}

}  // namespace grantledger
