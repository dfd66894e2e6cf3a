// Small helpers for absl::Status propagation. Debian 12's abseil (20220623) has no
// status_macros.h, so the two macros the codebase needs live here, once.
#ifndef GRANTLEDGER_LEDGER_STATUS_MACROS_H_
#define GRANTLEDGER_LEDGER_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Returns from the enclosing function if `expr` (an absl::Status) is not OK.
#define GL_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::absl::Status gl_status_ = (expr);      \
    if (!gl_status_.ok()) return gl_status_; \
  } while (0)

#define GL_STATUS_CONCAT_INNER_(a, b) a##b
#define GL_STATUS_CONCAT_(a, b) GL_STATUS_CONCAT_INNER_(a, b)

// `GL_ASSIGN_OR_RETURN(auto x, MakeX());` declares x from an absl::StatusOr or returns its error.
#define GL_ASSIGN_OR_RETURN(lhs, rexpr) \
  GL_ASSIGN_OR_RETURN_IMPL_(GL_STATUS_CONCAT_(gl_statusor_, __LINE__), lhs, rexpr)
#define GL_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr)    \
  auto statusor = (rexpr);                                 \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()

#endif  // GRANTLEDGER_LEDGER_STATUS_MACROS_H_
