"""Run every benchmark, print the results as markdown and write them to docs/benchmarks.md.

Everything runs on this machine: throwaway SQLite files in a temporary folder, optionally a
throwaway PostgreSQL database named nexlacreds_bench, gunicorn and the fake OpenRouter on
127.0.0.1, and wrk and Chromium aimed at them. Progress goes to stderr and the markdown to stdout.
"""

import argparse
import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from benchmarks import load, report
from benchmarks.system import free_port, machine_info

REPOSITORY = Path(__file__).resolve().parent.parent
POSTGRES_DATABASE = "nexlacreds_bench"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
PHASES = ("server", "load", "browser", "rotation")
LOAD_CREDENTIALS = 1000
MAX_LOAD_SECONDS = 600
AUTHENTICATE_PATH = "/sources/new/openrouter/"
MINIMAL_PATH = "/benchmark/minimal/"
# Upper bounds on each step, so a hung step cannot keep the run going.
STEP_TIMEOUT_SECONDS = {"collectstatic": 300, "server": 900, "seed": 300, "browser": 600, "rotation": 1800}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--load-seconds", type=int, default=60, help=f"Duration of each wrk run in seconds, at most {MAX_LOAD_SECONDS} (default 60).")
    parser.add_argument("--rows", type=int, default=100_000, help="Stored credentials to rotate (default 100000).")
    parser.add_argument("--requests", type=int, default=50, help="Timed in-process requests per page and size (default 50).")
    parser.add_argument("--sizes", default="10,1000,10000", help="Credential counts for server time (default 10,1000,10000).")
    parser.add_argument("--browser-repeats", type=int, default=10, help="Timed repetitions in Chromium (default 10).")
    parser.add_argument("--phases", default=",".join(PHASES), help=f"Comma-separated phases to run (default {','.join(PHASES)}).")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCHMARK_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="PostgreSQL server on this machine, used to create and drop the nexlacreds_bench database "
        "(default postgres://postgres@127.0.0.1:5432/postgres, or BENCHMARK_POSTGRES_URL).",
    )
    parser.add_argument("--no-postgres", action="store_true", help="Run on SQLite only.")
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"), help="Chromium executable.")
    parser.add_argument("--output", default=str(REPOSITORY / "docs" / "benchmarks.md"), help="Markdown file to write (default docs/benchmarks.md).")
    parser.add_argument("--keep-temp", action="store_true", help="Keep the temporary folder with databases and logs.")
    args = parser.parse_args(argv)

    args.phases = [phase.strip() for phase in args.phases.split(",") if phase.strip()]
    unknown = set(args.phases) - set(PHASES)
    if unknown:
        parser.error(f"unknown phase {', '.join(sorted(unknown))}; choose from {', '.join(PHASES)}")

    # Checked before anything connects: the benchmark talks only to servers on this machine.
    postgres_host = urlsplit(args.postgres_url).hostname
    if not args.no_postgres and postgres_host not in LOOPBACK_HOSTS:
        parser.error(f"--postgres-url must point at this machine (127.0.0.1, localhost or ::1), not {postgres_host!r}")

    if args.load_seconds > MAX_LOAD_SECONDS:
        parser.error(f"--load-seconds must be at most {MAX_LOAD_SECONDS}")
    if args.load_seconds < 1 or args.rows < 1 or args.requests < 1 or args.browser_repeats < 1:
        parser.error("--load-seconds, --rows, --requests and --browser-repeats must be at least 1")
    return args


class Runner:
    """Starts the benchmark's own processes with a production-like environment and stops them."""

    def __init__(self, work: Path):
        self.work = work
        self.python = REPOSITORY / ".venv" / "bin" / "python"
        if not self.python.exists():
            self.python = Path(sys.executable)
        self.env = production_environment(work)

    def env_with(self, **overrides) -> dict:
        return {**self.env, **overrides}

    def run_module(self, step: str, module: str, arguments: list[str], env: dict) -> None:
        """Run ``python -m module`` to completion; progress goes to stderr, errors name the log file."""
        log_path = self.work / f"{step}.log"
        with open(log_path, "w", encoding="utf-8") as log_file:
            completed = subprocess.run(
                [str(self.python), "-m", module, *arguments],
                cwd=REPOSITORY,
                env=env,
                stdout=sys.stderr,
                stderr=log_file,
                timeout=STEP_TIMEOUT_SECONDS[step.split("-")[0]],
                check=False,
            )
        if completed.returncode != 0:
            tail = log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
            raise RuntimeError(f"{module} failed with status {completed.returncode}. End of {log_path}:\n{tail}")

    def json_step(self, step: str, module: str, arguments: list[str], env: dict) -> dict:
        out = self.work / f"{step}.json"
        self.run_module(step, module, [*arguments, "--out", str(out)], env)
        return json.loads(out.read_text(encoding="utf-8"))


def production_environment(work: Path) -> dict:
    """Return the environment for every step: production mode with secrets generated for this run."""
    from cryptography.fernet import Fernet
    from django.core.management.utils import get_random_secret_key

    env = {name: value for name, value in os.environ.items() if not name.endswith("_FILE")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": get_random_secret_key() + secrets.token_urlsafe(16),
            "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "CREDENTIAL_FINGERPRINT_KEY": secrets.token_urlsafe(48),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_HTTPS": "false",
            "BENCHMARK_STATIC_ROOT": str(work / "static"),
            "PYTHONPATH": str(REPOSITORY),
        }
    )
    env.pop("DATABASE_URL", None)
    # Steps without the fake OpenRouter get a closed port on this machine, so a stray call fails here
    # instead of leaving the machine. The served step overrides it with the fake's URL.
    env["OPENROUTER_BASE_URL"] = "http://127.0.0.1:9/api/v1"
    return env


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


@contextlib.contextmanager
def postgres_database(admin_url: str):
    """Create the nexlacreds_bench database, yield its URL, and drop it afterwards."""
    import psycopg

    parts = urlsplit(admin_url)
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {POSTGRES_DATABASE}")
    try:
        yield urlunsplit(parts._replace(path=f"/{POSTGRES_DATABASE}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DATABASE} WITH (FORCE)")


def postgres_reachable(admin_url: str) -> str | None:
    """Return why PostgreSQL cannot be used, or None when a connection to it succeeds."""
    try:
        import psycopg

        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as connection:
            connection.execute("SELECT 1")
    except Exception as error:  # noqa: BLE001: any failure means "run on SQLite only", and the reason is reported.
        return f"{type(error).__name__}: {str(error).strip().splitlines()[0] if str(error).strip() else ''}"
    return None


def for_each_database(runner: Runner, args, name: str, measure) -> list[dict]:
    """Call ``measure(label, url)`` on a new SQLite file and, when enabled and reachable, a new PostgreSQL database."""
    results = [measure("sqlite", sqlite_url(runner.work / f"{name}.sqlite3"))]
    if args.postgres_skip_reason is None:
        with postgres_database(args.postgres_url) as url:
            results.append(measure("postgresql", url))
    return results


def run_server_time(runner: Runner, args) -> list[dict]:
    def measure(label: str, url: str) -> dict:
        log(f"Server time per request on {label}")
        arguments = ["--sizes", args.sizes, "--requests", str(args.requests)]
        if label == "sqlite":
            # Rendering costs the same on either database, so one profile is enough.
            arguments.append("--profile")
        return runner.json_step(f"server-{label}", "benchmarks.server_time", arguments, runner.env_with(DATABASE_URL=url))

    return for_each_database(runner, args, "server-time", measure)


def run_rotation(runner: Runner, args) -> list[dict]:
    def measure(label: str, url: str) -> dict:
        log(f"Key rotation of {args.rows} credentials on {label}")
        arguments = ["--rows", str(args.rows)]
        return runner.json_step(f"rotation-{label}", "benchmarks.rotation", arguments, runner.env_with(DATABASE_URL=url))

    return for_each_database(runner, args, "rotation", measure)


@contextlib.contextmanager
def fake_openrouter(runner: Runner):
    """Start tests/fake_openrouter.py on a free port of 127.0.0.1 and yield its base URL."""
    port = free_port()
    log_file = open(runner.work / "fake-openrouter.log", "w", encoding="utf-8")
    process = subprocess.Popen(
        [str(runner.python), "-m", "tests.fake_openrouter", "--port", str(port)],
        cwd=REPOSITORY,
        env=runner.env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}/api/v1"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log_file.close()


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"The fake OpenRouter exited with status {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"The fake OpenRouter did not listen on 127.0.0.1:{port} within {timeout} s")


def run_served(runner: Runner, args) -> dict:
    """Seed 1,000 credentials, then serve them with gunicorn for the wrk runs and for Chromium."""
    database = runner.env_with(DATABASE_URL=sqlite_url(runner.work / "served.sqlite3"))
    session = runner.json_step("seed", "benchmarks.seed", ["--credentials", str(LOAD_CREDENTIALS)], database)
    cookie = f"{session['cookie_name']}={session['cookie_value']}"
    results = {}
    with fake_openrouter(runner) as openrouter_url:
        server = load.Gunicorn(runner.python, REPOSITORY, free_port(), {**database, "OPENROUTER_BASE_URL": openrouter_url}, runner.work / "gunicorn.log")
        try:
            server.wait_until_ready()
            if "load" in args.phases:
                log(f"Load: gunicorn with {load.WORKERS} workers on {server.base_url}")
                pages = {"authenticate": AUTHENTICATE_PATH, "minimal": MINIMAL_PATH}
                results["load"] = load.run_load(server, pages, cookie, args.load_seconds, log)
                results["load"]["credentials"] = LOAD_CREDENTIALS
            if "browser" in args.phases:
                log(f"Browser: {args.browser_repeats} repetitions in Chromium against {server.base_url}")
                arguments = [
                    "--base-url", server.base_url,
                    "--cookie-name", session["cookie_name"],
                    "--cookie-value", session["cookie_value"],
                    "--repeats", str(args.browser_repeats),
                    "--chromium", args.chromium,
                ]
                results["browser"] = runner.json_step("browser", "benchmarks.browser", arguments, runner.env)
                results["browser"]["credentials"] = LOAD_CREDENTIALS
        finally:
            server.stop()
    return results


def collect_static(runner: Runner) -> None:
    log("Collecting static files into the temporary STATIC_ROOT")
    runner.run_module("collectstatic", "django", ["collectstatic", "--no-input", "--verbosity", "0"], runner.env)


def main(argv=None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    machine = machine_info(REPOSITORY, args.chromium)
    machine["load_average_start"] = os.getloadavg()[0]
    if machine["load_average_start"] > 0.5:
        log(f"Note: the 1-minute load average is {machine['load_average_start']:.2f}; other work on the machine adds noise.")
    args.postgres_skip_reason = "disabled with --no-postgres" if args.no_postgres else postgres_reachable(args.postgres_url)
    if args.postgres_skip_reason:
        log(f"PostgreSQL skipped: {args.postgres_skip_reason}")

    work = Path(tempfile.mkdtemp(prefix="nexlacreds-bench-"))
    runner = Runner(work)
    results = {"options": options_summary(args), "machine": machine}
    try:
        collect_static(runner)
        if "server" in args.phases:
            results["server_time"] = run_server_time(runner, args)
        if "load" in args.phases or "browser" in args.phases:
            results.update(run_served(runner, args))
        if "rotation" in args.phases:
            results["rotation"] = run_rotation(runner, args)
    except Exception:
        log(f"Benchmark failed; logs are kept in {work}")
        raise
    else:
        if not args.keep_temp:
            shutil.rmtree(work, ignore_errors=True)
        else:
            log(f"Temporary files kept in {work}")

    results["elapsed_seconds"] = time.monotonic() - started
    machine["load_average_end"] = os.getloadavg()[0]
    markdown = report.render(results)
    print(markdown)
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(markdown, encoding="utf-8")
    log(f"Wrote {output} after {results['elapsed_seconds'] / 60:.1f} minutes")
    return 0


def options_summary(args) -> dict:
    return {
        "load_seconds": args.load_seconds,
        "rows": args.rows,
        "requests": args.requests,
        "sizes": [int(size) for size in args.sizes.split(",")],
        "browser_repeats": args.browser_repeats,
        "phases": args.phases,
        "postgres": "not used: " + args.postgres_skip_reason if args.postgres_skip_reason else "used",
    }


if __name__ == "__main__":
    sys.exit(main())
