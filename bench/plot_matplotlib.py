"""Peer for BenchmarkPlotPNG (display/bench_test.go): matplotlib Agg drawing a
1,000-point line chart with legend and labels to a 1280x800 PNG.
Run: /usr/bin/python3 bench/plot_matplotlib.py (Debian python3-matplotlib)."""
import time, io, random, matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
random.seed(1)
xs = list(range(1000)); ys = [1/(1+i/50) + 0.05*random.random() for i in xs]
def one():
    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=200)
    ax.plot(xs, ys, label="train"); ax.legend(); ax.set_xlabel("step"); ax.set_ylabel("loss")
    buf = io.BytesIO(); fig.savefig(buf, format="png"); plt.close(fig)
one()
n = 20; t = time.process_time()
for _ in range(n): one()
print(f"matplotlib {matplotlib.__version__}: {1e3*(time.process_time()-t)/n:.1f} ms CPU per 1280x800 PNG")
