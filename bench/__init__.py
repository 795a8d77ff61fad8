"""The benchmarks (`make bench`, bench/README.md)."""

from pathlib import Path

# The repository, which every benchmark's files (results, logs, databases) are found from.
PROJECT_ROOT = Path(__file__).resolve().parents[1]
