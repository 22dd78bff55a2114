"""`servers.stop` leaves nothing behind: what a killed worker's task started (a scrape's Chromium) is killed too."""

import subprocess
import sys
import time

from shopthelook.servers import descendants, stop

# A parent that ignores SIGTERM (as a worker busy with a long task does) and starts, from a thread other
# than its main one (as Selenium starts Chromium), a grandchild that would outlive it.
SLEEPER = "import time; time.sleep(60)"
CHILD = f"import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', {SLEEPER!r}]); time.sleep(60)"
PARENT = f"""
import signal, subprocess, sys, threading, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
def start():
    child = subprocess.Popen([sys.executable, "-c", {CHILD!r}])
    print(child.pid, flush=True)
threading.Thread(target=start).start()
time.sleep(60)
"""


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is dead, only not yet reaped
    except FileNotFoundError:
        return False


def test_a_process_killed_after_the_timeout_takes_its_grandchildren_with_it():
    proc = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True)
    child = int(proc.stdout.readline())
    deadline = time.monotonic() + 10
    while len(descendants(proc.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    below = descendants(proc.pid)
    assert child in below and len(below) == 2  # the thread's child and its own child
    # when
    stop(proc, timeout=0.5)
    # then
    assert proc.returncode is not None
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in below) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in below)
