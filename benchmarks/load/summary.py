"""Summarizes load-test runs (the --samples-csv files of the locustfile) as Markdown tables.

    .venv/bin/python -m benchmarks.load.summary var/load/pg-50-samples.csv …

Per request and for all pages together, over the steady state (the requests started after the
last virtual user finished its first sign-in, or after --warm-up seconds): requests, errors,
p50, p95, p99 in milliseconds. "All pages" is every page GET, the pickers' searches (lookups)
and the log save; not the sign-ins and sign-outs nor the report downloads, which get lines of
their own: a download's first request, its polls while the file is 作成中, and "(ready)", the
time from the first request to the file in hand when it was not there at once. Then the
requests per second of the steady state and the whole run's errors, the sign-in storm included.
"""

import argparse
import csv
from pathlib import Path

SIGN_IN = {"sign in", "sign in (two-factor)", "sign out"}
DOWNLOADS = ("report xlsx", "report pdf")
FIRST_SIGN_IN = "first sign-in done"  # the locustfile's mark (0 ms) when a user has signed in at the start


def is_page(name: str) -> bool:
    return name not in SIGN_IN and not name.startswith(DOWNLOADS)


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


def summarize(path: Path, warm_up: float | None) -> dict:
    """The steady state's rows (pages, then downloads, then sign-ins), requests/s, the whole run's errors."""
    with path.open() as file:
        records = list(csv.DictReader(file))
    first = min(float(record["start"]) for record in records)
    last = max(float(r["start"]) + float(r["ms"]) / 1000 for r in records)
    marks = [float(r["start"]) for r in records if r["name"] == FIRST_SIGN_IN]
    records = [r for r in records if r["name"] != FIRST_SIGN_IN]
    if warm_up is None:
        # Every user's first sign-in is the storm at the start (later ones are part of the day): the
        # locustfile marks each; older files without marks wait for the last sign-in.
        ends = marks or [float(r["start"]) + float(r["ms"]) / 1000 for r in records if r["name"] in SIGN_IN] or [first]
        warm_up = max(ends) - first
    steady: dict[str, list[tuple[float, int]]] = {}
    for record in records:
        if float(record["start"]) - first >= warm_up:
            steady.setdefault(record["name"], []).append((float(record["ms"]), int(record["failed"])))
    pages = [sample for name, values in steady.items() if is_page(name) for sample in values]
    ordered = sorted(steady.items(), key=lambda item: (not is_page(item[0]), item[0] in SIGN_IN, item[0]))
    rows = [figures(name, values) for name, values in ordered if is_page(name)]
    rows.append(figures("**all pages**", pages))
    rows += [figures(name, values) for name, values in ordered if not is_page(name)]
    seconds = max(last - first - warm_up, 1e-9)
    return {
        "warm_up": warm_up,
        "rows": rows,
        "requests_per_second": sum(len(values) for values in steady.values()) / seconds,
        "pages_per_second": len(pages) / seconds,
        "errors": sum(int(r["failed"]) for r in records),
        "requests": len(records),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm-up", type=float, help="seconds left out at the start (default: until all signed in)")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args(argv)
    for path in map(Path, args.files):
        found = summarize(path, args.warm_up)
        print(f"\n{path.stem} (steady state: after the first {found['warm_up']:.0f} s)\n")
        print("| request | n | errors | p50 ms | p95 ms | p99 ms |")
        print("|---|---:|---:|---:|---:|---:|")
        for name, count, failed, p50, p95, p99 in found["rows"]:
            print(f"| {name} | {count} | {failed} | {p50:.0f} | {p95:.0f} | {p99:.0f} |")
        print(
            f"\nsteady state: {found['requests_per_second']:.1f} requests/s ({found['pages_per_second']:.1f} pages/s); "
            f"whole run, sign-ins included: {found['requests']} requests, {found['errors']} errors"
        )


if __name__ == "__main__":
    main()
