"""Finding the Go releases and C++ compilers of a machine, and installing
those Debian offers: every toolchain once, under the name that says its
version, the default marked; and INSTALL's source and packages."""

import os
import stat

import pytest

from deferbench.errors import UserError
from deferbench.run import toolchain_install, toolchains


def _script(path, body):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def _fake_go(path, release):
    # A Go 1.21+ asked without GOTOOLCHAIN=local may download another release.
    return _script(path, f'[ "$GOTOOLCHAIN" = local ] || exit 1\n'
                         f'[ "$1 $2" = "env GOVERSION" ] && echo go{release}\n')


def test_each_go_release_is_listed_once_the_one_on_path_first(tmp_path):
    lib = tmp_path / "lib"
    go119 = _fake_go(lib / "go-1.19" / "bin" / "go", "1.19.8")
    _fake_go(lib / "go-1.22" / "bin" / "go", "1.22.12")
    _fake_go(lib / "go-1.21" / "bin" / "go", "1.21.13")
    (tmp_path / "bin").mkdir()
    os.symlink(go119, tmp_path / "bin" / "go")
    found = toolchains.go_toolchains(path=str(tmp_path / "bin"),
                                     roots=(str(lib / "go-*" / "bin" / "go"),))
    assert [(t.version, t.default) for t in found] == [
        ("1.19.8", True), ("1.21.13", False), ("1.22.12", False)]
    assert found[0].path == str(go119), "the name that says the release"


def test_each_cxx_compiler_is_listed_once_with_the_version_it_reports(tmp_path):
    bin_dir = tmp_path / "bin"
    gxx = _script(bin_dir / "g++-12", 'case "$1" in --version) echo "g++ (Debian 12.2.0-14) '
                                      '12.2.0";; -dumpfullversion) echo 12.2.0;; esac\n')
    _script(bin_dir / "clang++-19", 'case "$1" in --version) echo "Debian clang version '
                                    '19.1.7";; -dumpversion) echo 19.1.7;; esac\n')
    _script(bin_dir / "c++-broken", "exit 1\n")
    _script(bin_dir / "gcc", "echo not a C++ compiler name\n")
    for name in ("c++", "g++"):
        os.symlink(gxx, bin_dir / name)
    found = toolchains.cxx_toolchains(path=str(bin_dir), default_name="c++")
    assert [(t.compiler, t.version, os.path.basename(t.path), t.default) for t in found] == [
        ("g++", "12.2.0", "g++-12", True), ("clang++", "19.1.7", "clang++-19", False)]
    assert "(default)" in toolchains.lines(found)[0]


def test_this_machines_default_toolchains_are_found():
    found = toolchains.cxx_toolchains()
    assert any(t.default for t in found), "CMake's compiler (CXX or c++) is among them"
    go = toolchains.go_toolchains()
    if go:
        assert go[0].default and go[0].version[0].isdigit()


def _found():
    T = toolchains.Toolchain
    return [T("Go", "go", "1.19.8", "/usr/bin/go", True),
            T("Go", "go", "1.22.12", "/usr/lib/go-1.22/bin/go", False),
            T("C++", "g++", "12.2.0", "/usr/bin/g++-12", True),
            T("C++", "clang++", "16.0.6", "/usr/bin/clang++-16", False),
            T("C++", "clang++", "19.1.7", "/usr/bin/clang++-19", False)]


def test_toolchains_are_named_by_key_release_or_compiler_command():
    found = _found()
    assert [t.key for t in found] == ["go-1.19.8", "go-1.22.12", "gcc-12.2.0", "clang-16.0.6",
                                      "clang-19.1.7"]
    assert toolchains.select("", found) == []
    assert toolchains.select("all", found) == found
    chosen = toolchains.select("go-1.22, clang++-16,gcc-12.2.0,GO-1.22", found)
    assert [t.key for t in chosen] == ["go-1.22.12", "clang-16.0.6", "gcc-12.2.0"]


@pytest.mark.parametrize("text, says", [
    ("go-1.2", "no toolchain 'go-1.2' here"),    # a prefix of a number is no release
    ("clang", "no toolchain 'clang' here"),
    ("all,go-1.22", "give `all` alone"),
])
def test_a_toolchain_not_here_is_refused_naming_those_that_are(text, says):
    with pytest.raises(UserError) as e:
        toolchains.select(text, _found())
    assert says in str(e.value)
    assert "go-1.19.8" in str(e.value) and "\n" not in str(e.value)


# A machine's apt sources, in both of Debian's formats.
_ONE_LINE = "deb [arch=amd64] http://mirror.example/debian bookworm main\n" \
            "deb http://security.example/debian-security bookworm-security main\n"
_DEB822 = "Types: deb\nURIs: http://deb.example/debian\nSuites: bookworm bookworm-backports\n" \
          "Components: main\n"


def _apt_root(tmp_path, sources_list="", parts=None):
    root = tmp_path / "apt"
    (root / "sources.list.d").mkdir(parents=True)
    (root / "sources.list").write_text(sources_list)
    for name, text in (parts or {}).items():
        (root / "sources.list.d" / name).write_text(text)
    return str(root)


def test_the_mirror_and_the_backports_source_are_read_in_either_format(tmp_path):
    one_line = _apt_root(tmp_path / "a", _ONE_LINE)
    assert toolchain_install.debian_mirror(one_line) == "http://mirror.example/debian"
    assert not toolchain_install.has_suite("bookworm-backports", one_line)
    deb822 = _apt_root(tmp_path / "b", parts={"debian.sources": _DEB822})
    assert toolchain_install.debian_mirror(deb822) == "http://deb.example/debian"
    assert toolchain_install.has_suite("bookworm-backports", deb822)
    assert toolchain_install.debian_mirror(_apt_root(tmp_path / "c")) == \
        "http://deb.debian.org/debian"


def test_install_adds_the_source_it_needs_says_how_to_remove_it_and_installs(
        tmp_path, monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    root = _apt_root(tmp_path, _ONE_LINE)
    calls, said = [], []

    class Done:
        def __init__(self, stdout=""):
            self.stdout = stdout

    def apt(argv, **kwargs):
        calls.append(argv)
        if argv[:2] == ["apt-cache", "policy"]:  # clang-19: not offered by this mirror
            return Done("Candidate: (none)" if argv[2] == "clang-19" else "Candidate: 1.0")
        return Done()

    installed = toolchain_install.install("bookworm", run=apt, say=said.append, root=root)
    source = os.path.join(root, "sources.list.d", "deferbench-bookworm-backports.list")
    assert open(source).read() == "deb http://mirror.example/debian bookworm-backports main\n"
    assert any(f"rm {source} && apt-get update" in line for line in said)
    assert installed == ["golang-1.21-go", "golang-1.22-go", "golang-1.23-go", "clang-16"]
    assert calls[-1][:3] == ["apt-get", "install", "-y"] and calls[-1][-4:] == installed
    assert any("clang-19" in line and "left out" in line for line in said)


def test_install_refuses_an_unknown_release_or_a_user_without_root(monkeypatch):
    with pytest.raises(UserError, match="not for sid"):
        toolchain_install.install("sid", run=None)
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(UserError, match="needs root.*golang-1.22-go"):
        toolchain_install.install("bookworm", run=None)
