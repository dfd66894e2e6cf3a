// See downloads.h.
#include "services/http/downloads.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "cli/report_output.h"
#include "cli/xlsx_writer.h"
#include "ledger/obligations.h"
#include "ledger/status_macros.h"
#include "services/http/api.h"

namespace grantledger {
namespace {

absl::StatusOr<std::vector<Sheet>> SheetsOf(LedgerBackend& backend, const std::string& report,
                                            const HttpQuery& query,
                                            const Organisation& organisation) {
  GL_ASSIGN_OR_RETURN(AsOf as_of, AsOfFromQuery(query, backend));
  if (report == "grants" || report == "obligations") {
    GL_ASSIGN_OR_RETURN(std::vector<GrantPosition> positions, backend.Positions(as_of));
    if (report == "grants") {
      std::vector<GrantView> grants;
      for (const GrantPosition& p : positions) {
        GL_ASSIGN_OR_RETURN(uint64_t version, backend.GrantVersion(p.grant_id, as_of.sequence));
        grants.push_back(GrantView{p.terms, p.balance, version});
      }
      return GrantListSheets(grants);
    }
    std::vector<Obligation> obligations;
    for (const GrantPosition& p : positions) obligations.push_back(ObligationOf(p));
    // As `grantledger obligations` lists them: by deadline, then grant id.
    std::sort(obligations.begin(), obligations.end(), [](const Obligation& a, const Obligation& b) {
      if (a.repayment_deadline != b.repayment_deadline)
        return a.repayment_deadline < b.repayment_deadline;
      return a.grant_id < b.grant_id;
    });
    return ObligationSheets(obligations);
  }
  GL_ASSIGN_OR_RETURN(std::string id, GrantIdOf(query));
  GL_ASSIGN_OR_RETURN(GrantPosition position, backend.Position(id, as_of));
  if (report == "grant") {
    GL_ASSIGN_OR_RETURN(uint64_t version, backend.GrantVersion(id, as_of.sequence));
    return GrantSheets(GrantView{position.terms, position.balance, version});
  }
  return FinancialAccountSheets(FinancialAccountOf(position), position.terms,
                                ObligationOf(position), organisation);
}

// The workbook's bytes: libxlsxwriter writes files only, so through a private temporary one.
absl::StatusOr<std::string> XlsxBytes(const std::vector<Sheet>& sheets) {
  char path[] = "/tmp/grantledger-download-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) return absl::UnavailableError("cannot make a temporary file for the workbook");
  close(fd);
  absl::Status written = WriteXlsx(sheets, path);
  std::string bytes;
  if (written.ok()) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream read;
    read << in.rdbuf();
    bytes = read.str();
  }
  std::remove(path);
  if (!written.ok()) return written;
  return bytes;
}

}  // namespace

HttpAnswer Download(LedgerBackend& backend, const std::string& name, const HttpQuery& query,
                    const Organisation& organisation) {
  const size_t dot = name.rfind('.');
  const std::string report = name.substr(0, dot);
  const std::string format = dot == std::string::npos ? "" : name.substr(dot + 1);
  if ((report != "grants" && report != "obligations" && report != "grant" && report != "account") ||
      (format != "csv" && format != "xlsx")) {
    return ErrorAnswer(absl::NotFoundError(
        absl::StrCat("no download ", name, "; there are grants, obligations, grant and account, ",
                     "each .csv or .xlsx")));
  }
  absl::StatusOr<std::vector<Sheet>> sheets = SheetsOf(backend, report, query, organisation);
  if (!sheets.ok()) return ErrorAnswer(sheets.status());
  std::string stem = report;
  const std::string id = QueryValue(query, "id");
  if (!id.empty()) stem = absl::StrCat(report, "-", absl::StrReplaceAll(id, {{"/", "-"}}));
  HttpAnswer out;
  if (format == "csv") {
    std::ostringstream csv;
    if (!sheets->empty()) WriteSheetCsv(sheets->front(), csv);
    out = Ok(csv.str(), "text/csv; charset=utf-8");
  } else {
    absl::StatusOr<std::string> bytes = XlsxBytes(*sheets);
    if (!bytes.ok()) return ErrorAnswer(bytes.status());
    out =
        Ok(*std::move(bytes), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  }
  out.filename = absl::StrCat(stem, ".", format);
  return out;
}

}  // namespace grantledger
