// See pages.h. The bodies are the files of assets/, embedded by CMake (pages_assets.cc.in).
#include "services/http/pages.h"

namespace grantledger {

// Defined in the generated pages_assets.cc.
extern const std::string_view kOverviewHtml;
extern const std::string_view kGrantHtml;
extern const std::string_view kDashboardJs;
extern const std::string_view kDashboardCss;

const std::vector<StaticFile>& PageFiles() {
  static const std::vector<StaticFile> files = {
      {"/", "text/html; charset=utf-8", kOverviewHtml},
      {"/grant", "text/html; charset=utf-8", kGrantHtml},
      {"/static/dashboard.js", "text/javascript; charset=utf-8", kDashboardJs},
      {"/static/dashboard.css", "text/css; charset=utf-8", kDashboardCss},
  };
  return files;
}

}  // namespace grantledger
