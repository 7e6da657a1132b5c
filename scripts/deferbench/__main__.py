"""python -m deferbench <command>: one module per command, in commands/."""

import argparse
import sys

from .commands import baseline, bench, compare, export, history, plots, refile, regress, report
from .errors import UserError

COMMANDS = {
    "bench": bench,
    "compare": compare,
    "regress": regress,
    "baseline": baseline,
    "history": history,
    "report": report,
    "plots": plots,
    "export": export,
    "refile": refile,
}


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="deferbench",
        description="Benchmarks of deferred cleanup: Go's defer strategies in C++ and Go.")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, module in COMMANDS.items():
        module.add_arguments(sub.add_parser(name, help=module.__doc__.splitlines()[0],
                                            description=module.__doc__))
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command].run(args) or 0
    except UserError as e:
        print(f"deferbench: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
