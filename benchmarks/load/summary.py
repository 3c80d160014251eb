"""Summarizes load-test runs (the --samples-csv files of the locustfile) as Markdown tables.

    .venv/bin/python -m benchmarks.load.summary var/load/sqlite-10-samples.csv …

Per request and for all pages together (every page GET and the log save; not the sign-in nor
the report downloads): requests, errors, p50, p95, p99 in milliseconds, over the steady state:
the requests started after the last virtual user finished signing in (or after --warm-up
seconds). The "whole run" line counts every request, the sign-in storm included.
"""

import argparse
import csv
from pathlib import Path

SIGN_IN = {"sign in", "sign in (two-factor)"}
NOT_PAGES = SIGN_IN | {"report xlsx", "report pdf"}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))] if ordered else float("nan")


def figures(name: str, samples: list[tuple[float, int]]) -> tuple:
    times = [ms for ms, _ in samples]
    return (
        name,
        len(samples),
        sum(failed for _, failed in samples),
        percentile(times, 0.5),
        percentile(times, 0.95),
        percentile(times, 0.99),
    )


def rows(path: Path, warm_up: float | None) -> tuple[float, list[tuple]]:
    """(seconds left out at the start, the table's rows)."""
    with path.open() as file:
        records = list(csv.DictReader(file))
    first = min(float(record["start"]) for record in records)
    if warm_up is None:
        warm_up = max(float(r["start"]) + float(r["ms"]) / 1000 for r in records if r["name"] in SIGN_IN) - first
    everything = [(float(r["ms"]), int(r["failed"])) for r in records]
    errors_anywhere = sum(failed for _, failed in everything)
    steady: dict[str, list[tuple[float, int]]] = {}
    for record in records:
        if float(record["start"]) - first >= warm_up:
            steady.setdefault(record["name"], []).append((float(record["ms"]), int(record["failed"])))
    pages = [sample for name, values in steady.items() if name not in NOT_PAGES for sample in values]
    return warm_up, [
        *(figures(name, values) for name, values in sorted(steady.items()) if name not in SIGN_IN),
        figures("**all pages**", pages),
        (f"whole run, sign-in included ({errors_anywhere} errors)", *figures("", everything)[1:]),
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm-up", type=float, help="seconds left out at the start (default: until all signed in)")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args(argv)
    for path in map(Path, args.files):
        warm_up, table = rows(path, args.warm_up)
        print(f"\n{path.stem} (steady state: after the first {warm_up:.0f} s)\n")
        print("| request | n | errors | p50 ms | p95 ms | p99 ms |")
        print("|---|---:|---:|---:|---:|---:|")
        for name, count, failed, p50, p95, p99 in table:
            print(f"| {name} | {count} | {failed} | {p50:.0f} | {p95:.0f} | {p99:.0f} |")


if __name__ == "__main__":
    main()
