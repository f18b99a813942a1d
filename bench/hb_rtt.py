#!/usr/bin/python3
"""Heartbeat round trip of a kernel: the floor of any request's latency.

    JUPYTER_PATH=... /usr/bin/python3 bench/hb_rtt.py KERNEL [KERNEL2 ...]

Starts each kernelspec with jupyter_client, sends b"ping" on its heartbeat
socket 500 times (after 50 untimed) and prints the median and p10 round
trip. ipykernel echoes from a libzmq device thread; godl from a goroutine.
"""
import statistics
import sys
import time

import zmq
from jupyter_client import KernelManager


def rtt(name):
    km = KernelManager(kernel_name=name)
    km.start_kernel()
    try:
        info = km.get_connection_info()
        s = zmq.Context.instance().socket(zmq.REQ)
        s.linger = 0
        s.connect(f"{info['transport']}://{info['ip']}:{info['hb_port']}")
        for _ in range(50):
            s.send(b"ping")
            s.recv()
        r = []
        for _ in range(500):
            t = time.perf_counter()
            s.send(b"ping")
            s.recv()
            r.append((time.perf_counter() - t) * 1e6)
        s.close()
        r.sort()
        return statistics.median(r), r[len(r) // 10]
    finally:
        km.shutdown_kernel(now=True)


if __name__ == "__main__":
    for name in sys.argv[1:]:
        med, p10 = rtt(name)
        print(f"{name}: heartbeat round trip median {med:.0f} µs, p10 {p10:.0f} µs")
