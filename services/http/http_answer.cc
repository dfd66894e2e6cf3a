// See http_answer.h.
#include "services/http/http_answer.h"

#include "absl/strings/str_cat.h"
#include "cli/json_output.h"
#include "grantledger/v1/dashboard.pb.h"

namespace grantledger {

HttpAnswer Ok(std::string body, std::string content_type) {
  HttpAnswer out;
  out.body = std::move(body);
  out.content_type = std::move(content_type);
  return out;
}

HttpAnswer ErrorAnswer(const absl::Status& status) {
  HttpAnswer out;
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      out.status = 400;
      break;
    case absl::StatusCode::kUnauthenticated:
      out.status = 401;
      break;
    case absl::StatusCode::kPermissionDenied:
      out.status = 403;
      break;
    case absl::StatusCode::kNotFound:
      out.status = 404;
      break;
    case absl::StatusCode::kUnavailable:
      out.status = 503;
      break;
    default:
      out.status = 500;
  }
  v1::ApiError error;
  error.set_error(absl::StatusCodeToString(status.code()));
  error.set_message(std::string(status.message()));
  out.body = absl::StrCat(MessageJson(error), "\n");
  return out;
}

HttpAnswer ErrorPage(const absl::Status& status) {
  HttpAnswer out = ErrorAnswer(status);
  std::string message;
  for (char c : status.message()) {
    switch (c) {
      case '&':
        message += "&amp;";
        break;
      case '<':
        message += "&lt;";
        break;
      case '>':
        message += "&gt;";
        break;
      case '"':
        message += "&quot;";
        break;
      default:
        message += c;
    }
  }
  out.content_type = "text/html; charset=utf-8";
  out.body = absl::StrCat(
      "<!doctype html>\n<html lang=\"en\"><meta charset=\"utf-8\"><title>", out.status, " ",
      absl::StatusCodeToString(status.code()), "</title>\n<h1>", out.status, " ",
      absl::StatusCodeToString(status.code()), "</h1>\n<p>", message, "</p>\n</html>\n");
  return out;
}

std::string QueryValue(const HttpQuery& query, const std::string& name) {
  auto it = query.find(name);
  return it == query.end() ? std::string() : it->second;
}

}  // namespace grantledger
