"""The runner: the selected suites, one after another, into a new run folder.

Each suite binary runs with Google Benchmark's JSON output into the run
folder; the manifest records the machine, the toolchain, the build, the git
state, the perf events and how each suite ended. The run ends with each
suite's summary on the console and the run's report.
"""

import datetime
import hashlib
import json
import os
import shutil
import signal
import sys
import time

from .. import SOURCE_DIR, atomic
from . import (callgrind, cpu_turns, folder, interrupts, machine, progress, registry,
               shared_fd_files, toolchain_axis)
from .interrupts import Interrupted
from ..analysis import paired, results
from ..errors import UserError



def _binary(build_dir, suite):
    """The suite's binary, for the kinds that have one."""
    if suite.kind == "python":
        return None
    path = os.path.join(build_dir, suite.binary)
    if not os.access(path, os.X_OK):
        raise UserError(f"suite binary {path} is missing; build first (make build)")
    return path


def _event_args(events):
    return [] if events is None else [f"--events={events}"]


def probe_events(binaries, events):
    """Each event's status on this machine, from the first of the run's suite
    binaries (they share the harness's counter layer); [] when no suite of the
    run has a binary (the Go suite alone)."""
    binary = next((b for b in binaries.values() if b), None)
    if binary is None:
        return []
    proc = interrupts.run([binary, "--probe-events", *_event_args(events)])
    if proc.returncode == 2:
        lines = proc.stderr.strip().splitlines()
        raise UserError(lines[0].removeprefix("deferbench: ") if lines else "bad event list")
    if proc.returncode != 0:
        raise RuntimeError(f"{binary} --probe-events failed: {proc.stderr.strip()}")
    return json.loads(proc.stdout)


def counter_lines(events):
    """The counters line, and one line per reason an event was not counted."""
    counted = [e["name"] for e in events if e["status"] == "counted"]
    lines = [f"counters: {', '.join(counted) if counted else 'none'} counted"]
    why = {}
    for e in events:
        if e["status"] != "counted":
            why.setdefault(e.get("reason", e["status"]), []).append(e["name"])
    for reason, names in why.items():
        lines.append(f"  not counted: {', '.join(names)}: {reason}")
    return lines


def _suite_command(binary, suite, settings, partial, events, quick):
    if suite.kind == "gbench":
        cmd = [binary, "--quiet-counters", *_event_args(events), "--benchmark_color=false",
               f"--benchmark_out={partial}", "--benchmark_out_format=json",
               f"--benchmark_repetitions={settings.repetitions}",
               f"--benchmark_min_time={settings.min_time_s}"]
        if settings.interleave:
            cmd.append("--benchmark_enable_random_interleaving=true")
        return cmd
    return [binary, f"--out={partial}", *_event_args(events), *(["--quick"] if quick else [])]


def suite_environment(selected, environ=None):
    """The environment of the suites' processes: this one's, with each selected
    suite's settings checked in the project's grammar and in the form its
    binary parses (Suite.environment); a UserError before anything is created."""
    env = dict(os.environ if environ is None else environ)
    for suite in selected:
        if suite.environment:
            for name, value in suite.environment(env).items():
                if value is None:
                    env.pop(name, None)
                else:
                    env[name] = value
    return env


def _run_child(cmd, partial, log, env, on_out=None, on_err=None, cpu=None):
    """Runs a suite process, its output into `log` (a list of text, for the
    suite's .log), on `cpu` alone where one is given; returns (exit status,
    its stderr)."""
    if cpu is not None:
        cmd = cpu_turns.on(cpu, cmd)
    try:
        # Interrupted while it starts: the child is already stopped (interrupts.popen).
        child = progress.Stream(cmd, on_out=on_out, on_err=on_err, env=env)
    except Interrupted:
        if os.path.exists(partial):
            os.unlink(partial)
        raise
    try:
        status, out, err = child.wait()
    except BaseException:  # interrupted: stop the child, keep nothing partial
        child.stop()
        if os.path.exists(partial):
            os.unlink(partial)
        raise
    log.append(f"$ {' '.join(cmd)}\n{out}{err}\n")
    if progress.DEBUG_WARNING in err:
        NOTES.once("debug", progress.DEBUG_NOTE)
    if status != 0:
        progress.write_stderr(progress.tail(err or out))
    return status, err


# Said once per run however many suites give cause.
NOTES = progress.Notes()


def check_options(suite, binary, quick, env=None):
    """A UserError with the suite's own line when its options are bad."""
    if suite.kind == "python":
        if suite.check:
            suite.check()
        return
    if suite.kind != "program":
        return
    proc = interrupts.run([binary, "--check-options", *(["--quick"] if quick else [])], env=env)
    if proc.returncode == 2:
        lines = proc.stderr.strip().splitlines()
        raise UserError(lines[0].removeprefix("deferbench: ") if lines
                        else f"{suite.name}: bad options")
    if proc.returncode != 0:
        raise RuntimeError(f"{binary} --check-options failed: {proc.stderr.strip()}")


def list_cases(binary):
    """The cases a Google Benchmark suite binary runs, in its order."""
    proc = interrupts.run([binary, "--benchmark_list_tests=true"])
    return proc.stdout.split() if proc.returncode == 0 else []


def _console(suite, binary, settings):
    """(on_out, on_err): what a suite's streams show on the console."""
    if suite.kind == "gbench":
        cases = list_cases(binary)
        return progress.CaseLines(suite.name, cases, settings.repetitions), None
    return None, progress.indented  # program suites say a line per case themselves


def _last_line(err, status):
    """What a failed child said last, for the manifest's reason."""
    return (err.strip().splitlines() or [f"exit status {status}"])[-1]


def run_suite(binary, suite, settings, run_dir, events, quick, env=None, toolchain=None):
    """Runs one suite into <suite>.json; returns the manifest fields. A python
    suite is given `toolchain` (another release's compiler) when there is one."""
    final = os.path.join(run_dir, f"{suite.name}.json")
    partial = final + ".partial"
    started = time.monotonic()
    log = []
    if suite.kind == "python":
        try:
            # It returns the line that says why when it chose to write nothing.
            status, err = 0, suite.run(partial, quick, run_dir,
                                       **({"toolchain": toolchain} if toolchain else {})) or ""
        except UserError:
            raise
        except Exception as e:  # a suite that breaks becomes data, not a crash
            status, err = 1, f"{type(e).__name__}: {e}"
    else:
        on_out, on_err = _console(suite, binary, settings)
        status, err = _run_child(
            _suite_command(binary, suite, settings, partial, events, quick), partial, log,
            env, on_out, on_err)
    seconds = round(time.monotonic() - started, 2)
    try:
        return _finish_suite(binary, suite, settings, run_dir, status, err, partial, final,
                             seconds, log, env)
    finally:
        if log:
            atomic.write_text(os.path.join(run_dir, f"{suite.name}.log"), "".join(log))


def _finish_suite(binary, suite, settings, run_dir, status, err, partial, final, seconds, log,
                  env):
    if status != 0:
        if os.path.exists(partial):
            os.unlink(partial)
        return {"status": "failed", "reason": _last_line(err, status), "seconds": seconds}
    if not os.path.exists(partial):  # the suite chose to write nothing
        return {"status": "skipped", "reason": (err.strip().splitlines() or [""])[-1],
                "seconds": seconds}
    try:
        results.load(partial)  # a file cut short (a full disk) is no result, even after exit 0
    except UserError as e:
        os.unlink(partial)
        return {"status": "failed", "reason": f"its output is not whole: {e}",
                "seconds": seconds}
    outcome = {"status": "ok", "file": os.path.basename(final), "seconds": seconds}
    if suite.pairs and settings.pairs:
        try:
            outcome.update(run_pairs(binary, suite, settings, partial, run_dir, log, env))
        except RuntimeError as e:  # the suite failed; the run goes on
            os.unlink(partial)
            return {"status": "failed", "reason": str(e), "seconds": seconds}
        except BaseException:
            os.unlink(partial)
            raise
    os.replace(partial, final)
    if suite.kind == "gbench":
        outcome.update(repetitions=settings.repetitions, min_time_s=settings.min_time_s,
                       binary_sha256=file_sha256(binary))
    return outcome


def file_sha256(path):
    """The hex SHA-256 of a file. The suites build reproducibly (the same
    bytes from any clone's path), so two runs with the same digest timed the
    same program, and a ratio that moved between them was moved by the machine."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def run_pairs(binary, suite, settings, suite_json, run_dir, log, env=None):
    """The suite's paired ratios (analysis/paired.py): the raw pairs kept in
    <suite>.pairs.json, the figures added to the suite JSON as 'paired' entries.

    Processes run in rounds, one process per group of pairs a round, each in a
    layout of its own, the rounds taking the CPUs in turn (cpu_turns), until
    every ratio has the series' processes (paired.Series)."""
    series = settings.pairs
    with open(suite_json) as f:
        pairs = suite.pairs_for(json.load(f).get("context", {}))
    raw = os.path.join(run_dir, f"{suite.name}.pairs.json")
    partial = raw + ".partial"
    started = time.monotonic()
    outputs = []
    cpus = cpu_turns.usable()
    for round_index in range(1, series.processes + 1):
        cpu = cpu_turns.for_unit(round_index - 1, cpus)
        for args in paired.commands(pairs, series):
            status, err = _run_child([binary, "--quiet-counters", *args,
                                      f"--pairs-out={partial}"], partial, log, env, cpu=cpu)
            if status != 0:
                if os.path.exists(partial):
                    os.unlink(partial)
                raise RuntimeError(f"{suite.name}: the paired measurement failed: "
                                   f"{_last_line(err, status)}")
            with open(partial) as f:
                outputs.append(json.load(f))
            os.unlink(partial)
        # A line halfway and one at the end: as many on a slow machine as on a fast one.
        if round_index in (series.processes // 2, series.processes):
            progress.say(f"  {suite.name}  paired: {len(pairs)} ratios, process round "
                         f"{round_index} of {series.processes}  "
                         f"{progress.duration(time.monotonic() - started)}")
    output = paired.merge(outputs)
    with open(suite_json) as f:
        data = json.load(f)
    data["benchmarks"] += paired.entries(pairs, output)
    data["context"]["paired_series"] = paired.series_context(series, settings is suite.quick)
    atomic.write_json(suite_json, data)
    atomic.write_json(raw, output)
    return {"pairs_file": os.path.basename(raw), "pairs_per_process": series.pairs_per_process,
            "processes": len(outputs), "pairs_seconds": round(time.monotonic() - started, 2)}


def run_callgrind(binary, suite, run_dir, toolchain=None):
    """<suite>.callgrind.json: instructions per op of every case, N and 2N runs."""
    if suite.count_instructions:
        cases = suite.count_instructions(**({"toolchain": toolchain} if toolchain else {}))
        context = {"counting": "callgrind"}
    else:
        cases = callgrind.count(binary, suite.callgrind_iterations)
        context = {"counting": "callgrind", "iterations": suite.callgrind_iterations,
                   "binary": binary}
    path = os.path.join(run_dir, f"{suite.name}.callgrind.json")
    atomic.write_json(path, {"context": context, "benchmarks": list(cases.values())})
    return os.path.basename(path)


def run_step(binary, suite, run_dir, args, env, say_as, toolchain=None):
    """One suite into run_dir, and its instructions under callgrind when the
    run counts them; the manifest's fields, with the whole step's seconds (the
    suite's process, its pairs and its callgrind counts)."""
    began = time.monotonic()
    outcome = run_suite(binary, suite, suite.settings(args.quick), run_dir, args.events,
                        args.quick, env, toolchain)
    if outcome["status"] == "ok" and args.counters == "callgrind" \
            and (suite.kind == "gbench" or suite.count_instructions):
        print(f"{say_as}: counting instructions under callgrind", flush=True)
        outcome["callgrind_file"] = run_callgrind(binary, suite, run_dir, toolchain)
    outcome["step_seconds"] = round(time.monotonic() - began, 2)
    return outcome


def run_toolchains(axis, selected, run_dir, args, env, state):
    """Each suite of the run that a toolchain's language decides, once more
    with each other toolchain, into <run>/toolchains/<key>/ under a manifest of
    its own (kept in state["parts"], for an interruption to close), counted
    under callgrind when the run counts; a toolchain whose build failed has its
    suites recorded as failed with the build's reason. Returns the failed
    suites, each with its toolchain."""
    failed = []
    for k, t in enumerate(axis.others, 1):
        suites = [s for s in selected if s.per_toolchain == t.language]
        sub = os.path.join(run_dir, toolchain_axis.folder(t))
        os.makedirs(sub, exist_ok=True)
        part = folder.Manifest(sub, toolchain_axis.part_manifest(
            state["manifest"].data, t, suites))
        state["parts"].append(part)
        print(f"\n[toolchain {k}/{len(axis.others)}] {t.key} ({t.path}): "
              f"{', '.join(s.name for s in suites)}", flush=True)
        for suite in suites:
            if t.key in axis.failed:
                outcome = {"status": "failed", "reason": axis.failed[t.key], "seconds": 0,
                           "step_seconds": 0}
            else:
                binary = (os.path.join(axis.builds[t.key], suite.binary) if suite.binary
                          else None)
                outcome = run_step(binary, suite, sub, args, env, f"  {t.key}: {suite.name}",
                                   t.path if t.language == "Go" else None)
            part.suite_ended(suite.name, **outcome)
            if outcome["status"] == "failed":
                failed.append(f"{suite.name} ({t.key})")
            print(f"  {t.key}: {suite.name}: {outcome['status']}"
                  + (f": {outcome['reason']}" if outcome.get("reason") else "")
                  + f"  {progress.duration(outcome['step_seconds'])}", flush=True)
        part.finish("failed" if any(s["status"] == "failed"
                                    for s in part.data["suites"].values()) else "complete")
    return failed


def write_summaries(run_dir, selected, ended):
    """Each suite's brief on the console, and every full summary into the run's
    summary.txt; a summary that fails costs that summary, never the run."""
    full = []
    for suite in selected:
        outcome = ended.get(suite.name, {})
        if outcome.get("status") != "ok":
            brief = summary = [f"{suite.name}: {outcome.get('status')}: "
                               f"{outcome.get('reason', '')}"]
        else:
            try:
                result = results.load(os.path.join(run_dir, outcome["file"]))
                summary, brief = suite.summary_lines(result), suite.brief_lines(result)
            except Exception as e:  # noqa: BLE001 (the results are kept whatever happens)
                brief = summary = [f"{suite.name}: its summary failed ({type(e).__name__}: "
                                   f"{e}); the results are kept"]
        full += [""] + summary
        if brief:
            print()
            print("\n".join(progress.fit(brief)))
    atomic.write_text(os.path.join(run_dir, "summary.txt"), "\n".join(full).lstrip("\n") + "\n")


def write_report(run_dir, site_dir):
    """The site's index, then the run's report.md and report.html (which link
    the index); a failure costs the report or the index, never the run."""
    where = f"deferbench: results in {run_dir}"
    try:
        from ..render import report, site  # matplotlib is loaded only here
        # The report first, linking the index written next: the index then links
        # the report, which exists by then.
        report.build(run_dir, site_index=os.path.join(site_dir, site.INDEX),
                     index_written=True)
        print(f"{where} (report.html, report.md, summary.txt)")
        try:
            print(f"deferbench: every run and machine: "
                  f"{site.build(os.path.dirname(os.path.dirname(run_dir)), site_dir)}")
        except Exception as e:  # noqa: BLE001 (an odd old run costs the index, not the run)
            print(f"deferbench: the site's index could not be written ({type(e).__name__}: "
                  f"{e}); `make site` retries", file=sys.stderr)
        return
    except atomic.WriteError as e:
        reason = str(e)
    except Exception as e:  # noqa: BLE001 (the results are kept whatever happens)
        reason = f"{type(e).__name__}: {e}"
    print(f"{where} (every suite's full summary in summary.txt)")
    print(f"deferbench: the report could not be written ({reason}); the results are kept; "
          f"retry with `make report RUN={run_dir}`", file=sys.stderr)


# What the manifest keeps of the Go toolchain that ran the go suite.
GO_MANIFEST_KEYS = ("go_version", "go_arch", "go_maxprocs", "go_root")


def _record_go_toolchain(manifest, go_json):
    context = results.load(go_json).context
    manifest.data["toolchain"]["go_run"] = {k: context.get(k) for k in GO_MANIFEST_KEYS}
    manifest.save()


def run(args):
    """Runs the suites into a new run folder. From its first instant to its last,
    SIGINT and SIGTERM end it cleanly: the suite process ended and waited for, the
    manifest saying "interrupted" (no run folder at all before the manifest), one
    line, exit 128 + N. A write that fails (a full disk) is one line, and the
    manifest records the failure when it can still be written."""
    state = {"run_dir": None, "manifest": None, "parts": []}
    with interrupts.raised():
        try:
            return _run(args, state)
        except Interrupted as e:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # the clean-up is not interrupted
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            _end_interrupted(state, e.signum)
            return 128 + e.signum
        except atomic.WriteError as e:
            _end_failed(state, str(e))
            raise
        except (Exception, KeyboardInterrupt):
            _end_failed(state, None)
            raise


def _end_interrupted(state, signum):
    name = signal.Signals(signum).name
    run_dir, manifest = state["run_dir"], state["manifest"]
    if run_dir and manifest is None:  # nothing was measured yet: no run folder at all
        shutil.rmtree(run_dir, ignore_errors=True)
        print(f"\ndeferbench: interrupted by {name} before the run began; nothing was kept",
              file=sys.stderr)
        return
    if manifest is None:
        print(f"\ndeferbench: interrupted by {name}; nothing was created", file=sys.stderr)
        return
    if manifest.data.get("status") != "running":  # every suite had ended: only the report
        print(f"\ndeferbench: interrupted by {name} while writing the report; the run is "
              f"{manifest.data.get('status')}; `make report RUN={run_dir}` writes it",
              file=sys.stderr)
        return
    problem = manifest.try_finish("interrupted")
    _end_parts(state, "interrupted")
    print(f"\ndeferbench: interrupted by {name}; {run_dir} holds the suites that finished"
          + (f" ({problem})" if problem else "")
          + f"; `make report RUN={run_dir}` writes their report", file=sys.stderr)


def _end_failed(state, line):
    """Whatever stopped the run, the manifest must not say "running"."""
    run_dir, manifest = state["run_dir"], state["manifest"]
    if run_dir and manifest is None:
        shutil.rmtree(run_dir, ignore_errors=True)  # empty: its manifest never got written
    elif manifest is not None and manifest.data.get("status") == "running":
        manifest.data["failure"] = line
        problem = manifest.try_finish("failed")
        _end_parts(state, "failed")
        # No room even for that: say so, since the file cannot (unless the line
        # that ends the run is about the manifest already).
        if problem and not (line and manifest.path in line):
            print(f"deferbench: the run failed, and {problem}", file=sys.stderr)


def _end_parts(state, status):
    """Another toolchain's folder that was still running ends as the run does."""
    for part in state["parts"]:
        if part.data.get("status") == "running":
            part.try_finish(status)


def _seconds(s):
    return "<1 s" if s < 0.5 else f"{s:.0f} s"


def times_line(times, suites):
    """The console's line of where the run's time went: the build (when make
    said when it began), the checks before the first suite, each suite's whole
    step, the report, and the total."""
    parts = ([f"build {_seconds(times['build_s'])}"] if times.get("build_s") is not None
             else []) + [f"checks {_seconds(times['checks_s'])}"]
    parts += [f"{name} {_seconds(s['step_seconds'])}" for name, s in suites.items()
              if "step_seconds" in s]
    if times.get("toolchains_s") is not None:
        parts.append(f"other toolchains {_seconds(times['toolchains_s'])}")
    parts.append(f"report {_seconds(times['report_s'])}")
    return f"deferbench: times: {', '.join(parts)}; total {_seconds(times['total_s'])}"


def _record_times(manifest, times):
    """The times into the manifest, which is already finished: a disk too full
    for it costs the record, not the run, and says so."""
    manifest.data["times"] = times
    try:
        manifest.save()
    except atomic.WriteError as e:
        print(f"deferbench: the run's times are not in its manifest ({e})", file=sys.stderr)


def check_inputs(args):
    """(the selected suites, their environment, the toolchain axis or None):
    what was typed, checked before
    even the results folder is made and before anything is built (the settings
    the project parses itself, then the Python suites' own); a UserError names
    what is wrong."""
    selected = registry.select(args.suites)
    env = suite_environment(selected)
    for suite in selected:
        if suite.kind == "python":
            check_options(suite, None, args.quick)
    axis = toolchain_axis.plan(getattr(args, "toolchains", ""), selected)
    folder.check_writable(args.results_dir)
    return selected, env, axis


def _run(args, state):
    began = time.monotonic()
    # make's start, for the build's share (`--started-at`); a clock that moved
    # backwards since (NTP) leaves it out rather than print a negative build.
    build_s = (time.time() - args.started_at
               if getattr(args, "started_at", None) is not None else None)
    if build_s is not None and build_s < 0:
        build_s = None
    selected, env, axis = check_inputs(args)
    binaries = {s.name: _binary(args.build_dir, s) for s in selected}
    if args.counters == "callgrind" and not callgrind.available():
        raise UserError("COUNTERS=callgrind needs valgrind (Debian package valgrind)")
    if axis and args.counters != "callgrind" and callgrind.available():
        # Instructions per op are what compares toolchains exactly, whatever
        # the machine's load: every toolchain of the run is counted.
        print("deferbench: TOOLCHAINS: instructions per op are counted under callgrind "
              "for every toolchain (COUNTERS=callgrind)")
        args.counters = "callgrind"
    if axis and axis.unused:
        print(f"deferbench: TOOLCHAINS: {', '.join(t.key for t in axis.unused)}: no suite of "
              "this run depends on "
              f"{' or '.join(sorted({t.language for t in axis.unused}))}; not measured")
    if axis:
        toolchain_axis.build(axis, args.build_dir, selected, args.jobs)
    events = probe_events(binaries, args.events)
    for suite in selected:  # every option is checked before anything is created
        if suite.kind != "python":
            check_options(suite, binaries[suite.name], args.quick, env)

    described = machine.describe()
    # Last before the folder: by now the build has finished, so what this sees
    # busy is what the suites will share the machine with.
    described["busy_before_run"] = machine.busy_before_run()
    machine_id, id_source = machine.machine_id(args.machine, described["identity"])
    run_dir = state["run_dir"] = folder.create(args.results_dir, machine_id)
    manifest = state["manifest"] = folder.Manifest(run_dir, {
        "run_id": os.path.basename(run_dir),
        "machine_id": machine_id,
        "machine_id_source": id_source,
        "status": "running",
        "started": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "options": {"quick": args.quick, "suites": [s.name for s in selected],
                    "events": args.events, "counters": args.counters},
        "machine": described,
        "toolchain": machine.toolchain(args.build_dir),
        "build": machine.build(args.build_dir),
        "git": machine.git_state(SOURCE_DIR),
        "perf_events": events,
        **({"toolchains": toolchain_axis.manifest_entries(axis)} if axis else {}),
    })
    print(f"deferbench: run {run_dir} ({len(selected)} suite"
          f"{'s' if len(selected) != 1 else ''}{', quick' if args.quick else ''})")
    for line in progress.fit([f"deferbench: {x}" for x in counter_lines(events)]):
        print(line)

    times = {"build_s": round(build_s, 2) if build_s is not None else None,
             "checks_s": round(time.monotonic() - began, 2)}
    failed_elsewhere = []
    with shared_fd_files.shared_folder([s.name for s in selected], env):
        for k, suite in enumerate(selected, 1):
            print(f"\n[{k}/{len(selected)}] {suite.name} (claims {suite.claims})", flush=True)
            outcome = run_step(binaries[suite.name], suite, run_dir, args, env,
                               f"[{k}/{len(selected)}] {suite.name}")
            manifest.suite_ended(suite.name, **outcome)
            if suite.name == "go" and outcome["status"] == "ok":
                _record_go_toolchain(manifest, os.path.join(run_dir, outcome["file"]))
    if axis:
        began_toolchains = time.monotonic()
        failed_elsewhere = run_toolchains(axis, selected, run_dir, args, env, state)
        times["toolchains_s"] = round(time.monotonic() - began_toolchains, 2)

    ended = manifest.data["suites"]
    failed = [n for n, s in ended.items() if s["status"] == "failed"] + failed_elsewhere
    manifest.finish("failed" if failed else "complete")
    report_began = time.monotonic()
    write_summaries(run_dir, selected, ended)
    # No blank line before the run's own lines ("deferbench: ..." sets them
    # apart): the times line then costs the console's line budget nothing.
    from ..render.site_location import default_site
    write_report(run_dir, args.site or default_site(args.results_dir, args.build_dir))
    now = time.monotonic()
    times.update(report_s=round(now - report_began, 2),
                 total_s=round(now - began + (build_s or 0), 2))
    _record_times(manifest, times)
    print(times_line(times, ended), flush=True)
    if failed:
        print(f"deferbench: suites that failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0
