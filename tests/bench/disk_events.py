#!/usr/bin/env python3
"""Acknowledgement latency as this disk alone allows it, beside checkpoint-like writes (run by hand).

Events arrive at RATE a second (Poisson). One thread commits like the event log: it takes every
event that arrived, appends 23 KB per event to a WAL-like ring file, fdatasyncs it and then counts
each event's latency from arrival. A second thread writes PAGES random 4 KB pages of a 256 MB
database-like file every second, as a checkpoint copies pages, in one of three ways:

  none   nothing (the syncs alone)
  burst  all at once, then fdatasync: how checkpoints wrote before 2026-12-03
  paced  at PACE pages a millisecond, each page's write-back started at once with
         sync_file_range(SYNC_FILE_RANGE_WRITE), then fdatasync: storage/wal_checkpointer now

Prints the events' latency percentiles and the share above 5 ms (the acknowledgement bar).

  python3 tests/bench/disk_events.py [SECONDS] [PAGES] [none|burst|paced] [PACE] [RATE]
  python3 tests/bench/disk_events.py 10 1700 burst
  python3 tests/bench/disk_events.py 10 1700 paced 8
"""
import ctypes
import os
import random
import sys
import threading
import time

seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 10
pages = int(sys.argv[2]) if len(sys.argv) > 2 else 1700
mode = sys.argv[3] if len(sys.argv) > 3 else "burst"
pace = float(sys.argv[4]) if len(sys.argv) > 4 else 8
rate = float(sys.argv[5]) if len(sys.argv) > 5 else 2000
if mode not in ("none", "burst", "paced"):
    sys.exit("mode: none, burst or paced")

folder = os.path.join("build", "bench-tmp", "disk")
os.makedirs(folder, exist_ok=True)
ring = 64 << 20
wal = os.open(os.path.join(folder, "wal"), os.O_RDWR | os.O_CREAT, 0o600)
if os.fstat(wal).st_size < ring:
    os.pwrite(wal, b"\0" * ring, 0)
    os.fdatasync(wal)
db_size = 256 << 20
db = os.open(os.path.join(folder, "db"), os.O_RDWR | os.O_CREAT, 0o600)
if os.fstat(db).st_size < db_size:
    for i in range(db_size >> 20):
        os.pwrite(db, b"\1" * (1 << 20), i << 20)
    os.fdatasync(db)

libc = ctypes.CDLL(None, use_errno=True)
sync_file_range = libc.sync_file_range
sync_file_range.argtypes = [ctypes.c_int, ctypes.c_longlong, ctypes.c_longlong, ctypes.c_uint]
SYNC_FILE_RANGE_WRITE = 2

cv = threading.Condition()
arrived = []
latencies = []
stop = False


def commits():
    offset = 0
    while True:
        with cv:
            while not arrived and not stop:
                cv.wait()
            if stop and not arrived:
                return
            group = arrived[:]
            del arrived[:]
        size = 23 * 1024 * len(group)
        os.pwrite(wal, b"x" * size, offset)
        offset = (offset + size) % (ring - (4 << 20))
        os.fdatasync(wal)
        done = time.perf_counter()
        with cv:
            latencies.extend(done - t for t in group)


def checkpoints():
    page = b"\2" * 4096
    while not stop:
        start = time.perf_counter()
        offsets = sorted(random.randrange(db_size >> 12) << 12 for _ in range(pages))
        for i, offset in enumerate(offsets):
            os.pwrite(db, page, offset)
            if mode == "paced":
                sync_file_range(db, offset, 4096, SYNC_FILE_RANGE_WRITE)
                wait = start + (i + 1) / pace / 1000 - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
        os.fdatasync(db)
        time.sleep(max(0.0, 1 - (time.perf_counter() - start)))


threads = [threading.Thread(target=commits)]
if mode != "none" and pages > 0:
    threads.append(threading.Thread(target=checkpoints))
for t in threads:
    t.start()
begin = time.perf_counter()
next_at = begin
while time.perf_counter() - begin < seconds:
    next_at += random.expovariate(rate)
    wait = next_at - time.perf_counter()
    if wait > 0:
        time.sleep(wait)
    with cv:
        arrived.append(time.perf_counter())
        cv.notify()
stop = True
with cv:
    cv.notify_all()
for t in threads:
    t.join()

latencies.sort()


def at(p):
    return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000


above = 100 * sum(x > 0.005 for x in latencies) / len(latencies)
print(f"{len(latencies)} events at {rate:.0f}/s, {pages} pages a second written {mode}"
      + (f" at {pace:g} a millisecond" if mode == "paced" else "")
      + f": p50 {at(50):.2f} ms, p90 {at(90):.2f}, p99 {at(99):.2f}, p99.9 {at(99.9):.2f}, "
      f"max {latencies[-1] * 1000:.1f}; {above:.2f} % above 5 ms")
