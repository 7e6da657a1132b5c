"""Instruction counts under valgrind's callgrind, for machines with no PMU.

The suite binary runs with --callgrind (harness/instruction_count.h): each case
runs a warm-up, then N and 2N iterations, each counted run on a thread of its
own with a fresh malloc arena, and asks callgrind for a dump named
"<case> iterations=<n>" around its loop only. Instructions per op are
(count(2N) - count(N)) / N: what the loop costs to enter and leave, and a
thread's first-use work, cancel; what is left is a property of the binary.

What glibc reads from the process's surroundings is fixed here, not left to the
user: the environment is replaced by a fixed one (PATH, the C locale,
LD_BIND_NOW, and GLIBC_TUNABLES with glibc's CPU dispatch masked down to the
x86-64 baseline and malloc's adaptive thresholds pinned), and address-space
randomisation is turned off for the run (`setarch -R`) where the kernel allows
it. A user's GLIBC_TUNABLES, a 64 KiB environment or another CPU then change
nothing that is counted.
"""

import functools
import glob
import os
import platform
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field

from ..errors import UserError
from . import interrupts

DEFAULT_ITERATIONS = 100_000
_TRIGGER = re.compile(r"^desc: Trigger: Client Request: (.+) iterations=(\d+)$", re.M)
_TOTAL = re.compile(r"^(?:summary|totals): (\d+)", re.M)

# glibc picks memcpy, strlen and friends by CPU feature (ifunc), and sizes its
# copy strategies from the caches; each of these is masked or pinned so that
# two CPUs pick the same code. The names are glibc's (sysdeps/x86/cpu-tunables.c).
BASELINE_HWCAPS = ",".join("-" + f for f in [
    "AVX", "AVX2", "AVX512F", "AVX512CD", "AVX512BW", "AVX512DQ", "AVX512VL",
    "AVX512ER", "AVX512PF", "FMA", "FMA4", "F16C", "BMI1", "BMI2", "LZCNT", "MOVBE",
    "POPCNT", "SSE4_1", "SSE4_2", "SSSE3", "ERMS", "FSRM", "RTM", "XSAVEC",
    "Fast_Rep_String", "Fast_Unaligned_Load", "Fast_Unaligned_Copy", "Fast_Copy_Backward",
    "AVX_Fast_Unaligned_Load", "Prefer_No_VZEROUPPER", "Prefer_PMINUB_for_stringop",
    "Prefer_ERMS", "Prefer_FSRM", "Avoid_Short_Distance_REP_MOVSB"])
FIXED_TUNABLES = {
    "glibc.cpu.x86_data_cache_size": 32 * 1024,
    "glibc.cpu.x86_shared_cache_size": 1024 * 1024,
    "glibc.cpu.x86_non_temporal_threshold": 768 * 1024,
    "glibc.cpu.x86_rep_movsb_threshold": 2048,
    "glibc.cpu.x86_rep_stosb_threshold": 2048,
    # Fixed thresholds turn off malloc's adaptive mmap and trim thresholds,
    # which move with what the process freed before.
    "glibc.malloc.mmap_threshold": 128 * 1024,
    "glibc.malloc.trim_threshold": 128 * 1024,
    "glibc.malloc.top_pad": 128 * 1024,
    "glibc.malloc.perturb": 0,
}


@dataclass(frozen=True)
class Setting:
    """How a counted run is started. The defaults are what deferbench uses;
    the fields exist so that tests can show that none of them moves a count."""
    hwcaps: str = BASELINE_HWCAPS           # glibc.cpu.hwcaps
    randomise_layout: bool = False          # ASLR; off unless the kernel refuses
    extra_environment: dict = field(default_factory=dict)

    def environment(self):
        tunables = [f"glibc.cpu.hwcaps={self.hwcaps}"] + \
            [f"{k}={v}" for k, v in FIXED_TUNABLES.items()]
        return {"PATH": "/usr/bin:/bin", "LC_ALL": "C", "LD_BIND_NOW": "1",
                "GLIBC_TUNABLES": ":".join(tunables), **self.extra_environment}


DEFAULT_SETTING = Setting()


def available():
    return shutil.which("valgrind") is not None


@functools.lru_cache(maxsize=None)
def no_randomisation_prefix():
    """`setarch <arch> -R` where it works here (a container may refuse it), else ();
    asked once per process."""
    setarch = shutil.which("setarch")
    if not setarch:
        return ()
    prefix = [setarch, platform.machine(), "-R"]
    try:
        ok = interrupts.run(prefix + ["true"], timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        ok = False
    return tuple(prefix) if ok else ()


def parse_dump(text):
    """(case, iterations, instructions) of one dump, or None for other dumps."""
    trigger = _TRIGGER.search(text)
    total = _TOTAL.search(text)
    if not trigger or not total:
        return None
    return trigger.group(1), int(trigger.group(2)), int(total.group(1))


def total_instructions(text):
    """The instructions a callgrind dump counted (its summary line), or None."""
    total = _TOTAL.search(text)
    return int(total.group(1)) if total else None


def _dump_number(path):
    suffix = path.rsplit(".", 1)[-1]
    return int(suffix) if suffix.isdigit() else 0


def per_op(name, runs):
    """The entry of one case from its counted runs {iterations: instructions}.

    Exactly two runs, N and 2N iterations; anything else is a broken protocol
    between the suite binary and this reader, and says so.
    """
    if len(runs) != 2:
        raise RuntimeError(f"callgrind: case {name} has {len(runs)} counted run(s) "
                           f"({sorted(runs)} iterations); expected N and 2N")
    n, n2 = sorted(runs)
    if n2 != 2 * n:
        raise RuntimeError(f"callgrind: case {name} ran {n} and {n2} iterations; "
                           "expected N and 2N")
    ops = runs[n2] - runs[n]
    return {"name": name, "iterations": n, "instructions": ops,
            "instructions_per_op": ops / n,
            "fixed_instructions": runs[n] - ops,
            "runs": [{"iterations": k, "instructions": runs[k]} for k in (n, n2)]}


def count(binary, iterations=DEFAULT_ITERATIONS, extra_args=(), setting=DEFAULT_SETTING):
    """Runs a suite binary under callgrind; returns {case: entry} (per_op's entries)."""
    if not available():
        raise UserError("COUNTERS=callgrind needs valgrind (Debian package valgrind)")
    prefix = [] if setting.randomise_layout else list(no_randomisation_prefix())
    with tempfile.TemporaryDirectory(prefix="deferbench-callgrind-") as tmp:
        cmd = prefix + [
            shutil.which("valgrind"), "--tool=callgrind", "--collect-atstart=no",
            f"--callgrind-out-file={tmp}/callgrind.out",
            os.path.abspath(binary), "--callgrind", f"--callgrind-iterations={iterations}",
            "--benchmark_repetitions=1", *extra_args]
        proc = interrupts.run(cmd, env=setting.environment())
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            raise RuntimeError(f"callgrind run of {binary} failed: {last}")
        runs = {}  # in the order the cases ran: callgrind numbers its dumps
        for path in sorted(glob.glob(os.path.join(tmp, "callgrind.out*")), key=_dump_number):
            with open(path) as f:
                parsed = parse_dump(f.read())
            if parsed:
                name, n, total = parsed
                runs.setdefault(name, {})[n] = total
        return {name: per_op(name, r) for name, r in runs.items()}
