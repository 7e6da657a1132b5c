"""What Go's compiler says about each defer, read back per function.

`-gcflags=-d=defer` prints one line per defer statement:
    cliffs/ndefers.go:16:2: open-coded defer
(or "stack-allocated defer", "heap-allocated defer"). `-gcflags=-m=2` prints
the escape analysis, among it the lines article B quotes: "moved to heap: i",
"func literal escapes to heap". Both name a position; the function holding
it is the last `func` declared at or above that line, which is how each
diagnostic is attributed to a benchmark case.

For a binary built elsewhere (the runtime's test binary), `go tool objdump`
of one function tells its strategy from the machine code, and its prologue
tells how many bytes of stack each call of it takes (frame_bytes): a call of
runtime.deferprocStack is a stack record, of runtime.deferproc a heap record,
and neither, with the deferreturn call an open-coded function keeps for
the panic path, means open-coded.
"""

import os
import re

_POSITION = r"^(?P<file>[^\s:]+\.go):(?P<line>\d+):(?P<col>\d+): "
_DEFER = re.compile(_POSITION + r"(?P<what>open-coded|stack-allocated|heap-allocated) defer$")
_ESCAPE = re.compile(_POSITION + r"(?P<what>moved to heap: \w+|func literal escapes to heap"
                     r"|\S+ capturing by ref: \w+)")
_FUNC = re.compile(r"^func (?:\([^)]*\) )?(\w+)")


class FunctionIndex:
    """Maps a source position to the function declared around it."""

    def __init__(self, root):
        self.root = root
        self._starts = {}  # file -> [(line, name)]

    def function_at(self, file, line):
        if file not in self._starts:
            starts = []
            with open(os.path.join(self.root, file)) as f:
                for number, text in enumerate(f, 1):
                    m = _FUNC.match(text)
                    if m:
                        starts.append((number, m.group(1)))
            self._starts[file] = starts
        name = None
        for start, fn in self._starts[file]:
            if start > line:
                break
            name = fn
        return name


def _package(file):
    return os.path.dirname(file) or "."


def _by_function(text, pattern, index):
    """((package dir, function), message) for each line of `text` that matches."""
    for line in text.splitlines():
        m = pattern.match(line)
        if m:
            yield (_package(m["file"]), index.function_at(m["file"], int(m["line"]))), m["what"]


def defer_strategies(text, index):
    """{(package dir, function): [strategy of each defer statement, in order]}."""
    out = {}
    for key, what in _by_function(text, _DEFER, index):
        out.setdefault(key, []).append(what)
    return out


def escapes(text, index):
    """{(package dir, function): sorted distinct escape messages}."""
    out = {}
    for key, what in _by_function(text, _ESCAPE, index):
        out.setdefault(key, set()).add(re.sub(r"^\S+ (capturing by ref)", r"\1", what))
    return {k: sorted(v) for k, v in out.items()}


def summarise(strategies):
    """One word for a function's defers: the strategy when all agree."""
    kinds = sorted(set(strategies))
    return kinds[0] if len(kinds) == 1 else "mixed: " + ", ".join(kinds)


def strategy_from_disassembly(text):
    """The defer strategy of one function from `go tool objdump -s` output."""
    calls = re.findall(r"CALL (runtime\.\w+)\(SB\)", text)
    if not calls and "TEXT " not in text:
        return None
    if "runtime.deferprocStack" in calls:
        return "stack-allocated"
    if "runtime.deferproc" in calls:
        return "heap-allocated"
    # An open-coded function keeps a deferreturn call for the panic path.
    return "open-coded" if "runtime.deferreturn" in calls else "no defer"


# amd64's prologue reserves the frame in one instruction after the stack
# check: SUBQ $0x18, SP. A function with no frame of its own has none.
# A reservation of exactly 128 bytes is written ADDQ $-0x80, SP, whose
# immediate fits in one byte where SUBQ's would not.
_RESERVE = re.compile(r"\t(?:SUBQ \$0x|ADDQ \$-0x)([0-9a-f]+), SP\b")
# Go 1.21 and later save the frame pointer with a push before the reservation
# (PUSHQ BP; MOVQ SP, BP; SUBQ); earlier releases stored it inside it.
_PUSH_BP = re.compile(r"\tPUSHQ BP\b")
RETURN_ADDRESS_BYTES = 8  # pushed by the caller's CALL, below the frame
PUSHED_BP_BYTES = 8


def frame_bytes(text):
    """Bytes of stack one call of the function takes, its return address
    included, from `go tool objdump -s` output of amd64 code; None for other
    machine code, or when the output holds no function."""
    if "TEXT " not in text or not re.search(r"\b(?:SP|RSP)\b", text):
        return None
    if not re.search(r"\t(?:CALL|RET|MOVQ|CMPQ)\b", text):
        return None  # not amd64: its prologue reads differently
    m = _RESERVE.search(text)
    pushed = PUSHED_BP_BYTES if _PUSH_BP.search(text[:m.start()] if m else text) else 0
    return (int(m.group(1), 16) if m else 0) + pushed + RETURN_ADDRESS_BYTES
