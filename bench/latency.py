#!/usr/bin/python3
"""Request latencies with kernelbench.py's client (its Kernel class), for
quick A/B comparisons of builds: medians and 10th percentiles of
kernel_info, trivial execute (reply and iopub idle) and complete_request:
the same request again (answered by the kernel front from the candidates
it keeps) and at a new place each time (answered by the worker).

    JUPYTER_PATH=... bench/latency.py KERNELSPEC [N]

KERNELBENCH may name kernelbench.py (default ../shared/bench/kernelbench.py).
"""
import statistics, sys

from kbclient import started


def main():
    name, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 300
    with started(name) as (k, code):

        def kernel_info():
            msg_id, t0 = k.send("kernel_info_request", {})
            return k.wait(msg_id, t0, t0 + 10, idle=False).t_reply

        fresh = iter(range(10**9))

        def complete_new_place():
            # Different text before the name: the front has no candidates.
            c = f"v{next(fresh)} = 1\n" + code["complete"][0]
            return k.complete(c, 10).t_reply

        probes = [
            ("kernel_info reply", kernel_info),
            ("execute reply", lambda: k.execute(code["trivial"], 10).t_reply),
            ("execute idle", lambda: k.execute(code["trivial"], 10).t_idle),
            ("complete reply", lambda: k.complete(code["complete"][0], 10).t_reply),
            ("complete new place", complete_new_place),
        ]
        for _, fn in probes:
            for _ in range(20):
                fn()
        for label, fn in probes:
            xs = sorted(fn() for _ in range(n))
            print(f"{name} {label:18s} median {statistics.median(xs) * 1e3:.3f} ms  p10 {xs[len(xs) // 10] * 1e3:.3f} ms")


if __name__ == "__main__":
    main()
