// The dashboard's pages and their script and style (services/http/assets/), compiled into
// grantledgerd so that it serves them with no files beside it and no network: "/" (the
// overview of every grant), "/grant?id=..." (one grant), /static/dashboard.js and .css.
// Chart.js itself is Debian's, read at start (http_server.h).
#ifndef GRANTLEDGER_SERVICES_HTTP_PAGES_H_
#define GRANTLEDGER_SERVICES_HTTP_PAGES_H_

#include <string_view>
#include <vector>

namespace grantledger {

struct StaticFile {
  const char* path;          // the URL path
  const char* content_type;  // with charset
  std::string_view body;
};

const std::vector<StaticFile>& PageFiles();

}  // namespace grantledger

#endif  // GRANTLEDGER_SERVICES_HTTP_PAGES_H_
