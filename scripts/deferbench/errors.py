"""The one error type for mistakes a user can fix.

Raised anywhere, caught once in __main__, printed as a single line naming the
problem and what is accepted, with exit status 2. A traceback always means a
bug in deferbench.
"""


class UserError(Exception):
    """A problem with the input or the environment that the user can fix."""
