"""Requests per second and latency of the category page under gunicorn, against a bare Flask
view that returns the same bytes, measured in the same run.

    .venv/bin/python bench/throughput.py --database-url sqlite:///bench/results/pasar_10k.db
    .venv/bin/python bench/throughput.py \
        --database-url postgresql://postgres@127.0.0.1:5432/pasar_bench_10k --redis

Starts one gunicorn (2 sync workers) per target: the app with the page cache on (each
worker's memory), the app with it off, optionally the app with the page cache in Redis, and
bench/bare_app.py serving the category page's own HTML. Then runs wrk against them in the
order bare, A, bare, B, bare, C, bare..., rotating A, B, C every round: other work on the
machine comes and goes, so each app run is compared with the bare runs just before and after
it. Before each run it waits (a little) for the machine to be quiet, and it records how much
CPU the workers spent per request, a figure that background load hardly moves. Prints each
run, then per target the median and range. Generate the data first (bench/generate.py).
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from common import (
    BENCH_DIR,
    REPO_ROOT,
    RESULTS_DIR,
    VENV_BIN,
    code_state,
    describe_url,
    resolve_database_url,
    versions,
)

# BENCH_REDIS_URL: another database for a run beside someone else's (each clears its own pages).
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
CACHE_KEY_PREFIX = "pasar:"  # shop/pagecache.py's CACHE_KEY_PREFIX
STARTUP_TIMEOUT_SECONDS = 90  # a loaded machine (other suites running) can take 30 s


@dataclass(frozen=True)
class Target:
    name: str
    app: str  # gunicorn's APP_MODULE
    env: dict[str, str]
    port: int
    chdir: Path = REPO_ROOT
    pid: int = 0  # gunicorn's master, once running


@dataclass(frozen=True)
class WrkResult:
    target: str
    round: int
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # non-2xx/3xx responses and socket errors
    machine_busy: float  # share of CPU busy just before the run (other work on the machine)
    worker_cpu_ms: float = 0.0  # CPU the gunicorn workers spent per request (user + system)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: DATABASE_URL, else the app's SQLite")
    parser.add_argument("--path", default="/kategori/kuliner", help="the page to load")
    parser.add_argument("--rounds", type=int, default=5, help="wrk runs per app target")
    parser.add_argument("--duration", default="8s", help="wrk -d")
    parser.add_argument("--connections", type=int, default=16, help="wrk -c")
    parser.add_argument("--threads", type=int, default=2, help="wrk -t")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--port", type=int, default=8101, help="first of the ports used")
    parser.add_argument(
        "--redis", action="store_true", help=f"also the page cache in Redis ({REDIS_URL})"
    )
    parser.add_argument(
        "--quiet-below",
        type=float,
        default=0.3,
        help="before each run, wait for the machine to be less busy than this (0-1)",
    )
    parser.add_argument(
        "--quiet-wait", type=float, default=20, help="but wait at most this many seconds"
    )
    parser.add_argument("--label", help="name of the JSON file in bench/results/")
    return parser.parse_args()


def app_targets(args: argparse.Namespace, database_url: str) -> list[Target]:
    base = {
        "APP_CONFIG": "default",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-secret-key-not-for-production-0123456789",
        "REDIS_URL": "",
    }
    targets = [
        Target("cache on", "wsgi:app", {**base, "PAGE_CACHE_SECONDS": "60"}, args.port),
        Target("cache off", "wsgi:app", {**base, "PAGE_CACHE_SECONDS": "0"}, args.port + 1),
    ]
    if args.redis:
        redis_env = {**base, "PAGE_CACHE_SECONDS": "60", "REDIS_URL": REDIS_URL}
        targets.append(Target("cache on (Redis)", "wsgi:app", redis_env, args.port + 2))
    return targets


def bare_target(args: argparse.Namespace, page_file: Path) -> Target:
    env = {"BARE_PAGE_FILE": str(page_file)}
    return Target("bare Flask", "bare_app:app", env, args.port + 3, chdir=BENCH_DIR)


@contextmanager
def running(target: Target, workers: int):
    """A gunicorn for the target, stopped (by its own pid) when the block ends."""
    log = open(RESULTS_DIR / f"gunicorn-{target.port}.log", "w")  # noqa: SIM115
    command = [
        str(VENV_BIN / "gunicorn"),
        f"--workers={workers}",
        f"--bind=127.0.0.1:{target.port}",
        f"--chdir={target.chdir}",
        target.app,
    ]
    env = {**os.environ, **target.env}
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_up(target, server)
        yield replace(target, pid=server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def wait_until_up(target: Target, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"{target.name}: gunicorn exited; see bench/results/gunicorn-*.log")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{target.port}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{target.name}: not answering after {STARTUP_TIMEOUT_SECONDS} s")


def fetch(target: Target, path: str) -> tuple[bytes, dict[str, str]]:
    with urllib.request.urlopen(f"http://127.0.0.1:{target.port}{path}", timeout=30) as reply:
        return reply.read(), dict(reply.headers)


def clear_redis_pages() -> None:
    """Pages another run left in Redis carry the same catalog version (0) and paths, and would
    be served here as if they were this database's: start from an empty cache."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{CACHE_KEY_PREFIX}*"))
    if keys:
        client.delete(*keys)


def cache_states(target: Target, path: str) -> str:
    """X-Page-Cache over a few requests: each worker keeps its own in-memory cache, so with
    the cache on expect a miss per worker, then hits."""
    states = [fetch(target, path)[1].get("X-Page-Cache", "-") for _ in range(4)]
    return " ".join(states)


def run_wrk(url: str, args: argparse.Namespace, duration: str) -> str:
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{duration}",
        "--latency",
        url,
    ]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _duration_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS_MS[unit]


def parse_wrk(output: str, target: str, round_: int, busy: float) -> WrkResult:
    def find(pattern: str) -> str:
        match = re.search(pattern, output, re.MULTILINE)
        if not match:
            raise ValueError(f"wrk output without {pattern!r}:\n{output}")
        return match.group(1)

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = int(non_2xx.group(1)) if non_2xx else 0
    errors += sum(int(n) for n in socket.groups()) if socket else 0
    return WrkResult(
        target=target,
        round=round_,
        requests_per_second=float(find(r"^Requests/sec:\s+([\d.]+)")),
        p50_ms=_duration_ms(find(r"^\s+50%\s+(\S+)")),
        p99_ms=_duration_ms(find(r"^\s+99%\s+(\S+)")),
        requests=int(find(r"^\s+(\d+) requests in")),
        errors=errors,
        machine_busy=busy,
    )


def background_busy(seconds: float = 1.0) -> float:
    """Share of all CPUs busy over `seconds` (from /proc/stat), while nothing of ours runs."""

    def sample() -> tuple[int, int]:
        with open("/proc/stat") as stat:
            values = [int(v) for v in stat.readline().split()[1:]]
        idle = values[3] + values[4]  # idle + iowait
        return sum(values), idle

    total_before, idle_before = sample()
    time.sleep(seconds)
    total_after, idle_after = sample()
    elapsed = (total_after - total_before) or 1
    return 1 - (idle_after - idle_before) / elapsed


def wait_for_quiet(args: argparse.Namespace) -> float:
    """Other engineers run test suites on this machine: wait (a while) for a quieter moment,
    and return how busy it was when the run started, to print next to the result."""
    deadline = time.monotonic() + args.quiet_wait
    busy = background_busy()
    while busy > args.quiet_below and time.monotonic() < deadline:
        busy = background_busy(2.0)
    return busy


def worker_cpu_seconds(master_pid: int) -> float:
    """User + system CPU time of the master's worker processes so far (from /proc)."""
    ticks = 0
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        if int(fields[1]) == master_pid:  # fields[1] is the parent pid
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def run_once(target: Target, args: argparse.Namespace, round_: int) -> WrkResult:
    """One wrk run. Besides wrk's figures, the workers' CPU per request: unlike requests per
    second, it hardly moves when other work on the machine takes CPU away from us."""
    busy = wait_for_quiet(args)
    url = f"http://127.0.0.1:{target.port}{args.path}"
    cpu_before = worker_cpu_seconds(target.pid)
    output = run_wrk(url, args, args.duration)
    cpu_seconds = worker_cpu_seconds(target.pid) - cpu_before
    result = parse_wrk(output, target.name, round_, busy)
    result = replace(result, worker_cpu_ms=cpu_seconds * 1000 / max(1, result.requests))
    print(
        f"  round {round_}  {target.name:<18} {result.requests_per_second:8.1f} rps"
        f"  p50 {result.p50_ms:7.2f} ms  p99 {result.p99_ms:7.2f} ms"
        f"  CPU {result.worker_cpu_ms:6.2f} ms/req  ({result.requests} requests,"
        f" {result.errors} errors, machine {busy:.0%} busy before)",
        flush=True,
    )
    return result


def measure(app_side: list[Target], bare: Target, args: argparse.Namespace) -> list[WrkResult]:
    """bare, A, bare, B, bare, C, bare, B, bare...: every app run sits between two bare runs,
    so its ratio compares it with the baseline under the same background load. The order of
    the app targets rotates each round."""
    results = [run_once(bare, args, 1)]
    for round_ in range(1, args.rounds + 1):
        shift = (round_ - 1) % len(app_side)
        for target in app_side[shift:] + app_side[:shift]:
            results.append(run_once(target, args, round_))
            results.append(run_once(bare, args, round_))
    return results


def ratios_to_bare(results: list[WrkResult], name: str) -> list[float]:
    """Each run of `name` over the mean of the bare runs just before and after it."""
    ratios = []
    for index, result in enumerate(results):
        if result.target == name and 0 < index < len(results) - 1:
            neighbours = (results[index - 1], results[index + 1])
            baseline = statistics.mean(r.requests_per_second for r in neighbours)
            ratios.append(result.requests_per_second / baseline)
    return ratios


def summarise(results: list[WrkResult], targets: list[Target], bare: Target) -> dict:
    bare_cpu_ms = statistics.median(r.worker_cpu_ms for r in results if r.target == bare.name)
    summary = {}
    for target in targets:
        runs = [r for r in results if r.target == target.name]
        rps = [r.requests_per_second for r in runs]
        ratios = [1.0] if target is bare else ratios_to_bare(results, target.name)
        cpu_ms = statistics.median(r.worker_cpu_ms for r in runs)
        summary[target.name] = {
            "runs": len(runs),
            "rps_median": statistics.median(rps),
            "rps_min": min(rps),
            "rps_max": max(rps),
            "p50_ms_median": statistics.median(r.p50_ms for r in runs),
            "p99_ms_median": statistics.median(r.p99_ms for r in runs),
            "p99_ms_max": max(r.p99_ms for r in runs),
            "ratio_to_bare_median": statistics.median(ratios),
            "ratio_to_bare_min": min(ratios),
            "ratio_to_bare_max": max(ratios),
            "worker_cpu_ms_median": cpu_ms,
            "cpu_ratio_to_bare": bare_cpu_ms / cpu_ms if cpu_ms else 0.0,
            "errors": sum(r.errors for r in runs),
        }
    return summary


def print_summary(summary: dict) -> None:
    print(
        f"\n{'target':<18} {'rps median (min-max)':>22} {'p50 ms':>7} {'p99 ms':>7}"
        f" {'p99 max':>8} {'rps / bare (min-max)':>21} {'CPU ms/req':>10} {'by CPU':>7}"
    )
    for name, s in summary.items():
        rps = f"{s['rps_median']:.0f} ({s['rps_min']:.0f}-{s['rps_max']:.0f})"
        ratio = (
            f"{s['ratio_to_bare_median']:.0%} "
            f"({s['ratio_to_bare_min']:.0%}-{s['ratio_to_bare_max']:.0%})"
        )
        print(
            f"{name:<18} {rps:>22} {s['p50_ms_median']:7.2f} {s['p99_ms_median']:7.2f}"
            f" {s['p99_ms_max']:8.2f} {ratio:>21} {s['worker_cpu_ms_median']:10.3f}"
            f" {s['cpu_ratio_to_bare']:7.0%}"
        )
    print(
        "rps / bare: each run over the mean of the bare runs just before and after it.\n"
        "by CPU: bare's worker CPU per request over this target's (PostgreSQL's own CPU is "
        "not counted)."
    )
    errors = sum(s["errors"] for s in summary.values())
    if errors:
        print(f"WARNING: {errors} non-2xx responses or socket errors")


def main() -> None:
    args = parse_args()
    database_url = resolve_database_url(args.database_url)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    code = code_state()  # when the servers start, which is the code they run
    print(f"database: {describe_url(database_url)}  page: {args.path}  code: {code}")
    print(f"wrk -t{args.threads} -c{args.connections} -d{args.duration}, {args.rounds} rounds")
    if args.redis:
        clear_redis_pages()
    with ExitStack() as stack:
        app_side = [
            stack.enter_context(running(t, args.workers)) for t in app_targets(args, database_url)
        ]
        page, headers = fetch(app_side[1], args.path)  # the uncached render
        page_file = RESULTS_DIR / "bare_page.html"
        page_file.write_bytes(page)
        print(f"page: {len(page)} bytes, {headers.get('Content-Type')}")
        for target in app_side:
            print(f"  {target.name}: X-Page-Cache of 4 requests: {cache_states(target, args.path)}")
        bare = stack.enter_context(running(bare_target(args, page_file), args.workers))
        bare_page, _ = fetch(bare, args.path)
        assert len(bare_page) == len(page), "the bare app must send as many bytes as the page"
        targets = [*app_side, bare]
        for target in targets:  # templates compiled and caches filled in every worker
            run_wrk(f"http://127.0.0.1:{target.port}{args.path}", args, "3s")
        results = measure(app_side, bare, args)
    summary = summarise(results, targets, bare)
    print_summary(summary)
    save(args, database_url, len(page), results, summary, code)


def save(args, database_url: str, page_bytes: int, results, summary, code: dict) -> None:
    label = args.label or ("postgresql" if database_url.startswith("postgres") else "sqlite")
    path = RESULTS_DIR / f"throughput-{label}.json"
    record = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": describe_url(database_url),
        "path": args.path,
        "page_bytes": page_bytes,
        "wrk": f"-t{args.threads} -c{args.connections} -d{args.duration}",
        "workers": args.workers,
        "cpus": os.cpu_count(),
        "versions": versions(),
        "code": code,
        "runs": [asdict(r) for r in results],
        "summary": summary,
    }
    path.write_text(json.dumps(record, indent=2))
    print(f"\nsaved {path.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
