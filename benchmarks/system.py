"""Linux process and machine facts for the benchmarks: memory from /proc, free ports, versions."""

import os
import platform
import re
import shutil
import socket
import subprocess
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path


def read_status_kib(pid: int | str, field: str) -> int:
    """Return a memory field of /proc/<pid>/status, such as VmRSS or VmHWM, in KiB."""
    text = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    match = re.search(rf"^{field}:\s+(\d+) kB$", text, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"/proc/{pid}/status has no {field} line")
    return int(match.group(1))


def reset_peak_rss() -> bool:
    """Reset this process's VmHWM to its current VmRSS (Linux 4.0 or newer); return whether it worked."""
    try:
        Path("/proc/self/clear_refs").write_text("5", encoding="ascii")
    except OSError:
        return False
    return True


def process_cpu_seconds(pid: int) -> float:
    """Return the user plus system CPU time a process has used, from /proc/<pid>/stat."""
    stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    # The command name in brackets may contain spaces, so fields are counted after its closing bracket.
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu_seconds() -> tuple[float, float]:
    """Return the busy and total CPU seconds of all cores since boot, from the first line of /proc/stat."""
    values = [int(value) for value in Path("/proc/stat").read_text(encoding="ascii").splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    # guest and guest_nice (the last two) are already counted in user and nice.
    total = sum(values[:8])
    return (total - idle) / os.sysconf("SC_CLK_TCK"), total / os.sysconf("SC_CLK_TCK")


def child_pids(pid: int) -> list[int]:
    """Return the ids of a process's direct children, from /proc/<pid>/task/*/children."""
    children = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += [int(child) for child in (task / "children").read_text(encoding="ascii").split()]
    return sorted(children)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free now; another program could take it before use."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def memory_gib() -> float:
    return read_status_kib_from_meminfo("MemTotal") / 1024 / 1024


def read_status_kib_from_meminfo(field: str) -> int:
    match = re.search(rf"^{field}:\s+(\d+) kB$", Path("/proc/meminfo").read_text(encoding="ascii"), re.MULTILINE)
    return int(match.group(1)) if match else 0


def command_version(command: list[str]) -> str:
    """Return the first line a program prints for its version, or 'not installed'."""
    if shutil.which(command[0]) is None:
        return "not installed"
    completed = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    lines = (completed.stdout or completed.stderr).strip().splitlines()
    return lines[0].strip() if lines else "unknown"


def package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def git_revision(repository: Path) -> str:
    completed = subprocess.run(
        ["git", "-C", str(repository), "describe", "--always", "--dirty"], capture_output=True, text=True, check=False
    )
    return completed.stdout.strip() or "unknown"


def machine_info(repository: Path, chromium: str) -> dict:
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": round(memory_gib(), 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": package_version("Django"),
        "gunicorn": package_version("gunicorn"),
        "playwright": package_version("playwright"),
        "wrk": command_version(["wrk", "--version"]),
        "chromium": command_version([chromium, "--version"]),
        "revision": git_revision(repository),
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }
