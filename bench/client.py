"""The measuring client: a process of its own, apart from the server it measures.

    python -m bench.client plan.json results.json

Each simulated client holds one persistent HTTP/1.1 connection (``http.client``: kept alive
when the server allows it, reopened when it closes it). For every operation and caller, after
a warm-up, each sample is three timings taken back to back, so that load and caches are the
same for all three: the request through the API, the floor's SQL through psycopg, and a
request of ``/livez`` (a constant, no database) through the same server. Every page is then
compared with its floor, row by row and field by field (outside the timings). Then a short
burst with a few clients measures the operation's throughput, and at the end 16 clients run a
mixed read load. No Django here: only what a delegation's mirror would have.
"""

from __future__ import annotations

import email.utils
import html
import http.client
import json
import random
import re
import sys
import threading
import time
from urllib.parse import urlencode, urlsplit

import psycopg
from psycopg.rows import dict_row


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile (no interpolation between samples)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
    return ordered[rank - 1]


class Connection:
    """One client's connection, with its cookies and headers."""

    def __init__(self, base: str, headers: dict | None = None) -> None:
        parts = urlsplit(base)
        self.http = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
        self.headers = {"Accept": "application/json", **(headers or {})}
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        sent = dict(self.headers, **(headers or {}))
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            try:
                self.http.request(method, path, body=body, headers=sent)
                response = self.http.getresponse()
                payload = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.http.close()  # the server closed a kept-alive connection: open a new one
                if attempt == 2:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, payload, response

    def get(self, path: str) -> tuple[int, bytes]:
        status, payload, _response = self.request("GET", path)
        return status, payload

    def get_with_headers(self, path: str) -> tuple[int, bytes, dict[str, str]]:
        status, payload, response = self.request("GET", path)
        return status, payload, {k.lower(): v for k, v in response.getheaders()}

    def login(self, login: dict) -> None:
        """Sign in through the admin's login form, as a clerk's browser does."""
        status, page, _ = self.request("GET", login["path"], headers={"Accept": "text/html"})
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise RuntimeError(f"admin login page answered {status}")
        form = urlencode(
            {
                "username": login["username"],
                "password": login["password"],
                "csrfmiddlewaretoken": token[1].decode(),
                "next": login["next"],
            }
        )
        status, _page, _response = self.request(
            "POST",
            login["path"],
            body=form.encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"},
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"admin login refused ({status}): check the clerk's password")


def timed(call):
    started = time.perf_counter()
    result = call()
    return (time.perf_counter() - started) * 1000, result


class Floors:
    def __init__(self, dsn: str) -> None:
        self.connection = psycopg.connect(dsn, autocommit=True, row_factory=dict_row)

    def run(self, sql: str, params: dict) -> list[dict]:
        return self.connection.execute(sql, params).fetchall()


# The reference each row of the admin's change list shows (the first column, a link).
_ADMIN_ROW = re.compile(r'<th class="field-reference"><a [^>]*>([^<]*)</a>')


def difference(api, floor, path: str = "") -> str | None:
    """Where the API's JSON and the floor's differ first (None: the same)."""
    if isinstance(api, dict) and isinstance(floor, dict):
        for key in sorted(set(api) | set(floor)):
            if key not in floor or key not in api:
                return f"{path}.{key}: only in the {'API' if key in api else 'floor'}"
            found = difference(api[key], floor[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(api, list) and isinstance(floor, list):
        if len(api) != len(floor):
            return f"{path}: {len(api)} items in the API, {len(floor)} in the floor"
        for n, (one, other) in enumerate(zip(api, floor, strict=True)):
            found = difference(one, other, f"{path}[{n}]")
            if found:
                return found
        return None
    if api != floor or type(api) is not type(floor):
        return f"{path}: the API has {api!r:.120}, the floor {floor!r:.120}"
    return None


def page_difference(kind: str, payload: bytes, headers: dict, rows: list[dict]) -> str | None:
    """How a page differs from its floor's rows: their number, then the first field."""
    if kind == "admin":
        shown = [html.unescape(r) for r in _ADMIN_ROW.findall(payload.decode())]
        expected = [r["row"] for r in rows]
        if shown != expected:
            return (
                f"the admin shows {len(shown)} rows ({', '.join(shown[:3])}...), the floor "
                f"{len(expected)} ({', '.join(expected[:3])}...)"
            )
        return None
    data = json.loads(payload)
    if kind == "detail":
        if len(rows) != 1:
            return f"the floor has {len(rows)} rows for one document"
        found = difference(data, rows[0]["row"])
        if found:
            return found
        modified = headers.get("last-modified")
        shown = email.utils.parsedate_to_datetime(modified).timestamp() if modified else None
        floor = rows[0]["last_modified"]
        expected = int(floor.timestamp()) if floor is not None else None
        if shown != expected:
            return f"Last-Modified: the API says {modified}, the floor {floor}"
        return None
    shown, expected = data["results"], [r["row"] for r in rows]
    if len(shown) != len(expected):
        return f"the API shows {len(shown)} rows, the floor {len(expected)}"
    return difference(shown, expected, "results")


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def measure_operation(plan: dict, op: dict, connection: Connection, floors: Floors) -> dict:
    """Latencies of the operation and of its floor, interleaved sample by sample."""
    samples, seconds = plan["samples"], plan["op_seconds"]
    latencies, sql_times, livez_times, errors, urls = [], [], [], [], []
    mismatches: list[str] = []
    pages = 0
    cases = op["cases"]

    def page(path: str) -> tuple[float, int, bytes, dict]:
        elapsed, (status, payload, headers) = timed(lambda: connection.get_with_headers(path))
        if status != 200:
            errors.append(f"{status} {path}: {payload[:200]!r}")
        return elapsed, status, payload, headers

    def floor(case: dict, after: dict | None) -> tuple[float, list[dict]]:
        sql = case["sql_next"] if after else case["sql"]
        return timed(lambda: floors.run(sql, {**case["params"], **(after or {})}))

    def livez() -> float:
        elapsed, (status, _payload) = timed(lambda: connection.get(plan["livez"]))
        if status != 200:
            errors.append(f"livez answered {status}")
        return elapsed

    # Warm-up: the first cases once through the API and the floor (caches, plans, connections).
    for case in cases[: max(1, plan["warmup"])]:
        page(case["url"])
        floor(case, None)
    errors.clear()

    started, n = time.perf_counter(), 0
    while n < samples and (time.perf_counter() - started < seconds or n < plan["min_samples"]):
        case = cases[n % len(cases)]
        path, after = case["url"], None
        for _depth in range(op["walk"]):
            elapsed, status, payload, headers = page(path)
            floor_ms, rows = floor(case, after)
            livez_ms = livez()
            latencies.append(elapsed)
            sql_times.append(floor_ms)
            livez_times.append(livez_ms)
            urls.append(path)
            n += 1
            if status != 200:
                break
            pages += 1
            different = page_difference(op["compare"], payload, headers, rows)
            if different:
                mismatches.append(f"{path}: {different}")
            if op["walk"] == 1:
                break
            following = json.loads(payload).get("next")
            if not following or not rows:
                break
            path = _path(following)
            after = {"after_date": rows[-1]["_date"], "after_id": rows[-1]["_id"]}
    floors_ms = [s + z for s, z in zip(sql_times, livez_times, strict=True)]
    return {
        "latencies": latencies,
        "sql": sql_times,
        "livez": livez_times,
        "floors": floors_ms,
        "errors": errors[:5],
        "error_count": len(errors),
        "urls": sorted(set(urls)),
        "mismatches": mismatches[:3],
        "mismatch_count": len(mismatches),
        "pages_compared": pages,
    }


def burst(
    plan: dict, paths: list[str], headers: dict, cookies: dict, *, clients: int, seconds: float
) -> dict:
    """``clients`` connections requesting ``paths`` (in turn) for ``seconds``: throughput."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(offset: int) -> None:
        connection = Connection(plan["base"], headers)
        connection.cookies.update(cookies)
        mine, n = [], offset
        while time.perf_counter() < deadline:
            path = paths[n % len(paths)]
            elapsed, (status, _payload) = timed(lambda path=path: connection.get(path))
            n += 1
            mine.append(elapsed)
            if status != 200:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "rps": len(latencies) / elapsed,
        "p95_ms": percentile(latencies, 0.95),
        "errors": errors[0],
    }


def mixed_load(plan: dict, pools: list[dict], sessions: dict) -> dict:
    """16 clients, each on its own connection, picking operations by weight."""
    spec = plan["mixed"]
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + spec["seconds"]
    weights = [p["mix"] for p in pools]

    def client(k: int) -> None:
        rng = random.Random(1000 + k)
        connections = {}
        mine = []
        while time.perf_counter() < deadline:
            pool = rng.choices(pools, weights)[0]
            caller = pool["caller"]
            if caller not in connections:
                connections[caller] = Connection(plan["base"], sessions[caller]["headers"])
                connections[caller].cookies.update(sessions[caller]["cookies"])
            path = rng.choice(pool["urls"])
            elapsed, (status, _payload) = timed(
                lambda c=connections[caller], path=path: c.get(path)
            )
            mine.append(elapsed)
            if status != 200:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(spec["clients"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "clients": spec["clients"],
        "requests": len(latencies),
        "seconds": elapsed,
        "rps": len(latencies) / elapsed,
        "p50_ms": percentile(latencies, 0.5),
        "p95_ms": percentile(latencies, 0.95),
        "errors": errors[0],
    }


def run(plan: dict) -> dict:
    sessions = {}
    for caller, spec in plan["callers"].items():
        connection = Connection(plan["base"], spec.get("headers"))
        if spec.get("login"):
            connection.login(spec["login"])
        sessions[caller] = {
            "headers": spec.get("headers", {}),
            "cookies": connection.cookies,
            "connection": connection,
        }
    floors = Floors(plan["dsn"])
    results, pools = [], []
    for op in plan["operations"]:
        session = sessions[op["caller"]]
        print(f"  {op['name']} ({op['caller']})", file=sys.stderr, flush=True)
        measured = measure_operation(plan, op, session["connection"], floors)
        if measured["urls"] and plan["throughput_seconds"] > 0:
            measured["throughput"] = burst(
                plan,
                measured["urls"],
                session["headers"],
                session["cookies"],
                clients=plan["throughput_clients"],
                seconds=plan["throughput_seconds"],
            )
        results.append({"name": op["name"], "caller": op["caller"], **measured})
        if op["mix"] and measured["urls"] and not measured["error_count"]:
            pools.append({"caller": op["caller"], "mix": op["mix"], "urls": measured["urls"]})
    mixed = None
    if pools and plan["mixed"]["seconds"] > 0:
        print(f"  mixed load, {plan['mixed']['clients']} clients", file=sys.stderr, flush=True)
        mixed = mixed_load(plan, pools, sessions)
    return {"operations": results, "mixed_load": mixed}


def main(argv: list[str]) -> int:
    with open(argv[1]) as handle:
        plan = json.load(handle)
    results = run(plan)
    with open(argv[2], "w") as handle:
        json.dump(results, handle, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
