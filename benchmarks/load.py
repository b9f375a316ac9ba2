"""gunicorn under load from wrk, on 127.0.0.1 only, with the memory of each worker.

Every wrk run is bounded by its duration (``-d``), by a number of requests (wrk_limit.lua) and by a
timeout on the process that runs it.
"""

import re
import resource
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from benchmarks.system import child_pids, machine_cpu_seconds, process_cpu_seconds, read_status_kib

WORKERS = 2
CONNECTIONS = 32
THREADS = 2
WARMUP_SECONDS = 5
# A safety bound on the requests of one wrk run; 60 s against the minimal page sends about 40,000 here.
MAX_REQUESTS_PER_RUN = 1_000_000
LIMIT_SCRIPT = Path(__file__).with_name("wrk_limit.lua")
STARTUP_TIMEOUT_SECONDS = 60

UNITS_TO_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
SIZE_UNITS = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Gunicorn:
    """A gunicorn master with two sync workers serving benchmarks.wsgi on 127.0.0.1."""

    def __init__(self, python_bin: Path, repository: Path, port: int, env: dict, log_path: Path):
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        command = [
            str(python_bin.parent / "gunicorn"),
            "benchmarks.wsgi:application",
            "--bind", f"127.0.0.1:{port}",
            "--workers", str(WORKERS),
            "--chdir", str(repository),
            "--log-level", "warning",
        ]
        self.log = open(log_path, "w", encoding="utf-8")
        self.process = subprocess.Popen(command, cwd=repository, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with status {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/health/", timeout=2) as response:
                    if response.status == 200 and len(child_pids(self.process.pid)) == WORKERS:
                        return
            except (urllib.error.URLError, ConnectionError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not return 200 from /health/ within {STARTUP_TIMEOUT_SECONDS} s; see {self.log_path}")

    def worker_cpu_seconds(self) -> dict[int, float]:
        return {pid: process_cpu_seconds(pid) for pid in child_pids(self.process.pid)}

    def worker_rss_mib(self) -> dict[int, float]:
        return {pid: read_status_kib(pid, "VmRSS") / 1024 for pid in child_pids(self.process.pid)}

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


def fetch(url: str, cookie: str) -> tuple[int, int]:
    """GET a page once with the session cookie, without following redirects.

    Returns the status and the response's size with its status line and headers, comparable with
    the bytes that wrk counts per response.
    """
    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    try:
        with opener.open(request, timeout=10) as response:
            body = response.read()
            status_line = f"HTTP/1.1 {response.status} {response.reason}\r\n"
            headers = "".join(f"{name}: {value}\r\n" for name, value in response.headers.items())
            return response.status, len(status_line) + len(headers) + 2 + len(body)
    except urllib.error.HTTPError as error:
        return error.code, 0


def run_wrk(url: str, cookie: str, seconds: int, connections: int = CONNECTIONS, threads: int = THREADS) -> dict:
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s",
        "-H", f"Cookie: {cookie}", "-s", str(LIMIT_SCRIPT), url, "--", str(MAX_REQUESTS_PER_RUN // threads),
    ]
    # wrk stops itself after -d seconds; the extra minute only guards against a hung process.
    completed = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed with status {completed.returncode}: {completed.stderr.strip() or completed.stdout.strip()}")
    result = parse_wrk(completed.stdout)
    result["request_limit_reached"] = result["requests"] >= MAX_REQUESTS_PER_RUN - threads
    return result


def to_ms(value: str, unit: str) -> float:
    return float(value) * UNITS_TO_MS[unit]


def parse_wrk(output: str) -> dict:
    """Read requests per second, latency percentiles, errors and bytes from wrk 4's text report."""
    result = {"raw": output}
    for percent in ("50", "75", "90", "99"):
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE)
        result[f"p{percent}_ms"] = to_ms(*match.groups()) if match else None
    match = re.search(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m), ([\d.]+)(B|KB|MB|GB) read", output, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"Could not read wrk's report:\n{output}")
    result["requests"] = int(match.group(1))
    result["bytes_read"] = float(match.group(4)) * SIZE_UNITS[match.group(5)]
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    result["requests_per_second"] = float(match.group(1)) if match else 0.0
    match = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    result["socket_errors"] = sum(int(number) for number in match.groups()) if match else 0
    match = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    result["non_2xx_3xx"] = int(match.group(1)) if match else 0
    result["errors"] = result["socket_errors"] + result["non_2xx_3xx"]
    return result


def children_cpu_seconds() -> float:
    """Return the CPU time of this process's finished children, wrk runs included."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cpu_usage(server: Gunicorn, workers_before: dict, machine_before: tuple, wrk_before: float) -> dict:
    """Split the CPU time used during one wrk run into gunicorn's workers, wrk, and everything else.

    Worker CPU per request does not depend on what else the machine runs, unlike requests per second.
    """
    workers_after = server.worker_cpu_seconds()
    busy_after, total_after = machine_cpu_seconds()
    workers = sum(workers_after[pid] - workers_before[pid] for pid in workers_after if pid in workers_before)
    wrk = children_cpu_seconds() - wrk_before
    busy = busy_after - machine_before[0]
    total = total_after - machine_before[1]
    return {
        "worker_cpu_seconds": workers,
        "wrk_cpu_seconds": wrk,
        "machine_busy_share": busy / total if total else 0.0,
        "other_cpu_share": max(0.0, busy - workers - wrk) / total if total else 0.0,
    }


def run_load(server: Gunicorn, pages: dict[str, str], cookie: str, seconds: int, log) -> dict:
    """Warm both workers up, then load each page for ``seconds`` and record worker memory between runs."""
    checks = {}
    for name, path in pages.items():
        status, size = fetch(server.base_url + path, cookie)
        if status != 200:
            raise RuntimeError(f"GET {path} with the benchmark session returned {status}, expected 200")
        checks[name] = size
        run_wrk(server.base_url + path, cookie, WARMUP_SECONDS, connections=4)

    memory = {"start": server.worker_rss_mib()}
    runs = {}
    for name, path in pages.items():
        log(f"  wrk: {seconds} s at {CONNECTIONS} connections against {path}")
        workers_before = server.worker_cpu_seconds()
        machine_before = machine_cpu_seconds()
        wrk_before = children_cpu_seconds()
        runs[name] = run_wrk(server.base_url + path, cookie, seconds)
        runs[name].update(cpu_usage(server, workers_before, machine_before, wrk_before))
        runs[name]["expected_bytes"] = checks[name]
        memory[f"after_{name}"] = server.worker_rss_mib()
    memory["end"] = memory[f"after_{list(pages)[-1]}"]
    return {"runs": runs, "memory": memory, "seconds": seconds, "connections": CONNECTIONS, "threads": THREADS, "workers": WORKERS}
