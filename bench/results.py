"""``bench/results/latest.json`` in the shape of issue 8 (item 3), the targets of item 4, and
the markdown table printed at the end.

Beyond the issue's shape: ``writes.registrations_single_per_s`` (one registration per call;
``registrations_per_s`` is in batches of 25, ``documents_register``), ``reminders.tick_s`` (one
reminder tick on the whole register), ``targets`` and ``notes``."""

from __future__ import annotations

from bench.client import percentile
from bench.operations import (
    FLOOR_RATIO_TARGET,
    MIXED_TARGET,
    OPERATIONS,
    P95_TARGETS,
    REGISTRATIONS_TARGET,
    WORKER_RSS_TARGET_MB,
)

MB = 1024 * 1024


def _round(value, digits: int = 2):
    return None if value is None else round(value, digits)


def operations(measured: dict) -> list[dict]:
    rows = []
    for op in measured["operations"]:
        if op["error_count"]:  # timings of error pages say nothing: see the notes
            rows.append(
                {
                    "name": op["name"],
                    "caller": op["caller"],
                    "p50_ms": None,
                    "p95_ms": None,
                    "p99_ms": None,
                    "rps": None,
                    "floor_p50_ms": None,
                    "ratio": None,
                }
            )
            continue
        p50 = percentile(op["latencies"], 0.50)
        floor = percentile(op["floors"], 0.50)
        throughput = op.get("throughput") or {}
        rows.append(
            {
                "name": op["name"],
                "caller": op["caller"],
                "p50_ms": _round(p50),
                "p95_ms": _round(percentile(op["latencies"], 0.95)),
                "p99_ms": _round(percentile(op["latencies"], 0.99)),
                "rps": _round(throughput.get("rps"), 1),
                "floor_p50_ms": _round(floor),
                "ratio": _round(p50 / floor if p50 is not None and floor else None),
            }
        )
    return rows


INTAKE_TARGET = 500


def targets(result: dict) -> list[dict]:
    """Each target of issue 8, item 4: what it asks, what was measured, met or not."""
    kind = {op.name: op.target for op in OPERATIONS}
    found = []
    for name, limit in P95_TARGETS.items():
        rows = [r for r in result["operations"] if kind.get(r["name"]) == name]
        timed = [r for r in rows if r["p95_ms"] is not None]
        if not timed:
            continue
        worst = max(timed, key=lambda r: r["p95_ms"])
        missing = f"; {len(rows) - len(timed)} not measured" if len(timed) < len(rows) else ""
        found.append(
            {
                "target": f"{name} p95 under {limit:g} ms",
                "measured": f"{worst['p95_ms']} ms ({worst['name']}, {worst['caller']}){missing}",
                "met": worst["p95_ms"] < limit and not missing,
            }
        )
    ratios = [r for r in result["operations"] if r["ratio"] is not None]
    if ratios:
        worst = max(ratios, key=lambda r: r["ratio"])
        found.append(
            {
                "target": f"every read's median within {FLOOR_RATIO_TARGET:g}x its floor",
                "measured": f"{worst['ratio']}x ({worst['name']}, {worst['caller']})",
                "met": worst["ratio"] <= FLOOR_RATIO_TARGET,
            }
        )
    mixed = result.get("mixed_load")
    if mixed and mixed.get("rps") is not None:
        found.append(
            {
                "target": f"mixed load at {MIXED_TARGET['clients']} clients: at least "
                f"{MIXED_TARGET['rps']:g} requests/s, p95 under {MIXED_TARGET['p95_ms']:g} ms",
                "measured": f"{mixed['rps']} requests/s, p95 {mixed['p95_ms']} ms "
                f"({mixed['clients']} clients)",
                "met": mixed["clients"] >= MIXED_TARGET["clients"]
                and mixed["rps"] >= MIXED_TARGET["rps"]
                and mixed["p95_ms"] < MIXED_TARGET["p95_ms"],
            }
        )
    writes = result.get("writes")
    if writes:
        found.append(
            {
                "target": f"at least {REGISTRATIONS_TARGET:g} registrations/s, no duplicate or "
                "skipped number",
                "measured": f"{writes['registrations_per_s']}/s in batches of 25 "
                f"({writes['registrations_single_per_s']}/s one at a time), "
                f"{writes['duplicates']} duplicates, {writes['gaps']} gaps",
                "met": writes["registrations_per_s"] >= REGISTRATIONS_TARGET
                and writes["duplicates"] == 0
                and writes["gaps"] == 0,
            }
        )
    intake = result.get("intake")
    if intake:
        found.append(
            {
                "target": f"import_document at least {INTAKE_TARGET:g} covers/s (issue 11)",
                "measured": f"{intake['covers_per_s']:g} covers/s",
                "met": intake["covers_per_s"] >= INTAKE_TARGET,
            }
        )
    memory = result.get("memory", {}).get("worker_peak_rss_mb")
    if memory is not None:
        found.append(
            {
                "target": f"each web worker under {WORKER_RSS_TARGET_MB:g} MB",
                "measured": f"{memory} MB (peak of the largest worker)",
                "met": memory < WORKER_RSS_TARGET_MB,
            }
        )
    return found


def assemble(
    *,
    scale: int,
    machine: dict,
    measured: dict | None,
    writes: dict | None,
    notes: list[str],
    reminders: dict | None = None,
    intake: dict | None = None,
) -> dict:
    result: dict = {"scale": scale, "machine": machine, "operations": []}
    if measured is not None:
        result["operations"] = operations(measured)
        mixed = measured.get("mixed_load")
        result["mixed_load"] = (
            {
                "clients": mixed["clients"],
                "rps": _round(mixed["rps"], 1),
                "p95_ms": _round(mixed["p95_ms"]),
            }
            if mixed
            else None
        )
        peaks = measured.get("workers_peak_rss") or {}
        result["memory"] = {
            "worker_peak_rss_mb": _round(max(peaks.values()) / MB, 1) if peaks else None
        }
    if writes is not None:
        result["writes"] = {
            "registrations_per_s": _round(writes["batched"]["registrations_per_s"], 1),
            "registrations_single_per_s": _round(writes["single"]["registrations_per_s"], 1),
            "duplicates": writes["duplicates"],
            "gaps": writes["gaps"],
        }
    if reminders is not None:
        result["reminders"] = {
            "tick_s": _round(reminders["tick_s"], 2),
            "notifications": reminders["notifications"],
            "emails": reminders["emails"],
        }
    if intake is not None:
        result["intake"] = intake
    result["targets"] = targets(result)
    result["notes"] = notes
    return result


def _cell(value, suffix: str = "") -> str:
    return (
        "-" if value is None else f"{value:g}{suffix}" if isinstance(value, float) else str(value)
    )


def markdown(result: dict) -> str:
    kind = {op.name: op.target for op in OPERATIONS}
    lines = [
        f"Scale {result['scale']:,} documents; {result['machine']['cores']} cores; "
        f"PostgreSQL {result['machine']['postgres']}",
        "",
        "| operation | caller | p50 ms | p95 ms | p99 ms | rps | floor p50 ms | ratio | target "
        "| met |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for row in result["operations"]:
        limit = P95_TARGETS.get(kind.get(row["name"]))
        target = (
            f"p95 < {limit:g}, ratio <= {FLOOR_RATIO_TARGET:g}"
            if limit
            else (f"ratio <= {FLOOR_RATIO_TARGET:g}")
        )
        met = (
            row["p95_ms"] is not None
            and (limit is None or row["p95_ms"] < limit)
            and row["ratio"] is not None
            and row["ratio"] <= FLOOR_RATIO_TARGET
        )
        verdict = "not measured" if row["p50_ms"] is None else "met" if met else "missed"
        lines.append(
            f"| {row['name']} | {row['caller']} | {_cell(row['p50_ms'])} | "
            f"{_cell(row['p95_ms'])} | {_cell(row['p99_ms'])} | {_cell(row['rps'])} | "
            f"{_cell(row['floor_p50_ms'])} | {_cell(row['ratio'])} | {target} | "
            f"{verdict} |"
        )
    lines += ["", "| target (issue 8, item 4) | measured | met |", "| --- | --- | --- |"]
    for target in result["targets"]:
        lines.append(
            f"| {target['target']} | {target['measured']} | "
            f"{'met' if target['met'] else 'missed'} |"
        )
    reminders = result.get("reminders")
    if reminders:
        lines += [
            "",
            f"One reminder tick on the whole register: {reminders['tick_s']} s "
            f"({reminders['notifications']} notifications, {reminders['emails']} e-mails, "
            "through Django's locmem e-mail backend).",
        ]
    intake = result.get("intake")
    if intake:
        lines += [
            "",
            f"import_document: {intake['covers_per_s']:g} covers/s over {intake['covers']} covers "
            f"(by worker processes: {intake['by_workers']}).",
        ]
    if result["notes"]:
        lines += ["", *(f"- {note}" for note in result["notes"])]
    return "\n".join(lines)
