"""Everything ``make bench`` reads from the environment, checked before anything starts."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from bench.database import BenchError, Server

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/tracker_bench"


def _whole(name: str, default: str, *, low: int = 1, high: int | None = None) -> int:
    raw = os.environ.get(name, default).strip().replace("_", "")
    if not (raw.isascii() and raw.isdigit()) or int(raw) < low:
        raise BenchError(f"{name} must be a whole number of at least {low}, not {raw!r}")
    if high is not None and int(raw) > high:
        raise BenchError(f"{name} must be at most {high:,}, not {int(raw):,}")
    return int(raw)


def _seconds(name: str, default: str) -> float:
    raw = os.environ.get(name, default).strip()
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise BenchError(f"{name} must be a number of seconds (0 or more), not {raw!r}")
    return value


@dataclass(frozen=True)
class Config:
    scale: int
    server: Server
    seed: int
    mode: str  # how the build loads: rebuild (drop and re-create indexes) or keep
    rebuild: bool  # build even when the fingerprint matches
    results: Path
    cases: int
    samples: int
    min_samples: int
    op_seconds: float
    warmup: int
    throughput_clients: int
    throughput_seconds: float
    mixed_clients: int
    mixed_seconds: float
    writers: int
    write_seconds: float
    workers: int

    @classmethod
    def from_environment(cls) -> Config:
        mode = os.environ.get("BENCH_INDEXES", "rebuild")
        if mode not in ("rebuild", "keep"):
            raise BenchError(f"BENCH_INDEXES must be rebuild or keep, not {mode!r}")
        return cls(
            # Past 5 million the busiest series would run out of numbers in a year.
            scale=_whole("SCALE", "1000000", high=5_000_000),
            server=Server.from_url(os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)),
            seed=_whole("BENCH_SEED", "8", low=0),
            mode=mode,
            rebuild=os.environ.get("BENCH_REBUILD", "") not in ("", "0", "false", "no"),
            results=Path(os.environ.get("BENCH_RESULTS", ROOT / "bench" / "results")),
            cases=_whole("BENCH_CASES", "30"),
            samples=_whole("BENCH_SAMPLES", "200"),
            min_samples=_whole("BENCH_MIN_SAMPLES", "10"),
            op_seconds=_seconds("BENCH_OP_SECONDS", "20"),
            warmup=_whole("BENCH_WARMUP", "5", low=0),
            throughput_clients=_whole("BENCH_THROUGHPUT_CLIENTS", "4"),
            throughput_seconds=_seconds("BENCH_THROUGHPUT_SECONDS", "3"),
            mixed_clients=_whole("BENCH_MIXED_CLIENTS", "16"),
            mixed_seconds=_seconds("BENCH_MIXED_SECONDS", "30"),
            writers=_whole("BENCH_WRITERS", "8"),
            write_seconds=_seconds("BENCH_WRITE_SECONDS", "20"),
            workers=_whole("BENCH_WORKERS", "2"),
        )
