"""python -m deferbench <command>: one module per command, in commands/."""

import signal
import sys

from .lost_signals import send_again


class _EndedEarly(SystemExit):
    """SIGINT or SIGTERM before a command has taken them over: exit 128 + N."""

    def __init__(self, signum):
        super().__init__(128 + signum)
        self.signum = signum


_told = {"early": False}


def _interrupted_early(signum, frame):
    """SIGINT or SIGTERM before a command has begun: nothing was created yet."""
    if not _told["early"]:  # once, though send_again may bring the signal back
        _told["early"] = True
        print(f"deferbench: interrupted by {signal.Signals(signum).name}; nothing was created",
              file=sys.stderr)
    raise _EndedEarly(signum)


# First of all, so that a signal while the modules load ends the process with
# 128 + N and no traceback; the bench command installs its own for the run.
# Where one of these handlers cannot raise, send_again makes sure it raises later.
signal.signal(signal.SIGINT, _interrupted_early)
signal.signal(signal.SIGTERM, _interrupted_early)
sys.unraisablehook = send_again

import argparse  # noqa: E402

from .commands import (baseline, bench, compare, export, fleet, history,  # noqa: E402
                       plots, prebuild, refile, regress, report, site, toolchains)
from .analysis.gate import GateError  # noqa: E402
from .atomic import WriteError  # noqa: E402
from .errors import UserError  # noqa: E402

COMMANDS = {
    "bench": bench,
    "compare": compare,
    "regress": regress,
    "baseline": baseline,
    "history": history,
    "report": report,
    "plots": plots,
    "site": site,
    "fleet": fleet,
    "export": export,
    "refile": refile,
    "prebuild": prebuild,
    "toolchains": toolchains,
}


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="deferbench",
        description="Benchmarks of deferred cleanup: Go's defer strategies in C++ and Go.")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, module in COMMANDS.items():
        module.add_arguments(sub.add_parser(name, help=module.__doc__.splitlines()[0],
                                            description=module.__doc__))
    try:
        # Inside: a value that inputs.py refuses is a UserError, one line.
        args = parser.parse_args(argv)
        return COMMANDS[args.command].run(args) or 0
    except (WriteError, GateError) as e:  # the machine's or the code's fault, not the input's
        print(f"deferbench: {e}", file=sys.stderr)
        return 1
    except UserError as e:
        print(f"deferbench: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("deferbench: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
