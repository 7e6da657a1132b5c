"""Installing the Go releases and C++ compilers Debian offers beside its defaults.

Debian 12 (bookworm) ships Go 1.19, GCC 12 and Clang 14 to 16; its backports
archive adds Go 1.21, 1.22 and 1.23 (each under /usr/lib/go-<release>, leaving
/usr/bin/go alone) and Clang 19. Installing them adds the backports source
when the machine has none, in a file of its own, and says so and how to take
it away. Nothing else of the machine's settings is touched.
"""

import glob
import os
import re
import subprocess
from dataclasses import dataclass

from .. import atomic
from ..errors import UserError

APT_ROOT = "/etc/apt"


@dataclass(frozen=True)
class Offer:
    source: str      # the archive suite that holds them ("" when the release's own does)
    packages: tuple  # Debian's packages, one per toolchain


OFFERS = {
    "bookworm": Offer("bookworm-backports",
                      ("golang-1.21-go", "golang-1.22-go", "golang-1.23-go", "clang-16",
                       "clang-19")),
}


def codename(os_release="/etc/os-release"):
    """The Debian release's codename ("bookworm"), or None off Debian."""
    try:
        with open(os_release) as f:
            fields = dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
    except OSError:
        return None
    return fields.get("VERSION_CODENAME", "").strip('"') or None


def _source_files(root=APT_ROOT):
    return ([os.path.join(root, "sources.list")] +
            sorted(glob.glob(os.path.join(root, "sources.list.d", "*.list"))) +
            sorted(glob.glob(os.path.join(root, "sources.list.d", "*.sources"))))


def _read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def has_suite(suite, root=APT_ROOT):
    """Whether an enabled apt source already names `suite`."""
    pattern = re.compile(rf"^\s*(?:deb\s.*\s|Suites:.*\s){re.escape(suite)}(?:\s|$)", re.M)
    return any(pattern.search(_read(p) + "\n") for p in _source_files(root))


def debian_mirror(root=APT_ROOT):
    """The first Debian mirror of the machine's apt sources (not its security
    archive), in either format; Debian's own when there is none."""
    for path in _source_files(root):
        text = _read(path)
        uris = re.findall(r"^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)", text, re.M) + \
            [u for line in re.findall(r"^\s*URIs:\s*(.*)$", text, re.M) for u in line.split()]
        for uri in uris:
            if re.search(r"/debian/?$", uri):
                return uri
    return "http://deb.debian.org/debian"


def source_file(suite, root=APT_ROOT):
    return os.path.join(root, "sources.list.d", f"deferbench-{suite}.list")


def install(release, run=subprocess.run, say=print, root=APT_ROOT):
    """Installs what `release` offers (OFFERS), running apt through `run`;
    returns the packages installed."""
    offer = OFFERS.get(release)
    if offer is None:
        known = ", ".join(sorted(OFFERS))
        raise UserError(f"toolchains: INSTALL knows what Debian offers for {known}, not for "
                        f"{release or 'this system'}; install golang-1.XX-go or clang-N "
                        "packages with apt-get yourself")
    if os.geteuid() != 0:
        raise UserError("toolchains: INSTALL=1 installs Debian packages and needs root; run "
                        "it as root, or: apt-get install " + " ".join(offer.packages) +
                        (f" (from {offer.source})" if offer.source else ""))
    if offer.source and not has_suite(offer.source, root):
        path = source_file(offer.source, root)
        atomic.write_text(path, f"deb {debian_mirror(root)} {offer.source} main\n")
        say(f"toolchains: added the {offer.source} source in {path}; remove it with "
            f"`rm {path} && apt-get update`")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run(["apt-get", "update", "-qq"], check=True, env=env)
    available = [p for p in offer.packages if _candidate(p, run)]
    for p in offer.packages:
        if p not in available:
            say(f"toolchains: {p}: not in this machine's apt sources; left out")
    if available:
        say(f"toolchains: installing {' '.join(available)}")
        run(["apt-get", "install", "-y", "-qq", *available], check=True, env=env)
    return available


def _candidate(package, run):
    out = run(["apt-cache", "policy", package], capture_output=True, text=True).stdout
    m = re.search(r"Candidate:\s*(\S+)", out)
    return bool(m) and m.group(1) != "(none)"
