#!/usr/bin/python3
"""CPU time the kernel process (and its children: godl's worker) spend per
request, measured from /proc while a jupyter_client-based client (the
shared kernelbench.py's Kernel class) sends trivial executes and completions.
Wall-clock latency on shared VMs is noisy; CPU per request is much less so.

    JUPYTER_PATH=... bench/cpu_per_request.py KERNELSPEC [N]

KERNELBENCH may name kernelbench.py (default ../shared/bench/kernelbench.py).
"""
import os, statistics, sys

import psutil

from kbclient import started


def cpu_seconds(pids):
    t = 0.0
    for pid in pids:
        f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        t += (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
    return t


def main():
    name, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    with started(name) as (k, code):
        for _ in range(50):
            k.execute(code["trivial"], 10)
        kernel = k.km.provisioner.pid
        children = [p.pid for p in psutil.Process(kernel).children(recursive=True)]
        rows = []
        for label, fn in (("trivial execute", lambda: k.execute(code["trivial"], 10).t_idle),
                          ("complete", lambda: k.complete(code["complete"][0], 10).t_reply)):
            c0, w0 = cpu_seconds([kernel]), cpu_seconds(children)
            lat = [fn() for _ in range(n)]
            c1, w1 = cpu_seconds([kernel]), cpu_seconds(children)
            rows.append((label, (c1 - c0) / n * 1e6, (w1 - w0) / n * 1e6, statistics.median(lat) * 1e6))
        print(f"{name}: {n} requests each; CPU µs per request (kernel process, its children), median latency µs")
        for label, c, w, m in rows:
            print(f"  {label:16s} kernel {c:6.0f}  children {w:6.0f}  latency {m:7.0f}")


if __name__ == "__main__":
    main()
