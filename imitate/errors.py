"""Errors that mean 'the user gave us something we cannot use': one line, exit code 2."""

from __future__ import annotations


class UserError(Exception):
    """Bad input from the user (file, name, option). `str()` is the whole one-line message."""


EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # stopped by Ctrl-C or SIGTERM after saving: resume to continue
