// What an HTTP route answers, free of the HTTP library: the routes (api.h, downloads.h,
// pages.h, metrics_text.h) build these, http_server.cc sends them. An error status becomes the
// HTTP status and a JSON body naming the problem and the fix.
#ifndef GRANTLEDGER_SERVICES_HTTP_HTTP_ANSWER_H_
#define GRANTLEDGER_SERVICES_HTTP_HTTP_ANSWER_H_

#include <map>
#include <string>

#include "absl/status/status.h"

namespace grantledger {

// The request's query parameters (the last value of a repeated one).
using HttpQuery = std::map<std::string, std::string>;

struct HttpAnswer {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  // Set for downloads: sent as Content-Disposition: attachment; filename="...".
  std::string filename;
};

// 200 with `body` of `content_type`.
HttpAnswer Ok(std::string body, std::string content_type = "application/json; charset=utf-8");

// 400 InvalidArgument/OutOfRange, 401 Unauthenticated, 403 PermissionDenied, 404 NotFound,
// 503 Unavailable, 500 otherwise; the body is {"error":"CODE","message":"..."}.
HttpAnswer ErrorAnswer(const absl::Status& status);
// The same status as a short HTML page for a browser that asked for a page (a refused client
// certificate, a role that may not read): the code and the message, escaped.
HttpAnswer ErrorPage(const absl::Status& status);

// The parameter's value, or "" when absent.
std::string QueryValue(const HttpQuery& query, const std::string& name);

}  // namespace grantledger

#endif  // GRANTLEDGER_SERVICES_HTTP_HTTP_ANSWER_H_
