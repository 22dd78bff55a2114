"""A process's memory as Linux counts it: resident, or proportional (each shared page split between its sharers)."""

from __future__ import annotations

from pathlib import Path


def rss_mb(pid: int, children: bool = True) -> float:
    """Resident memory of a process and (by default) its children, such as a worker's pool, in MB: pages a
    pool child shares with the parent it forked from count twice."""
    return _summed(pid, children, "status", "VmRSS:")


def pss_mb(pid: int, children: bool = True) -> float:
    """The same with each shared page split between the processes sharing it (Linux's proportional set
    size): the memory the processes take from the machine."""
    return _summed(pid, children, "smaps_rollup", "Pss:")


def _summed(pid: int, children: bool, file: str, field: str) -> float:
    pids = [pid]
    if children:  # imported only then: the blog's pipeline measures itself with this and must not load Redis
        from shopthelook.servers import child_pids

        pids += child_pids(pid)
    total = 0
    for p in pids:
        for line in Path(f"/proc/{p}/{file}").read_text().splitlines():
            if line.startswith(field):
                total += int(line.split()[1])
    return total / 1024
