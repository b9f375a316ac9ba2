"""Turn the benchmark results into markdown: targets with met or not met, the measurements, the machine."""

import re

# Targets, checked against the measurements below.
MAX_GROWTH_10000_VS_10 = 1.5
MIN_THROUGHPUT_VS_MINIMAL = 0.5
MAX_WORKER_MEMORY_GROWTH = 0.10
MAX_ROTATION_VS_PLAIN = 3.0
# "Memory flat": resident memory may grow at most this much once the first tenth of the batches is done.
MAX_FLAT_GROWTH_MIB = 5.0

PAGE_TITLES = {
    "authenticate": "Authenticate screen",
    "credentials": "Credentials page",
    "minimal": "Minimal signed-in page",
}


def render(results: dict) -> str:
    targets, limits = evaluate(results)
    sections = [
        "# Benchmarks",
        "",
        "Written by `scripts/benchmark`, which sets everything up on this machine and runs it: throwaway "
        "databases, gunicorn and a fake OpenRouter on 127.0.0.1, wrk and Chromium. Run it again to refresh "
        "this page; `scripts/benchmark --help` lists the options for a shorter run.",
        "",
        options_line(results),
        "",
        "## Targets",
        "",
        table(["Target", "Measured", "Result"], targets) if targets else "No phase with a target was run.",
        "",
    ]
    if limits:
        sections += ["## What limits the missed targets", "", *limits, ""]
    if "server_time" in results:
        sections += server_time_section(results["server_time"])
        sections += profile_section(results["server_time"])
    if "load" in results:
        sections += load_section(results["load"])
    if "rotation" in results:
        sections += rotation_section(results["rotation"])
    if "browser" in results:
        sections += browser_section(results["browser"])
    sections += machine_section(results)
    sections += method_section()
    return "\n".join(sections).rstrip() + "\n"


def table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def ms(value: float) -> str:
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def count(value: int | float) -> str:
    return f"{int(value):,}"


def met(condition: bool) -> str:
    return "met" if condition else "**not met**"


def options_line(results: dict) -> str:
    options = results["options"]
    phases = options["phases"]
    parts = [f"phases {', '.join(phases)}"]
    if "server" in phases:
        parts.append(f"{options['requests']} timed requests per page and size")
    if "load" in phases:
        parts.append(f"wrk for {options['load_seconds']} s per page")
    if "rotation" in phases:
        parts.append(f"{count(options['rows'])} rows rotated")
    if "browser" in phases:
        parts.append(f"{options['browser_repeats']} repetitions in Chromium")
    parts.append(f"PostgreSQL {options['postgres']}")
    return f"Run options: {'; '.join(parts)}. The whole run took {results['elapsed_seconds'] / 60:.1f} minutes."


def evaluate(results: dict) -> tuple[list[list], list[str]]:
    """Return the targets table rows and, for each missed target, a paragraph of measured evidence."""
    rows, limits = [], []
    for database in results.get("server_time", []):
        sizes = sorted(database["sizes"], key=int)
        smallest, largest = sizes[0], sizes[-1]
        for page in ("authenticate", "credentials"):
            low = database["sizes"][smallest][page]
            high = database["sizes"][largest][page]
            ratio = high["median_ms"] / low["median_ms"]
            ok = ratio <= MAX_GROWTH_10000_VS_10
            rows.append([
                f"{PAGE_TITLES[page]}, {database['database']}: server time at {count(int(largest))} credentials "
                f"≤ {MAX_GROWTH_10000_VS_10}× the time at {count(int(smallest))}",
                f"{ms(high['median_ms'])} ms vs {ms(low['median_ms'])} ms = {ratio:.2f}×",
                met(ok),
            ])
            if not ok:
                limits.append(server_time_limit(database, page, sizes))

    load = results.get("load")
    if load:
        app, minimal = load["runs"]["authenticate"], load["runs"]["minimal"]
        share = app["requests_per_second"] / minimal["requests_per_second"]
        rows.append([
            f"Authenticate screen under wrk: throughput ≥ {MIN_THROUGHPUT_VS_MINIMAL:.0%} of the minimal page's",
            f"{app['requests_per_second']:.0f} vs {minimal['requests_per_second']:.0f} requests/s = {share:.0%}",
            met(share >= MIN_THROUGHPUT_VS_MINIMAL),
        ])
        if share < MIN_THROUGHPUT_VS_MINIMAL:
            limits.append(throughput_limit(results, load, share))
        for page, run in load["runs"].items():
            if run.get("request_limit_reached"):
                limits.append(
                    f"- **Request bound reached.** The {PAGE_TITLES[page]} run stopped sending at its bound on requests "
                    "before its time was up, so its requests per second understate the rate."
                )
        errors = app["errors"] + minimal["errors"]
        rows.append([
            "wrk runs: zero errors (non-2xx/3xx responses and socket errors)",
            f"{errors} ({app['non_2xx_3xx'] + minimal['non_2xx_3xx']} non-2xx/3xx, {app['socket_errors'] + minimal['socket_errors']} socket)",
            met(errors == 0),
        ])
        if errors:
            limits.append(
                f"- **Errors under load.** Authenticate screen: {app['non_2xx_3xx']} non-2xx/3xx responses and "
                f"{app['socket_errors']} socket errors; minimal page: {minimal['non_2xx_3xx']} and {minimal['socket_errors']}. "
                "The gunicorn log of the run holds the tracebacks (run with `--keep-temp` to keep it)."
            )
        growth = worker_memory_growth(load["memory"])
        worst = max(growth.values()) if growth else 0.0
        rows.append([
            f"gunicorn workers: resident memory grows < {MAX_WORKER_MEMORY_GROWTH:.0%} over both wrk runs",
            ", ".join(f"{value:+.1%}" for value in growth.values()) or "no worker lived through both runs",
            met(bool(growth) and worst < MAX_WORKER_MEMORY_GROWTH),
        ])
        if not growth or worst >= MAX_WORKER_MEMORY_GROWTH:
            limits.append(memory_limit(load["memory"]))

    for database in results.get("rotation", []):
        plain, rotation = database["plain"], database["rotation"]
        ratio = rotation["seconds"] / plain["seconds"]
        rows.append([
            f"Key rotation of {count(database['rows'])} rows, {database['database']}: ≤ {MAX_ROTATION_VS_PLAIN:.0f}× the time of a plain batched update",
            f"{rotation['seconds']:.1f} s vs {plain['seconds']:.1f} s = {ratio:.2f}×",
            met(ratio <= MAX_ROTATION_VS_PLAIN),
        ])
        if ratio > MAX_ROTATION_VS_PLAIN:
            limits.append(rotation_limit(database, ratio))
        flat = rotation["growth_after_first_tenth_mib"] <= MAX_FLAT_GROWTH_MIB
        rows.append([
            f"Key rotation, {database['database']}: memory flat (≤ {MAX_FLAT_GROWTH_MIB:.0f} MiB growth after the first tenth of the batches)",
            f"{rotation['growth_after_first_tenth_mib']:.1f} MiB; peak {rotation['peak_growth_mib']:+.1f} MiB over the start",
            met(flat),
        ])
        if not flat:
            limits.append(
                f"- **Rotation memory, {database['database']}.** Resident memory went from "
                f"{rotation['rss_after_first_tenth_mib']:.1f} MiB after the first tenth of {rotation['batches']} batches to a peak of "
                f"{rotation['rss_peak_mib']:.1f} MiB, so something is kept from batch to batch."
            )
    return rows, limits


def server_time_limit(database: dict, page: str, sizes: list[str]) -> str:
    smallest, largest = sizes[0], sizes[-1]
    low, high = database["sizes"][smallest][page], database["sizes"][largest][page]
    rest_low = low["median_ms"] - low["sql_median_ms"]
    rest_high = high["median_ms"] - high["sql_median_ms"]
    text = (
        f"- **{PAGE_TITLES[page]}, {database['database']}.** From {count(int(smallest))} to {count(int(largest))} credentials "
        f"the median grows by {high['median_ms'] - low['median_ms']:.1f} ms. Time inside SQL statements grows by "
        f"{high['sql_median_ms'] - low['sql_median_ms']:.1f} ms ({ms(low['sql_median_ms'])} → {ms(high['sql_median_ms'])} ms, "
        f"{low['queries']:.0f} → {high['queries']:.0f} statements). The rest, mostly template rendering, grows by "
        f"{rest_high - rest_low:.1f} ms ({ms(rest_low)} → {ms(rest_high)} ms), while the page shows "
        f"{low['rows_shown']} → {high['rows_shown']} credentials."
    )
    middle = [size for size in sizes if low["rows_shown"] < database["sizes"][size][page]["rows_shown"] == high["rows_shown"]]
    if middle and middle[0] != largest:
        same = database["sizes"][middle[0]][page]
        per_row = (same["median_ms"] - same["sql_median_ms"] - rest_low) / (same["rows_shown"] - low["rows_shown"])
        text += (
            f" Rendering costs about {per_row:.2f} ms per extra credential shown (non-SQL time at {count(int(middle[0]))} vs "
            f"{count(int(smallest))}). With the same {high['rows_shown']} credentials shown, {count(int(largest))} vs "
            f"{count(int(middle[0]))} credentials is {high['median_ms'] / same['median_ms']:.2f}×, the growth that the "
            "database's work adds."
        )
    slowest = high.get("slowest_statement")
    if slowest:
        plan = "; ".join(line.strip() for line in slowest.get("plan", []))
        text += (
            f" The slowest statement at {count(int(largest))} takes {ms(slowest['median_ms'])} ms: `{shorten_sql(slowest['sql'])}`, "
            f"with the plan `{plan}`."
        )
        if plan_sorts(slowest.get("plan", [])):
            # Checked on SQLite 3.40 and PostgreSQL 15: with such an index both plans read the first rows in order.
            text += (
                " The plan sorts, so the database reads and sorts every one of the user's rows to return one page. An "
                "index on the owner (and connector) followed by the sort columns, in the same directions and NULLS LAST, "
                "would let it read only the first page."
            )
    text += profile_highlights(database, page)
    return text


def plan_sorts(plan: list[str]) -> bool:
    """Tell whether a query plan sorts rows: SQLite's temporary B-tree or PostgreSQL's Sort node."""
    return any("TEMP B-TREE FOR ORDER BY" in line or line.strip().removeprefix("->").strip().startswith("Sort ") for line in plan)


def profile_highlights(database: dict, page: str) -> str:
    """Name the filters and tags that take at least 5% of a profiled request, if the page was profiled."""
    profile = (database.get("profile") or {}).get("pages", {}).get(page)
    if not profile:
        return ""
    total = profile["profiled_ms_per_request"]
    rendering = profile["functions"][0]["ms_per_request"] / total
    parts = [
        f"{entry['label']} {entry['ms_per_request'] / total:.0%} in {entry['calls_per_request']:.0f} calls"
        for entry in profile["functions"][1:]
        if entry["ms_per_request"] / total >= 0.05
    ]
    return (
        f" In the profile below, template rendering is {rendering:.0%} of a request; the largest parts are "
        + "; ".join(parts)
        + ". Rendering integers without localization (`|unlocalize` on ids), and fewer date, naturaltime and url "
        "calls per credential, would cut the part that grows with the credentials shown."
    )


def shorten_sql(sql: str) -> str:
    """Replace the column list of a SELECT with an ellipsis and drop the table-name qualifiers."""
    sql = re.sub(r"^SELECT .*? FROM ", "SELECT … FROM ", sql)
    return sql.replace('"credentials_credential".', "")


def worker_cpu_ms_per_request(run: dict) -> float:
    return run["worker_cpu_seconds"] * 1000 / max(run["requests"], 1)


def throughput_limit(results: dict, load: dict, share: float) -> str:
    app, minimal = load["runs"]["authenticate"], load["runs"]["minimal"]
    app_cpu, minimal_cpu = worker_cpu_ms_per_request(app), worker_cpu_ms_per_request(minimal)
    text = (
        f"- **Throughput.** Under wrk the Authenticate screen served {share:.0%} of the minimal page's requests per second "
        f"(p50 {ms(app['p50_ms'])} ms vs {ms(minimal['p50_ms'])} ms) with {count(load['credentials'])} credentials. "
        f"Each of its requests took {ms(app_cpu)} ms of worker CPU against {ms(minimal_cpu)} ms for the minimal page, so "
        f"with the CPU to themselves the workers could serve at most {minimal_cpu / app_cpu:.0%} of the minimal page's rate. "
        f"Everything other than the workers and wrk used {app['other_cpu_share']:.0%} of the machine's CPU during the "
        f"Authenticate run and {minimal['other_cpu_share']:.0%} during the minimal one."
    )
    for database in results.get("server_time", []):
        if database["database"].startswith("SQLite") and str(load["credentials"]) in database["sizes"]:
            pages = database["sizes"][str(load["credentials"])]
            text += (
                f" In process on {database['database']}, the same page takes {ms(pages['authenticate']['median_ms'])} ms "
                f"against {ms(pages['minimal']['median_ms'])} ms for the minimal page "
                f"({pages['authenticate']['median_ms'] / pages['minimal']['median_ms']:.1f}×), and only "
                f"{ms(pages['authenticate']['sql_median_ms'])} ms of it is SQL. The workers are CPU-bound on building the "
                "page, mostly on rendering its tiles, and wrk shares the same two cores."
            )
    return text


def worker_memory_growth(memory: dict) -> dict[str, float]:
    start, end = memory["start"], memory["end"]
    return {pid: end[pid] / start[pid] - 1 for pid in start if pid in end}


def memory_limit(memory: dict) -> str:
    start, end = memory["start"], memory["end"]
    if not set(start) & set(end):
        return (
            f"- **Worker memory.** No worker lived through both runs (pids {sorted(start)} at the start, {sorted(end)} at the "
            "end): gunicorn restarted them, which its log of the run explains."
        )
    details = ", ".join(f"worker {pid}: {start[pid]:.1f} → {end[pid]:.1f} MiB" for pid in start if pid in end)
    return f"- **Worker memory.** Resident memory per worker: {details}."


def rotation_limit(database: dict, ratio: float) -> str:
    rotation, plain, fernet = database["rotation"], database["plain"], database["fernet"]
    two_columns = database["plain_two_columns"]
    crypto_seconds = fernet["per_row_us"] * rotation["rows"] / 1e6
    return (
        f"- **Rotation, {database['database']}.** Rotating took {rotation['seconds']:.1f} s, {ratio:.2f}× the plain update's "
        f"{plain['seconds']:.1f} s. The same walk writing two plain columns, as the rotation writes `api_key` and "
        f"`encryption_key_id`, took {two_columns['seconds']:.1f} s: bulk_update builds a `CASE WHEN id = … THEN …` branch "
        f"per row and column, and that Python work grows with the number of columns. The read-only check pass that "
        f"rotate_keys runs first (decrypting every pending key before anything is written) took "
        f"{rotation['check_pass_seconds']:.1f} s when timed alone. Fernet itself (two decryptions that try the new key first "
        f"and one encryption, {fernet['per_row_us']:.0f} µs per row) accounts for about {crypto_seconds:.1f} s. Writing "
        "`encryption_key_id` with one `UPDATE … WHERE id IN (…)` per batch, or both columns with `executemany`, would "
        "leave one CASE column or none."
    )


def server_time_section(databases: list[dict]) -> list[str]:
    lines = [
        "## Server time per request",
        "",
        "In process, through Django's test client and the full middleware stack, signed in as one user per size who holds "
        "that many credentials. Requests take turns across sizes and pages, so a busy moment on the machine slows all of "
        "them alike. Median and p90 of the timed requests; SQL is the time inside `cursor.execute`; × minimal divides by "
        "the minimal page's median at the same size.",
        "",
    ]
    for database in databases:
        sizes = sorted(database["sizes"], key=int)
        rows = []
        for size in sizes:
            pages = database["sizes"][size]
            minimal = pages["minimal"]["median_ms"]
            for page, title in PAGE_TITLES.items():
                measurement = pages[page]
                rows.append([
                    title, count(int(size)), ms(measurement["median_ms"]), ms(measurement["p90_ms"]),
                    ms(measurement["sql_median_ms"]), f"{measurement['queries']:.0f}",
                    f"{measurement['median_ms'] / minimal:.1f}×",
                    "" if measurement["rows_shown"] is None else measurement["rows_shown"],
                ])
        lines += [
            f"### {database['database']}",
            "",
            table(["Page", "Credentials", "Median ms", "p90 ms", "SQL ms", "Queries", "× minimal", "Shown"], rows),
            "",
        ]
        ratio_rows = []
        for page in ("authenticate", "credentials", "minimal"):
            base = database["sizes"][sizes[0]][page]["median_ms"]
            ratio_rows.append(
                [PAGE_TITLES[page]] + [f"{database['sizes'][size][page]['median_ms'] / base:.2f}×" for size in sizes[1:]]
            )
        lines += [
            table(["Page"] + [f"{count(int(size))} vs {count(int(sizes[0]))}" for size in sizes[1:]], ratio_rows),
            "",
        ]
    return lines


def profile_section(databases: list[dict]) -> list[str]:
    lines = []
    for database in databases:
        profile = database.get("profile")
        if not profile:
            continue
        lines += [
            f"### Where the time goes: cProfile at {count(profile['size'])} credentials, {database['database']}",
            "",
            f"{profile['pages']['authenticate']['requests']} profiled requests per page. Each row is the cumulative time of "
            "the named function as a share of the whole request; rows overlap (filters run inside template rendering, "
            "and floatformat calls number_format), and cProfile slows code unevenly, so read shares, not milliseconds.",
            "",
        ]
        pages = profile["pages"]
        header = ["Function"] + [f"{PAGE_TITLES[page]}: share (calls)" for page in pages]
        rows = []
        for position, function in enumerate(pages["authenticate"]["functions"]):
            cells = [function["label"]]
            for page in pages.values():
                entry = page["functions"][position]
                share = entry["ms_per_request"] / page["profiled_ms_per_request"]
                cells.append(f"{share:.0%} ({entry['calls_per_request']:.0f})")
            rows.append(cells)
        lines += [table(header, rows), ""]
    return lines


def load_section(load: dict) -> list[str]:
    rows = []
    for page in ("authenticate", "minimal"):
        run = load["runs"][page]
        rows.append([
            PAGE_TITLES[page], f"{run['requests_per_second']:.0f}", count(run["requests"]), ms(run["p50_ms"]),
            ms(run["p99_ms"]), run["non_2xx_3xx"], run["socket_errors"],
            count(run["bytes_read"] / max(run["requests"], 1)), count(run["expected_bytes"]),
            ms(worker_cpu_ms_per_request(run)), f"{run['other_cpu_share']:.0%}",
        ])
    memory_rows = []
    for pid, start in load["memory"]["start"].items():
        after = load["memory"].get("after_authenticate", {}).get(pid)
        end = load["memory"]["end"].get(pid)
        memory_rows.append([
            pid, f"{start:.1f}", "gone" if after is None else f"{after:.1f}", "gone" if end is None else f"{end:.1f}",
            "" if end is None else f"{end / start - 1:+.1%}",
        ])
    return [
        f"## Load: gunicorn, {load['workers']} sync workers, {count(load['credentials'])} credentials",
        "",
        f"wrk with {load['threads']} threads and {load['connections']} connections for {load['seconds']} s per page, on "
        "127.0.0.1, after a 5-second warm-up of each page. Bytes per response is wrk's total divided by its requests, "
        "beside the size, headers included, of one 200 response checked before the run, so a run of redirects would "
        "stand out. Worker CPU is the user and system time of both workers during the run, divided by its requests. "
        "Other CPU use is the share of the machine's CPU time that neither the workers nor wrk used: other programs, "
        "gunicorn's master and the kernel.",
        "",
        table(
            ["Page", "Requests/s", "Requests", "p50 ms", "p99 ms", "Non-2xx/3xx", "Socket errors", "Bytes/response",
             "Bytes of the checked 200", "Worker CPU ms/request", "Other CPU use"],
            rows,
        ),
        "",
        "Resident memory (VmRSS) of each worker, in MiB:",
        "",
        table(["Worker pid", "Start", "After the Authenticate run", "End", "Growth"], memory_rows),
        "",
    ]


def rotation_section(databases: list[dict]) -> list[str]:
    rows = []
    for database in databases:
        passes = (
            ("plain", "plain bulk_update of `description`"),
            ("plain_two_columns", "plain bulk_update of `description` and `status_message`"),
            ("rotation", "rotate_keys"),
        )
        for name, title in passes:
            run = database[name]
            memory = [f"{run[key]:.1f}" if key in run else "" for key in ("rss_start_mib", "rss_peak_mib", "growth_after_first_tenth_mib")]
            rows.append([database["database"], title, count(run["rows"]), f"{run['seconds']:.1f}", count(run["rows_per_second"]), *memory])
    first = databases[0]
    notes = [
        f"Batches of {first['batch_size']} rows in primary-key order. Peak is VmHWM"
        + (" reset before each pass" if all(database["peak_from_vmhwm"] for database in databases) else " or the highest per-batch sample")
        + "; growth is the peak minus the resident memory after the first tenth of the batches.",
    ]
    for database in databases:
        rotation, fernet = database["rotation"], database["fernet"]
        notes.append(
            f"{database['database']}: the read-only check pass alone took {rotation['check_pass_seconds']:.1f} s. Fernet "
            f"takes {fernet['decrypt_with_second_key_us']:.0f} µs per decryption with the old key second and "
            f"{fernet['encrypt_us']:.0f} µs per encryption. After rotating, {rotation['not_rotated_after']} rows were left on "
            f"the old key, and a sampled row {'decrypts' if rotation['sample_decrypts'] else 'does NOT decrypt'} with the new one."
        )
    return [
        "## Key rotation",
        "",
        " ".join(notes[:1]),
        "",
        table(["Database", "Pass", "Rows", "Seconds", "Rows/s", "RSS start MiB", "RSS peak MiB", "Growth MiB"], rows),
        "",
        *[f"- {note}" for note in notes[1:]],
        "",
    ]


def browser_section(browser: dict) -> list[str]:
    rows = [
        ["Click Add Credential → first field focused in the open dialog", ms(browser["open_median_ms"]), ms(browser["open_max_ms"])],
        ["Click Save → new tile visible", ms(browser["save_median_ms"]), ms(browser["save_max_ms"])],
    ]
    lines = [
        "## Browser",
        "",
        f"Chromium through Playwright against the same gunicorn, {browser['repeats']} timed repetitions after 2 untimed "
        f"ones, each on a freshly loaded Authenticate screen of a user with {count(browser['credentials'])} credentials. "
        "Times come from the page's clock: from the click to the focus event, and from the click to the first animation "
        "frame after the tile is added. Saving includes the server's key check with the fake OpenRouter on 127.0.0.1.",
        "",
        table(["Interval", "Median ms", "Max ms"], rows),
        "",
    ]
    if browser["page_errors"]:
        lines += [f"Page errors: {'; '.join(browser['page_errors'])}", ""]
    return lines


def machine_section(results: dict) -> list[str]:
    machine = results["machine"]
    databases = sorted({database["database"] for phase in ("server_time", "rotation") for database in results.get(phase, [])})
    rows = [
        ["CPU", f"{machine['cpu']}, {machine['cores']} cores"],
        ["Memory", f"{machine['memory_gib']} GiB"],
        ["OS", machine["os"]],
        ["Python", machine["python"]],
        ["Django", machine["django"]],
        ["Databases", ", ".join(databases) or "none measured"],
        ["gunicorn", machine["gunicorn"]],
        ["wrk", machine["wrk"]],
        ["Chromium", machine["chromium"]],
        ["Playwright", machine["playwright"]],
        ["Revision", machine["revision"]],
        ["Date", machine["date"]],
        ["Load average (1 min) at start and end", f"{machine['load_average_start']:.2f}, {machine['load_average_end']:.2f}"],
    ]
    return ["## Machine", "", table(["", ""], rows), ""]


def method_section() -> list[str]:
    return [
        "## Method and caveats",
        "",
        "- Every step runs in production mode (`DJANGO_DEBUG=false`, secrets generated for the run, "
        "`DJANGO_ALLOWED_HOSTS=127.0.0.1`, `DJANGO_HTTPS=false`) with static files collected into a temporary "
        "`STATIC_ROOT`. Settings come from `benchmarks/settings.py`, which adds only the minimal page's URL.",
        "- Credentials are bulk-created with the ciphertext of one key encrypted through `set_api_key`. Half have "
        "never been used, so the default order (most recently used first) has NULLs to place.",
        "- In-process times leave out the network and, because the test client keeps its database connection, the "
        "connection that gunicorn opens per request on SQLite. PostgreSQL gets `ANALYZE` after seeding, as "
        "autovacuum would; SQLite gets none.",
        "- wrk, gunicorn and the database share the machine's cores, so requests per second are lower than on a "
        "server with its own machine; the ratio to the minimal page is the comparable number.",
        "- The machine is shared with other work while the benchmark runs, so expect a few percent of noise "
        "between runs and more in p90 and p99.",
        "",
    ]
