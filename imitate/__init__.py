"""The `imitate` command line: the one place that wires motions, characters, awr_core and viewer."""

import os

# Small matrix-vector products (one policy step, a few link transforms) run faster on one BLAS
# thread than on a pool that spins against the simulation and the rollout workers.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
