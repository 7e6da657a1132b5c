"""The package's layers hold: commands/ is imported by nothing else, --help loads
neither scipy nor matplotlib, a broken matplotlib costs the report and never
the run, and every suite list comes from the registry."""

import ast
import os
import subprocess
import sys

from conftest import ROOT

PACKAGE = os.path.join(ROOT, "scripts", "deferbench")


def _modules():
    for folder, _, files in os.walk(PACKAGE):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                yield os.path.relpath(path, PACKAGE), ast.parse(open(path).read())


def _imported(rel, tree):
    """The package-relative dotted names a module imports (at any depth)."""
    here = os.path.dirname(rel).split(os.sep) if os.path.dirname(rel) else []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = here[:len(here) - (node.level - 1)] if node.level > 1 else here
            module = base + (node.module.split(".") if node.module else [])
            for alias in node.names:
                yield ".".join(module + [alias.name])


def test_no_module_outside_commands_imports_a_command():
    offenders = [(rel, name) for rel, tree in _modules()
                 if not rel.startswith("commands" + os.sep) and rel != "__main__.py"
                 for name in _imported(rel, tree) if name.startswith("commands")]
    assert offenders == []


def _imports_with(code, *extra):
    """The top-level modules loaded by running `code` with the package importable."""
    script = ("import sys\n" + code + "\nprint(' '.join(sorted({m.split('.')[0] "
              "for m in sys.modules})))")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([*extra, os.path.join(ROOT, "scripts")]))
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env)
    assert proc.returncode == 0, proc.stderr
    return set(proc.stdout.split())


def test_help_loads_neither_scipy_nor_matplotlib():
    loaded = _imports_with("from deferbench import __main__ as m\n"
                           "try:\n    m.main(['--help'])\nexcept SystemExit:\n    pass")
    assert "deferbench" in loaded
    assert not {"scipy", "matplotlib"} & loaded


def test_every_command_parses_its_help_without_scipy_or_matplotlib():
    loaded = _imports_with(
        "from deferbench import __main__ as m\n"
        "for name in m.COMMANDS:\n"
        "    try:\n        m.main([name, '--help'])\n    except SystemExit:\n        pass")
    assert not {"scipy", "matplotlib"} & loaded


def test_a_broken_matplotlib_costs_the_report_not_the_run(deferbench, tmp_path):
    """A matplotlib that fails to import: the run completes, its results are
    kept, and the report step says how to rebuild the report."""
    broken = tmp_path / "broken"
    (broken / "matplotlib").mkdir(parents=True)
    (broken / "matplotlib" / "__init__.py").write_text(
        "raise ImportError('matplotlib is broken here (a test fixture)')\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(broken), os.path.join(ROOT, "scripts")]))
    results = tmp_path / "results"
    proc = subprocess.run(
        [sys.executable, "-m", "deferbench", "bench", "--quick", "--suites", "stack",
         "--build-dir", os.environ.get("DEFERBENCH_BUILD_DIR", os.path.join(ROOT, "build")),
         "--results-dir", str(results), "--site", str(tmp_path / "site")],
        capture_output=True, text=True, cwd=ROOT,
        env=dict(env, STACK_SIZES="1MiB"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert "the report could not be written" in proc.stderr
    assert "make report RUN=" in proc.stderr
    (run_dir,) = [os.path.join(d, r) for d in results.iterdir() for r in os.listdir(d)]
    assert os.path.exists(os.path.join(run_dir, "stack.json"))
    assert not os.path.exists(os.path.join(run_dir, "report.html"))


def test_the_suite_lists_come_from_the_registry():
    from deferbench.analysis import gate
    from deferbench.run import registry
    gbench = [s.name for s in registry.SUITES.values() if s.kind == "gbench"]
    assert [s.name for s in gate.gbench_suites()] == gbench
    for suite in registry.SUITES.values():
        assert callable(suite.summary), suite.name
        assert (suite.kind == "python") == callable(suite.run), suite.name
        assert (suite.kind != "python") == bool(suite.binary), suite.name


def test_the_readmes_instruction_counts_are_the_gates_baseline():
    """The README quotes cliff 2's instruction counts; the gate's baseline for this
    toolchain is where they come from, so a change of code that moves them fails
    here until the README says the new figures."""
    import glob
    import json
    import re
    from test_docs import documentation
    readme = documentation()
    m = re.search(r"ndefers/8 takes (\d+) instructions in all\s+\(([\d.]+) per defer\) and "
                  r"ndefers/9 (\d+) \(([\d.]+) per defer\)", readme)
    assert m, "the documentation's sentence on cliff 2's instruction counts"
    path = sorted(glob.glob(os.path.join(ROOT, "regress", "baselines", "gnu-*.json")))[0]
    counts = json.load(open(path))["suites"]["cliffs"]
    assert float(m.group(1)) == counts["ndefers/8"]
    assert float(m.group(3)) == counts["ndefers/9"]
    assert float(m.group(2)) == round(counts["ndefers/8"] / 8, 2)
    assert float(m.group(4)) == round(counts["ndefers/9"] / 9, 1)
