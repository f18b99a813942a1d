"""Shared by bench/latency.py and bench/cpu_per_request.py: kernelbench.py's
client (its Kernel class) on a started kernel that ran its setup cell.

KERNELBENCH may name kernelbench.py (default ../shared/bench/kernelbench.py).
"""
import contextlib, os, sys, tempfile

here = os.path.dirname(os.path.abspath(__file__))
kb_path = os.environ.get("KERNELBENCH", os.path.join(here, "..", "..", "shared", "bench", "kernelbench.py"))
sys.path.insert(0, os.path.dirname(os.path.abspath(kb_path)))
import kernelbench as kb  # noqa: E402


@contextlib.contextmanager
def started(name):
    """Yield (kernel, snippets) for kernelspec name, stopped afterwards."""
    k = kb.Kernel(name, tempfile.mkdtemp())
    try:
        k.start()
        k.sync_iopub()
        code = kb.snippets_for(k.info)
        k.execute(code["setup"], 60)
        yield k, code
    finally:
        k.stop()
