"""Which machine a run was made on: an id that tells hosts apart.

Machines cloned from one disk image (cloud VMs, CI runners, containers) share
/etc/machine-id and often the host name, so neither says which hardware ran
a benchmark: two hosts whose CPUs differ were once filed under one id, and
their runs read as one history. The id is derived instead from what decides
the figures: the CPU (vendor, family, model, stepping, model name, the
feature flags that glibc dispatches on), its caches, the core count, a memory
band and whether it is a VM. It is stable across runs on one host, since none
of these move, and it differs between hosts that differ in any of them.

    <model slug>-<cores>c-<hash of the identity fields>   e.g. intel-xeon-2c-5f01c2

The manifest keeps the fields (machine.identity), so two runs can be matched
or told apart from their manifests alone. Manifests written before the fields
existed are given an id from what they recorded (model name, cores, memory,
VM) and the caches in their Google Benchmark context; a host's newer runs
record more, and so get an id of their own. MACHINE= overrides the id, and
the manifest says so (machine_id_source).
"""

import hashlib
import json
import math
import os
import platform
import re

DERIVED, OVERRIDE = "derived", "MACHINE="

# CPU flags that change which code runs: glibc's string and memory functions
# dispatch on them (see callgrind.py's mask), and they mark the generation.
FLAGS_THAT_MATTER = ("sse4_2", "avx", "avx2", "bmi2", "erms", "fsrm", "avx512f", "avx512bw",
                     "avx512vl", "avx512_fp16", "amx_tile", "sha_ni")
CACHE_TYPES = {"Data": "d", "Instruction": "i", "Unified": ""}


def _read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def cpuinfo_fields(text):
    """The first processor's fields of /proc/cpuinfo (x86 and Arm names alike)."""
    fields = {}
    for line in text.splitlines():
        if not line.strip():
            if fields:
                break
            continue
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())
    return fields


def cache_list(entries):
    """['L1d 48K', 'L1i 32K', 'L2 2048K', 'L3 307200K'] from (level, type, bytes)."""
    out = []
    for level, kind, size in sorted(entries, key=lambda e: (int(e[0]), str(e[1]))):
        out.append(f"L{level}{CACHE_TYPES.get(kind, kind)} {int(size) // 1024}K")
    return out


def sysfs_caches(cpu_dir="/sys/devices/system/cpu/cpu0/cache"):
    entries = []
    try:
        names = sorted(n for n in os.listdir(cpu_dir) if n.startswith("index"))
    except OSError:
        return []
    for name in names:
        level = _read(os.path.join(cpu_dir, name, "level")).strip()
        kind = _read(os.path.join(cpu_dir, name, "type")).strip()
        size = _read(os.path.join(cpu_dir, name, "size")).strip()
        m = re.fullmatch(r"(\d+)([KMG]?)", size)
        if level and kind and m:
            scale = {"": 1, "K": 1024, "M": 1024 ** 2, "G": 1024 ** 3}[m.group(2)]
            entries.append((level, kind, int(m.group(1)) * scale))
    return cache_list(entries)


def memory_band_gib(memory_bytes):
    """The power of two of GiB at or above the memory size: machines of one size
    whose kernels reserve a few MiB more or less share a band."""
    if not memory_bytes:
        return None
    return 2 ** max(0, math.ceil(math.log2(memory_bytes / 2 ** 30)))


def identity(cpu, caches, cores, memory_bytes, arch):
    """The fields the id is derived from; `cpu` is cpuinfo_fields()."""
    flags = set((cpu.get("flags") or cpu.get("Features") or "").split())
    return {
        "arch": arch,
        "vendor": cpu.get("vendor_id") or cpu.get("CPU implementer"),
        "family": cpu.get("cpu family") or cpu.get("CPU architecture"),
        "model": cpu.get("model") or cpu.get("CPU part"),
        "stepping": cpu.get("stepping") or cpu.get("CPU revision"),
        "model_name": cpu.get("model name") or None,
        "flags": sorted(flags & set(FLAGS_THAT_MATTER)),
        "caches": caches,
        "cores": cores,
        "memory_band_gib": memory_band_gib(memory_bytes),
        "virtual": "hypervisor" in flags,
    }


def current():
    """This machine's identity fields."""
    meminfo = _read("/proc/meminfo")
    mem = re.search(r"MemTotal:\s*(\d+) kB", meminfo)
    cpu = cpuinfo_fields(_read("/proc/cpuinfo"))
    cpu.setdefault("model name", platform.processor() or None)
    return identity(cpu, sysfs_caches(), os.cpu_count(),
                    int(mem.group(1)) * 1024 if mem else None, platform.machine())


def _model_words(model_name):
    return re.sub(r"\((R|TM)\)|\bCPU\b|\bProcessor\b|@.*$", "", model_name or "", flags=re.I)


def machine_id(fields):
    """<model slug>-<cores>c-<6 hex digits of the fields' hash>."""
    slug = re.sub(r"[^a-z0-9]+", "-", _model_words(fields.get("model_name")).lower())
    slug = slug.strip("-")[:40] or (fields.get("arch") or "cpu")
    digest = hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:6]
    return f"{slug}-{fields.get('cores')}c-{digest}"


# Microarchitectures by (vendor, family, model range), as Linux tells AMD's Zen
# generations apart (arch/x86/kernel/cpu/amd.c) and Intel's server parts
# (arch/x86/include/asm/intel-family.h). Family and model are decimal, as
# /proc/cpuinfo prints them. A model missing here gets no name: a hypervisor
# may show a model that is no real part, and a wrong name misleads more than none.
MICROARCHITECTURES = (
    ("AuthenticAMD", 23, range(0x00, 0x30), "Zen/Zen+"),
    ("AuthenticAMD", 23, range(0x30, 0x100), "Zen 2"),
    ("AuthenticAMD", 25, range(0x00, 0x10), "Zen 3"),
    ("AuthenticAMD", 25, range(0x20, 0x60), "Zen 3"),
    ("AuthenticAMD", 25, range(0x10, 0x20), "Zen 4"),
    ("AuthenticAMD", 25, range(0x60, 0xB0), "Zen 4"),
    ("AuthenticAMD", 26, range(0x00, 0x80), "Zen 5"),
    ("GenuineIntel", 6, range(0x3F, 0x40), "Haswell-X"),
    ("GenuineIntel", 6, range(0x4F, 0x50), "Broadwell-X"),
    ("GenuineIntel", 6, range(0x55, 0x56), "Skylake-X/Cascade Lake"),
    ("GenuineIntel", 6, range(0x6A, 0x6B), "Ice Lake-X"),
    ("GenuineIntel", 6, range(0x8F, 0x90), "Sapphire Rapids"),
    ("GenuineIntel", 6, range(0xCF, 0xD0), "Emerald Rapids"),
    ("GenuineIntel", 6, range(0xAD, 0xAE), "Granite Rapids"),
)


def microarchitecture(fields):
    """'Zen 4', 'Sapphire Rapids', ... or None where the table does not know the part."""
    try:
        family, model = int(fields.get("family")), int(fields.get("model"))
    except (TypeError, ValueError):
        return None
    for vendor, fam, models, name in MICROARCHITECTURES:
        if fields.get("vendor") == vendor and family == fam and model in models:
            return name
    return None


def label(fields, cpuinfo_cache=None):
    """What a reader recognises: 'Intel Xeon Processor @ 2.50GHz, 2 cores, L3 35.75 MiB, VM'.
    Hosts whose model names read alike are told apart by the microarchitecture's name,
    and, where the caches could not be read (VMs often show no cache folders in sysfs),
    by family, model and stepping and the cache size /proc/cpuinfo gives:
    'AMD EPYC (Zen 5, family 26 model 2 stepping 1), 2 cores, cache 1024 KB, VM'."""
    name = re.sub(r"\((R|TM)\)", "", fields.get("model_name") or "unknown CPU")
    name = " ".join(name.split())
    caches = fields.get("caches") or []
    what = [w for w in [microarchitecture(fields)] if w]
    if not caches and fields.get("family") is not None:
        what.append(f"family {fields.get('family')} model {fields.get('model')} "
                    f"stepping {fields.get('stepping')}")
    if what:
        name += f" ({', '.join(what)})"
    parts = [name, f"{fields.get('cores')} cores"]
    if caches:
        level, size = caches[-1].split()
        kib = int(size[:-1])
        parts.append(f"{level} {kib / 1024:g} MiB" if kib >= 1024 else f"{level} {kib} KiB")
    elif cpuinfo_cache:
        parts.append(f"cache {cpuinfo_cache}")
    if fields.get("virtual"):
        parts.append("VM")
    return ", ".join(parts)


def details(fields, cpuinfo_cache=None):
    """[(what, value)] of a machine's page: what its identity rests on, in words."""
    rows = [("CPU", fields.get("model_name") or "unknown"),
            ("microarchitecture", microarchitecture(fields) or "not known to deferbench")]
    if fields.get("family") is not None:
        rows.append(("vendor, family, model, stepping",
                     f"{fields.get('vendor')}, {fields.get('family')}, {fields.get('model')}, "
                     f"{fields.get('stepping')}"))
    rows.append(("caches", ", ".join(fields.get("caches") or []) or
                 "not readable (no cache folders in sysfs)"))
    if cpuinfo_cache:
        rows.append(("cache size in /proc/cpuinfo", cpuinfo_cache))
    if fields.get("flags"):
        rows.append(("dispatch-relevant flags", " ".join(fields["flags"])))
    rows += [("cores", str(fields.get("cores"))),
             ("memory", f"up to {fields['memory_band_gib']} GiB"
              if fields.get("memory_band_gib") else "not recorded"),
             ("architecture", fields.get("arch") or "not recorded"),
             ("virtual machine", "yes" if fields.get("virtual") else "no")]
    return rows


def _context_caches(run_dir, manifest):
    """Caches from a gbench suite's context (Google Benchmark reads sysfs too)."""
    for outcome in (manifest.get("suites") or {}).values():
        if not isinstance(outcome, dict) or not outcome.get("file"):
            continue
        try:
            with open(os.path.join(run_dir, outcome["file"])) as f:
                caches = json.load(f).get("context", {}).get("caches")
        except (OSError, ValueError):
            continue
        if caches:
            return cache_list((c["level"], c["type"], c["size"]) for c in caches)
    return []


def of_manifest(manifest, run_dir):
    """The identity fields a run's manifest gives (see the module's note on old ones)."""
    machine = manifest.get("machine") or {}
    if isinstance(machine.get("identity"), dict):
        return machine["identity"]
    cpu = {"model name": machine.get("cpu_model"),
           "flags": "hypervisor" if machine.get("hypervisor") else ""}
    fields = identity(cpu, _context_caches(run_dir, manifest), machine.get("cores"),
                      machine.get("memory_bytes"), machine.get("arch"))
    for unknown in ("vendor", "family", "model", "stepping", "flags"):
        fields[unknown] = None  # not recorded then, rather than recorded as absent
    return fields


def run_machine_id(manifest, run_dir):
    """The id of the machine a run was made on: MACHINE= where the run was given one,
    else the one derived from its manifest."""
    if manifest.get("machine_id_source") == OVERRIDE:
        return manifest.get("machine_id") or "unknown"
    return machine_id(of_manifest(manifest, run_dir))
