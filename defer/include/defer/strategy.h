// The strategies deferbench compares, and how each is named in results.
//
// Each enumerator is one way of running a call at the end of a scope, mapped
// onto the mechanism Go's compiler and runtime use for `defer`:
//
//   plain_call         no defer at all: the call is written out at the end.
//   scope_guard        defer::Guard: the compiler inlines the call at every
//                      exit. C++'s floor for an open-coded defer (Go 1.14),
//                      with neither the bitmask nor function scope.
//   open_coded_bits    defer::OpenFrame: 8 slots and an 8-bit deferBits byte,
//                      run in reverse at exit (Go 1.14 open-coded defer).
//   chain_stack        defer::chain::Frame::defer_stack: a record in the
//                      caller's frame, linked on a per-thread chain
//                      (Go 1.13 deferprocStack).
//   chain_heap         defer::chain::Frame::defer_heap: a record from
//                      operator new (Go's deferproc, newdefer with no pool).
//   chain_heap_pooled  defer::chain::Frame::defer_pooled: a heap record
//                      recycled through a per-thread free list (Go's
//                      deferproc with deferpool/freedefer).
#pragma once

#include <cstdint>
#include <string_view>

namespace defer {

enum class Strategy : std::uint8_t {
  plain_call,
  scope_guard,
  open_coded_bits,
  chain_stack,
  chain_heap,
  chain_heap_pooled,
};

// The name used for benchmarks, JSON and charts.
constexpr std::string_view name(Strategy s) noexcept {
  switch (s) {
    case Strategy::plain_call: return "call";
    case Strategy::scope_guard: return "scope_guard";
    case Strategy::open_coded_bits: return "open_coded_bits";
    case Strategy::chain_stack: return "chain_stack";
    case Strategy::chain_heap: return "chain_heap";
    case Strategy::chain_heap_pooled: return "chain_heap_pooled";
  }
  return "unknown";
}

// The wording of Go's `-gcflags=-d=defer` diagnostic for the same mechanism,
// so a frame's choice reads the way Go users know it.
constexpr std::string_view go_diagnostic(Strategy s) noexcept {
  switch (s) {
    case Strategy::scope_guard:
    case Strategy::open_coded_bits: return "open-coded defer";
    case Strategy::chain_stack: return "stack-allocated defer";
    case Strategy::chain_heap:
    case Strategy::chain_heap_pooled: return "heap-allocated defer";
    case Strategy::plain_call: return "no defer";
  }
  return "unknown";
}

}  // namespace defer
