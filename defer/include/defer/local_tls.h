// DEFER_LOCAL_TLS: the TLS model of every strategy's per-thread state.
//
// The state lives in the executable (the defer library is static), so the
// compiler may address it as a fixed offset from the thread pointer, one
// instruction with no register to hold the offset: Go keeps its g in a
// register for the same reason. A shared-library build would fail to link,
// loudly.
#pragma once

#if defined(__GNUC__)
#define DEFER_LOCAL_TLS __attribute__((tls_model("local-exec")))
#else
#define DEFER_LOCAL_TLS
#endif
