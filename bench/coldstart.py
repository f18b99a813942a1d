#!/usr/bin/python3
"""Cold starts through jupyter_client: seconds from KernelManager.start_kernel
to the first kernel_info_reply on a DEALER socket connected right after
start_kernel returns (as kernelbench.py does), N times.

    JUPYTER_PATH=... bench/coldstart.py KERNELSPEC [N]
"""
import statistics, sys, time

import zmq
from jupyter_client import KernelManager


def main():
    name, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 12
    samples = []
    for _ in range(n):
        km = KernelManager(kernel_name=name)
        t0 = time.perf_counter()
        km.start_kernel()
        info = km.get_connection_info()
        s = km.context.socket(zmq.DEALER)
        s.linger = 0
        s.connect(f"{info['transport']}://{info['ip']}:{info['shell_port']}")
        km.session.send(s, km.session.msg("kernel_info_request", {}))
        if not s.poll(30000):
            raise SystemExit(f"{name}: no kernel_info_reply in 30 s")
        s.recv_multipart()
        samples.append(time.perf_counter() - t0)
        s.close()
        km.shutdown_kernel(now=True)
    print(f"{name}: median {statistics.median(samples):.3f} s; all " + " ".join(f"{x:.3f}" for x in samples))


if __name__ == "__main__":
    main()
