"""deferbench's command line: runs suites, writes run folders, reads them back.

Each subcommand is one module with `add_arguments(parser)` and `run(args)`;
`python -m deferbench <command>` dispatches (see __main__.py).
"""
