// The per-thread head of defer::floor's chain.
#include "defer/floor_chain.h"

namespace defer::floor {

thread_local constinit Link* tls_chain DEFER_LOCAL_TLS = nullptr;

int pending_calls() noexcept {
  int n = 0;
  for (const Link* l = tls_chain; l != nullptr; l = l->older) ++n;
  return n;
}

}  // namespace defer::floor
