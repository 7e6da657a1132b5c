"""The grammar of what a user types: make variables, environment variables and
option values, parsed here once, so that a spelling means the same thing to
every command and every suite.

Switches (QUICK, FD_SYSTEM, ALLOW_DIFFERENT, REQUIRE_BASELINE): 1/0, yes/no,
true/false or on/off, in any case; empty is off.

Counts (FD_N, and JOBS's single one): positive whole numbers, comma-separated, each optionally with a k
(x 1,000) or m (x 1,000,000) suffix in either case and underscores between
digits (250_000); blanks around an item are ignored; the list is sorted and
without duplicates; empty means the suite's default.

Anything else is a UserError: one line naming the variable, what was given and
what is accepted, raised before anything is created. The Makefile passes the
raw value (`--quick "$(QUICK)"`), so `make` and the command line agree.
"""

import re

from .errors import UserError

TRUE_WORDS = ("1", "yes", "true", "on")
FALSE_WORDS = ("0", "no", "false", "off", "")
SWITCH_GRAMMAR = "accepted values are 1/0, yes/no, true/false, on/off, or empty"

COUNT_GRAMMAR = ("give positive whole numbers, comma-separated, each optionally with a "
                 "k (x1000) or m (x1000000) suffix in either case and underscores between "
                 "digits")
_COUNT = re.compile(r"(\d+(?:_\d+)*)([km]?)", re.IGNORECASE)
_SCALE = {"": 1, "k": 1_000, "m": 1_000_000}


def switch(name, text):
    """True or False for a switch's text; None (unset) is off."""
    word = (text or "").strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise UserError(f'{name}="{text}": {SWITCH_GRAMMAR}')


def switch_type(name, hint=""):
    """An argparse `type` for a switch. It raises UserError rather than
    argparse's error, so a bad value is the one line every input gets."""
    def parse(text):
        try:
            return switch(name, text)
        except UserError as e:
            raise UserError(f"{e}{hint}") from None
    return parse


def add_switch(parser, option, name, help, positionals=False):
    """`option` alone turns the switch on; `option VALUE` takes the grammar's
    words (what the Makefile passes: `--quick "$(QUICK)"`). For a command with
    positional arguments (`positionals`), the option takes the next word as its
    value, a run's id too when it is written first, and the refusal says so."""
    hint = f" ({option} takes the next word as its value)" if positionals else ""
    parser.add_argument(option, nargs="?", const=True, default=False,
                        type=switch_type(name, hint), metavar="VALUE",
                        help=f"{help}; alone: on; with {name}'s value: 1/0, yes/no, "
                             "true/false, on/off (any case), empty: off")


def counts(name, text, maximum=None, too_large="is too large"):
    """The sorted, distinct counts of a list in the count grammar; None when
    the text is empty or unset (the default applies)."""
    if text is None or not text.strip():
        return None
    values = []
    for raw in text.split(","):
        item = raw.strip()
        n, why = _count(item, maximum, too_large)
        if why:
            raise UserError(f'{name}="{text}": "{item}" {why}; {COUNT_GRAMMAR} '
                            f'(e.g. {name}=1k,10k,250_000)')
        values.append(n)
    return sorted(set(values))


def count_type(name):
    """An argparse `type` for a single count (JOBS=): one item of the count
    grammar, refused as UserError in the one line every input gets."""
    def parse(text):
        item = text.strip()
        n, why = _count(item)
        if why:
            raise UserError(f'{name}="{text}": "{item}" {why}; give one positive whole '
                            f'number (a k or m suffix and underscores allowed; e.g. {name}=2)')
        return n
    return parse


def _count(item, maximum=None, too_large="is too large"):
    """(the count, None) for one item of the grammar, or (None, what is wrong)."""
    why = _count_problem(item)
    if why:
        return None, why
    m = _COUNT.fullmatch(item)
    n = int(m.group(1).replace("_", "")) * _SCALE[m.group(2).lower()]
    if n == 0:
        return None, "is zero"
    if maximum is not None and n > maximum:
        return None, too_large
    return n, None


def _count_problem(item):
    if not item:
        return "is an empty item"
    if item.startswith("-"):
        return "is negative"
    if not _COUNT.fullmatch(item):
        return "is not a number"
    return None


def plain(values):
    """A count list as plain integers, comma-separated: what every suite's own
    parser reads."""
    return ",".join(str(n) for n in values)
