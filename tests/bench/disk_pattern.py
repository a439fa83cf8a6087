#!/usr/bin/env python3
"""The disk under the event path's write pattern, without the server (run by hand, never by ctest).

A WAL-like file is overwritten in a 64 MB ring at a fixed rate of appends (default 2,000 a second
of 46 KB, about what the WAL gets at 2,000 events/s), each followed by fdatasync: the syncs the
acknowledgements wait for. With PAGES > 0 a second thread writes PAGES random 4 KB pages into a
256 MB file every PERIOD seconds and syncs it, as WAL checkpoints do. Prints the sync latencies.

  python3 tests/bench/disk_pattern.py [SECONDS] [PAGES] [PERIOD] [APPEND_BYTES] [RATE]
  python3 tests/bench/disk_pattern.py 15 0        # the WAL-like stream alone
  python3 tests/bench/disk_pattern.py 15 5000 1   # beside 20 MB of random pages a second
"""
import os
import random
import sys
import threading
import time

seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 15
pages = int(sys.argv[2]) if len(sys.argv) > 2 else 0
period = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
size = int(sys.argv[4]) if len(sys.argv) > 4 else 46 * 1024
rate = float(sys.argv[5]) if len(sys.argv) > 5 else 2000

folder = os.path.join("build", "bench-tmp", "disk")
os.makedirs(folder, exist_ok=True)
ring = 64 * 1024 * 1024
wal = os.open(os.path.join(folder, "wal"), os.O_RDWR | os.O_CREAT, 0o600)
os.pwrite(wal, b"\0" * ring, 0)
os.fdatasync(wal)
db_size = 256 * 1024 * 1024
db = os.open(os.path.join(folder, "db"), os.O_RDWR | os.O_CREAT, 0o600)
if os.fstat(db).st_size < db_size:
    block = b"\1" * (1 << 20)
    for i in range(db_size >> 20):
        os.pwrite(db, block, i << 20)
    os.fdatasync(db)

stop = False


def checkpointer():
    page = b"\2" * 4096
    while not stop:
        started = time.monotonic()
        for _ in range(pages):
            os.pwrite(db, page, random.randrange(db_size // 4096) * 4096)
        os.fdatasync(db)
        time.sleep(max(0.0, period - (time.monotonic() - started)))


if pages > 0:
    threading.Thread(target=checkpointer, daemon=True).start()

data = os.urandom(size)
offset = 0
latencies = []
t0 = time.monotonic()
n = 0
while time.monotonic() - t0 < seconds:
    due = t0 + n / rate
    now = time.monotonic()
    if now < due:
        time.sleep(due - now)
    s = time.monotonic()
    os.pwrite(wal, data, offset)
    os.fdatasync(wal)
    latencies.append((time.monotonic() - s) * 1000)
    offset = (offset + size) % (ring - size)
    n += 1
stop = True

latencies.sort()


def q(p):
    return latencies[min(len(latencies) - 1, int(p * len(latencies)))]


slow = sum(x > 2.5 for x in latencies) / len(latencies) * 100
print(f"{len(latencies)} syncs of {size} bytes ({len(latencies) / seconds:.0f}/s), random pages {pages} every {period} s: "
      f"p50 {q(.5):.2f} ms, p90 {q(.9):.2f}, p99 {q(.99):.2f}, p99.9 {q(.999):.2f}, max {latencies[-1]:.2f}; "
      f"{slow:.2f} % above 2.5 ms")
