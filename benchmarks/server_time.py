"""Server time per request, in process, through Django's test client and the full middleware stack.

It creates one user for each credential count in ``--sizes`` and requests the Authenticate screen, the
Credentials page and the minimal signed-in page as each user. Per request it records the wall time of
``Client.get``, the number of SQL statements and the time spent inside ``cursor.execute``.

    DJANGO_SETTINGS_MODULE=benchmarks.settings DATABASE_URL=... python -m benchmarks.server_time --out result.json

The test client keeps one database connection for the whole run, so these times leave out opening a
connection, which gunicorn does on every request for SQLite (CONN_MAX_AGE=0).
"""

import argparse
import json
import re
import statistics
from collections import defaultdict
from time import perf_counter

# Fallbacks for flows.views.TILES_PER_PAGE and credentials.views.manage.PAGE_SIZE, which main() imports,
# used only to check the number of credentials shown if the app renames those constants.
DEFAULT_TILES_PER_PAGE = 24
DEFAULT_LIST_PAGE_SIZE = 25

# Functions whose cumulative time the profile reports, as (label, file path suffix, function name).
# They overlap: floatformat calls number_format, and every filter runs inside template rendering.
PROFILE_FUNCTIONS = (
    ("Template rendering (render_to_string)", "django/template/loader.py", "render_to_string"),
    ("Querysets loading rows (QuerySet._fetch_all)", "django/db/models/query.py", "_fetch_all"),
    ("COUNT queries (QuerySet.count)", "django/db/models/query.py", "count"),
    ("Localizing numbers (formats.number_format)", "django/utils/formats.py", "number_format"),
    ("date filter (formats.date_format)", "django/utils/formats.py", "date_format"),
    ("naturaltime filter", "django/contrib/humanize/templatetags/humanize.py", "naturaltime"),
    ("{% url %} and reverse()", "django/urls/base.py", "reverse"),
    ("floatformat filter", "django/template/defaultfilters.py", "floatformat"),
    ("truncatechars filter", "django/template/defaultfilters.py", "truncatechars"),
    ("{% include %} of a template", "django/template/loader_tags.py", "render"),
)
PROFILED_REQUESTS = 20

PAGES = (
    ("authenticate", "Authenticate screen"),
    ("credentials", "Credentials page"),
    ("minimal", "Minimal signed-in page"),
)


class QueryMeter:
    """A database execute wrapper that counts statements and times each one."""

    def __init__(self):
        self.reset()

    def reset(self) -> None:
        self.count = 0
        self.seconds = 0.0
        self.statements: list[tuple[str, tuple, float]] = []

    def __call__(self, execute, sql, params, many, context):
        start = perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = perf_counter() - start
            self.count += 1
            self.seconds += elapsed
            self.statements.append((sql, tuple(params or ()), elapsed))


def percentile(values: list[float], fraction: float) -> float:
    """Return the nearest-rank percentile of ``values`` (fraction 0.9 for p90)."""
    ordered = sorted(values)
    rank = max(1, round(fraction * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def page_urls() -> dict[str, str]:
    from django.urls import reverse

    return {
        "authenticate": reverse("source_authenticate", args=["openrouter"]),
        "credentials": reverse("credential_list"),
        "minimal": reverse("benchmark_minimal"),
    }


def rendered_rows(page: str, content: str) -> int | None:
    """Count the credentials a response shows: tiles on the Authenticate screen, rows on the Credentials page."""
    if page == "authenticate":
        return content.count('class="tile tile-credential"')
    if page == "credentials":
        return len(re.findall(r'<a href="/credentials/\d+/">', content))
    return None


class PageSamples:
    """Per-request measurements of one page for one user."""

    def __init__(self, page: str, url: str):
        self.page = page
        self.url = url
        self.times_ms: list[float] = []
        self.query_counts: list[int] = []
        self.sql_ms: list[float] = []
        self.statement_ms = defaultdict(list)
        self.statement_params = {}
        self.content = ""

    def request(self, client, meter: QueryMeter) -> None:
        meter.reset()
        start = perf_counter()
        response = client.get(self.url)
        elapsed = perf_counter() - start
        check_response(response, self.url)
        self.content = response.content.decode("utf-8")
        self.times_ms.append(elapsed * 1000)
        self.query_counts.append(meter.count)
        self.sql_ms.append(meter.seconds * 1000)
        for position, (sql, params, seconds) in enumerate(meter.statements):
            self.statement_ms[(position, sql)].append(seconds * 1000)
            self.statement_params[(position, sql)] = params

    def slowest_statement(self) -> dict | None:
        key = max(self.statement_ms, key=lambda key: statistics.median(self.statement_ms[key]), default=None)
        if key is None:
            return None
        return {"sql": key[1], "params": self.statement_params[key], "median_ms": statistics.median(self.statement_ms[key])}

    def summary(self) -> dict:
        return {
            "url": self.url,
            "requests": len(self.times_ms),
            "median_ms": statistics.median(self.times_ms),
            "p90_ms": percentile(self.times_ms, 0.9),
            "mean_ms": statistics.fmean(self.times_ms),
            "queries": statistics.median(self.query_counts),
            "queries_max": max(self.query_counts),
            "sql_median_ms": statistics.median(self.sql_ms),
            "rows_shown": rendered_rows(self.page, self.content),
            "response_bytes": len(self.content.encode("utf-8")),
        }


def check_response(response, url: str) -> None:
    if response.status_code != 200:
        location = response.headers.get("Location", "")
        raise SystemExit(f"GET {url} returned {response.status_code} {location}, expected 200: the benchmark user is not signed in or the page failed.")


def profile_page(client, url: str, requests: int = PROFILED_REQUESTS) -> dict:
    """Profile requests to one page with cProfile and return the time and calls per request of PROFILE_FUNCTIONS.

    cProfile slows Python code down unevenly, so the shares of the profiled time are the useful numbers.
    """
    import cProfile
    import inspect
    import pstats

    from django.template.loader_tags import IncludeNode

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        check_response(client.get(url), url)
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    # loader_tags.py has several render methods: only IncludeNode's is wanted.
    include_line = inspect.getsourcelines(IncludeNode.render)[1]

    def matching(path_suffix: str, name: str) -> list[tuple[int, float]]:
        found = []
        for (path, line, function), (_primitive, calls, _own, cumulative, _callers) in stats.items():
            if not path.endswith(path_suffix) or function != name:
                continue
            if path_suffix.endswith("loader_tags.py") and line != include_line:
                continue
            found.append((calls, cumulative))
        return found

    functions = []
    for label, path_suffix, name in PROFILE_FUNCTIONS:
        found = matching(path_suffix, name)
        functions.append({
            "label": label,
            "ms_per_request": sum(cumulative for _, cumulative in found) * 1000 / requests,
            "calls_per_request": sum(calls for calls, _ in found) / requests,
        })
    client_seconds = sum(cumulative for _, cumulative in matching("django/test/client.py", "request"))
    return {"requests": requests, "profiled_ms_per_request": client_seconds * 1000 / requests, "functions": functions}


def explain(sql: str, params: tuple) -> list[str]:
    """Return the database's query plan for a statement, one line per plan row."""
    from django.db import connection

    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        rows = cursor.fetchall()
    if connection.vendor == "sqlite":
        return [str(row[-1]) for row in rows]
    return [str(row[0]) for row in rows]


def database_description() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]} (file)"
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"


def analyze_if_postgresql() -> None:
    """Refresh PostgreSQL's planner statistics, as autovacuum does on a live database after bulk inserts.

    SQLite gets no statistics, like a database where ANALYZE is never run.
    """
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(description="Measure server time per request for growing numbers of credentials.")
    parser.add_argument("--sizes", default="10,1000,10000", help="Comma-separated credential counts (default 10,1000,10000).")
    parser.add_argument("--requests", type=int, default=50, help="Timed requests per page and size (default 50).")
    parser.add_argument("--warmup", type=int, default=5, help="Untimed requests per page and size first (default 5).")
    parser.add_argument("--profile", action="store_true", help="Also profile each page at the largest size with cProfile.")
    parser.add_argument("--out", required=True, help="JSON file for the results.")
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from benchmarks.seed import create_user, fill_credentials

    try:
        from flows.views import TILES_PER_PAGE as tiles_per_page
    except ImportError:
        tiles_per_page = DEFAULT_TILES_PER_PAGE
    try:
        from credentials.views.manage import PAGE_SIZE as list_page_size
    except ImportError:
        list_page_size = DEFAULT_LIST_PAGE_SIZE

    call_command("migrate", verbosity=0)
    urls = page_urls()
    meter = QueryMeter()

    # One user per size, all in the same database, and requests taken in turns across sizes and
    # pages, so a busy moment on the machine slows every size alike instead of one.
    clients = {}
    for size in sizes:
        user = create_user(f"user-with-{size}")
        fill_credentials(user, size)
        clients[size] = Client(HTTP_HOST="127.0.0.1")
        clients[size].force_login(user)
    analyze_if_postgresql()
    database = database_description()
    print(f"  {database}: seeded users with {', '.join(str(size) for size in sizes)} credentials", flush=True)

    samples = {(size, page): PageSamples(page, urls[page]) for size in sizes for page, _ in PAGES}
    with connection.execute_wrapper(meter):
        for _ in range(args.warmup):
            for (size, _page), page_samples in samples.items():
                check_response(clients[size].get(page_samples.url), page_samples.url)
        for _ in range(args.requests):
            for (size, _page), page_samples in samples.items():
                page_samples.request(clients[size], meter)
    print(f"  {database}: measured {args.requests} requests per page and size", flush=True)

    results = {"database": database, "requests": args.requests, "warmup": args.warmup, "sizes": {}}
    for (size, page), page_samples in samples.items():
        results["sizes"].setdefault(str(size), {})[page] = page_samples.summary()

    expected = {"authenticate": tiles_per_page, "credentials": list_page_size}
    for size, pages in results["sizes"].items():
        for page, limit in expected.items():
            rows_shown = pages[page]["rows_shown"]
            if rows_shown != min(int(size), limit):
                print(f"  WARNING: {page} shows {rows_shown} credentials at {size}, expected {min(int(size), limit)}", flush=True)

    for page in ("authenticate", "credentials"):
        slowest = samples[(sizes[-1], page)].slowest_statement()
        if slowest is not None:
            slowest["plan"] = explain(slowest["sql"], slowest.pop("params"))
        results["sizes"][str(sizes[-1])][page]["slowest_statement"] = slowest

    if args.profile:
        pages = {page: profile_page(clients[sizes[-1]], urls[page]) for page in ("authenticate", "credentials")}
        results["profile"] = {"size": sizes[-1], "pages": pages}

    with open(args.out, "w", encoding="utf-8") as file:
        json.dump(results, file, indent=2)


if __name__ == "__main__":
    main()
