"""One module per command of `python -m deferbench`: its arguments and what it prints.

Each has add_arguments(parser) and run(args); run() imports the layers below
when it runs, so that --help stays light. No other layer imports a command."""
