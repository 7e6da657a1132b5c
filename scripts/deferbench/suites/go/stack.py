"""Article A's recursion through defer in Go (claims A6, A7), run as children
that are expected to die with "fatal error: stack overflow".

The depth comes from the child's own counter in a shared 8-byte file
(goref/cmd/deferstack explains why that is exact); the stack size it died at
comes from the runtime's own message "stack=[lo, hi]", so bytes per frame is
measured, not assumed. Go's stack doubles, so under the default limit of
1,000,000,000 bytes the last stack is 512 MiB (the article's arithmetic, analysis/claims.py).
"""

import os
import re
import tempfile

from . import children as go_children, diagnostics as go_diagnostics

# deferbench case -> (program variant, -mode): the variant "noopendefer" is
# the same source built with -gcflags=-d=noopendefer.
CASES = {
    "stack/open_coded": ("shipped", "defer"),
    "stack/chain_stack": ("noopendefer", "defer"),
    "stack/chain_heap": ("shipped", "loop"),
    "stack/plain": ("shipped", "plain"),
}

# deferbench case -> the function that recurses (goref/cmd/deferstack), and
# whether its deferred call is made from runtime.deferreturn (a record on the
# chain) rather than from the function's own exit (open-coded, or no defer).
FUNCTIONS = {
    "stack/open_coded": ("viaDefer", False),
    "stack/chain_stack": ("viaDefer", True),
    "stack/chain_heap": ("viaLoopDefer", True),
    "stack/plain": ("viaCall", False),
}

_LIMIT = re.compile(r"goroutine stack exceeds (\d+)-byte limit")
_BOUNDS = re.compile(r"stack=\[0x([0-9a-f]+), 0x([0-9a-f]+)\]")
FATAL = "fatal error: stack overflow"


def measure(binary, mode, max_stack, timeout_s, scratch):
    """One child: a Google Benchmark-shaped entry's measured fields, or an
    error message when it did not end as expected."""
    fd, counter = tempfile.mkstemp(prefix="depth-", dir=scratch)
    try:
        os.write(fd, bytes(8))
        os.close(fd)
        argv = [binary, f"-mode={mode}", f"-counter={counter}"]
        if max_stack:
            argv.append(f"-max-stack={max_stack}")
        child = go_children.run(argv, env=dict(os.environ, GOTRACEBACK="single"),
                                timeout_s=timeout_s)
        with open(counter, "rb") as f:
            depth = int.from_bytes(f.read(8), "little")
    finally:
        os.unlink(counter)
    fields = {"depth": depth, "wall_s": child.wall_s, "user_s": child.user_s,
              "sys_s": child.sys_s, "max_rss_bytes": child.max_rss_bytes}
    limit, bounds = _LIMIT.search(child.stderr), _BOUNDS.search(child.stderr)
    if child.timed_out or FATAL not in child.stderr or not limit or not bounds:
        last = (child.stderr.strip().splitlines() or [""])[0]
        return fields, (f"expected '{FATAL}', got {go_children.describe_end(child)}"
                        + (f": {last}" if last else ""))
    stack = int(bounds.group(2), 16) - int(bounds.group(1), 16)
    fields.update(limit_bytes=int(limit.group(1)), stack_bytes=stack,
                  bytes_per_frame=stack / depth if depth else None)
    return fields, None


# How the recursion's `*depth++` reads in amd64 code.
_DEPTH_INCREMENT = re.compile(r"\tINCQ 0\(")


def frame_layout(objdump, binaries):
    """{case: fields} of the stack each level of the recursion takes, read
    from the machine code: the function's frame (its prologue's reservation
    and the return address) and, where the deferred call is made from
    runtime.deferreturn, that frame too, since it stays on the stack under the
    next level. objdump(binary, symbol) -> `go tool objdump -s` text or None.
    A case whose code cannot be read (not amd64) gets no fields."""
    out = {}
    for name, (variant, _) in CASES.items():
        function, via_deferreturn = FUNCTIONS[name]
        own = go_diagnostics.frame_bytes(objdump(binaries[variant], rf"^main\.{function}$") or "")
        if own is None:
            continue
        fields = {"frame_bytes": own, "frame_function": f"main.{function}"}
        if via_deferreturn:
            runtime = go_diagnostics.frame_bytes(
                objdump(binaries[variant], r"^runtime\.deferreturn$") or "")
            if runtime is None:
                continue
            fields["deferreturn_frame_bytes"] = runtime
        # Each level increments *depth once. A compiler that inlines the
        # function into itself (Go 1.24 does with the plain recursion) makes
        # one call cover as many levels as its code has increments.
        levels = max(1, len(_DEPTH_INCREMENT.findall(
            objdump(binaries[variant], rf"^main\.{function}$") or "")))
        if levels > 1:
            fields["levels_per_call"] = levels
        per_call = own + fields.get("deferreturn_frame_bytes", 0)
        fields["frame_bytes_per_level"] = per_call // levels if per_call % levels == 0 \
            else per_call / levels
        out[name] = fields
    return out


def entries(binaries, repetitions, max_stack, timeout_s, scratch):
    """Entries for every case, `repetitions` children each; binaries maps
    the variant to its program."""
    out = []
    for name, (variant, mode) in CASES.items():
        for index in range(repetitions):
            fields, error = measure(binaries[variant], mode, max_stack, timeout_s, scratch)
            entry = {"name": name, "run_name": name, "run_type": "iteration",
                     "repetitions": repetitions, "repetition_index": index, "threads": 1,
                     "iterations": 1, "real_time": fields["wall_s"] * 1e3,
                     "cpu_time": (fields["user_s"] + fields["sys_s"]) * 1e3, "time_unit": "ms",
                     "go_mode": mode, "go_build": variant}
            if max_stack:
                entry["set_max_stack_bytes"] = max_stack  # debug.SetMaxStack, QUICK
            entry.update({k: v for k, v in fields.items() if v is not None})
            if error:
                entry.update(error_occurred=True, error_message=error)
            out.append(entry)
    return out
