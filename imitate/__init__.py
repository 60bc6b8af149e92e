"""The `imitate` command line: the one place that wires motions, characters, awr_core and viewer."""

__version__ = "0.1.0"
