"""Many people at once: concurrent sessions against one `streamlit run` server on loopback (prints figures).

    python bench/load.py [--sessions 20] [--reruns 500]

Clients speak Streamlit's own websocket protocol (BackMsg/ForwardMsg protobufs, as the browser does). Each
client opens /Descent with its own settings, then twice more with one setting changed (a new session from the
changed link: a rerun's query string only seeds widgets that have no state yet, so a changed link is the honest
way to change a setting without replaying the browser's widget ids), and reads the summary numbers the page
sends back. Every session's end point is
compared with core.run.run for that session's settings, computed in this process: no cross-talk through
caches or torch state. Reported: median and 95th percentile from the changed setting to the finished rerun;
the server's resident memory over many reruns of one session; both with torch at 1 thread and at its default.
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import websockets  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from core.run import make_config, run  # noqa: E402
from tests.browser import streamlit_server  # noqa: E402

OPTS = (("adam", 0.01), ("sgd", 0.001), ("rmsprop", 0.01), ("adagrad", 0.5), ("nadam", 0.01))


def settings(i: int, round_: int) -> tuple[str, dict]:
    """Session i's query string for its round-th rerun, and the same settings for core."""
    opt, lr = OPTS[i % len(OPTS)]
    x0, y0 = round(-4 + 0.4 * i, 1), round(1.5 - 0.1 * round_, 1)
    query = f"opt={opt}&lr={lr}&x0={x0}&y0={y0}&steps=1000"
    return query, {"optimizer": opt, "hypers": {"lr": lr}, "starts": [(x0, y0)], "steps": 1000}


def expected_end(cfg: dict) -> str:
    traj = run(make_config(cfg["hypers"], optimizer=cfg["optimizer"], starts=cfg["starts"], steps=cfg["steps"]))
    (x, y), _ = traj.final()
    return f"({x:.5f}, {y:.5f})"


async def rerun(ws, query: str) -> tuple[float, dict[str, str]]:
    """Send one rerun and wait for script_finished; the seconds it took and the metrics the page showed."""
    msg = BackMsg()
    msg.rerun_script.query_string = query
    msg.rerun_script.page_name = "Descent"
    started = time.perf_counter()
    await ws.send(msg.SerializeToString())
    metrics = {}
    while True:
        fm = ForwardMsg()
        fm.ParseFromString(await ws.recv())
        kind = fm.WhichOneof("type")
        if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
            el = fm.delta.new_element
            if el.WhichOneof("type") == "metric":
                metrics.setdefault(el.metric.label, el.metric.body)
        elif kind == "script_finished":
            return time.perf_counter() - started, metrics


async def session(url: str, i: int, rounds: int, times: list, wrong: list) -> None:
    for r in range(rounds):
        query, cfg = settings(i, r)
        async with websockets.connect(url, subprotocols=["streamlit"], max_size=None) as ws:
            seconds, metrics = await rerun(ws, query)
        if r:  # the first load is not a changed setting
            times.append(seconds)
        if metrics.get("end point") != expected_end(cfg):
            wrong.append((i, r, metrics.get("end point"), expected_end(cfg)))


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def soak(url: str, pid: int, reruns: int) -> tuple[float, float, float]:
    """One session, many reruns over a few settings (so caches are warm): RSS after warm-up and at the end."""
    async with websockets.connect(url, subprotocols=["streamlit"], max_size=None) as ws:
        warm = min(50, reruns // 5)
        start = None
        for r in range(reruns):
            await rerun(ws, settings(r % 5, r % 3)[0])
            if r + 1 == warm:
                start = rss_mb(pid)
        return start, rss_mb(pid), rss_mb(pid) - start


def measure(threads: str, sessions: int, reruns: int) -> None:
    procs: list = []
    with streamlit_server(ROOT, env={"DESCENT_TORCH_THREADS": threads}, procs=procs) as base:
        url = base.replace("http", "ws") + "/_stcore/stream"
        times: list[float] = []
        wrong: list = []

        async def crowd() -> None:
            await asyncio.gather(*(session(url, i, 3, times, wrong) for i in range(sessions)))

        t0 = time.perf_counter()
        asyncio.run(crowd())
        wall = time.perf_counter() - t0
        q = statistics.quantiles(times, n=20)
        label = "1 thread" if threads == "1" else "torch's default threads"
        print(f"[{label}] {sessions} concurrent clients x 2 changed settings: median {statistics.median(times):.2f} s,"
              f" p95 {q[-1]:.2f} s, all done in {wall:.1f} s; wrong numbers: {len(wrong)} {wrong[:3]}")
        if reruns:
            before, after, growth = asyncio.run(soak(url, procs[0].pid, reruns))
            print(f"[{label}] {reruns} reruns in one session: server RSS {before:.0f} MB after warm-up, "
                  f"{after:.0f} MB at the end, growth {growth:+.1f} MB (target < 50 MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=20, choices=range(1, 101), metavar="1..100")
    parser.add_argument("--reruns", type=int, default=500, choices=range(0, 5001), metavar="0..5000")
    args = parser.parse_args()
    measure("1", args.sessions, args.reruns)
    measure("0", args.sessions, 0)  # 0: leave torch's default (one thread per core)


if __name__ == "__main__":
    main()
