"""A class on one hosted link: concurrent clients against one `streamlit run` server on loopback (prints figures).

    python bench/load.py --scenario clicks --clients 30      # or lrs, mixed, scene; all: every scenario
    python bench/load.py --soak 500                          # one session, 500 reruns: the server's memory
    python bench/load.py --scenario heavy --clients 20 --before 306bc92   # also a past commit, in the same run

Clients speak Streamlit's own websocket protocol (BackMsg/ForwardMsg protobufs, as the browser does). Each client
first opens /Descent as the scenario's class has it; then all change a setting at the same moment (a new session
from the changed link: a rerun's query string only seeds widgets that have no state yet, so a changed link is the
honest way to change a setting without replaying the browser's widget ids), and the time from the change to the
finished page is measured. Every client's end point is compared with core's own run for its settings, computed
in this process ("wrong" counts those that differ). Each scenario runs once with the run broker on and once with
it off (DESCENT_BATCHING=0), each on a fresh server that has cached its scenes and (--compile on, the default)
compiled its gradients (core/run/compiled.py), and prints one line per run:

    scenario NAME: N clients, batching on|off, compiling on|off, p50 X s, p95 Y s, wrong 0

Scenarios: clicks (same settings, everyone their own start point), lrs (Adam, everyone their own learning rate),
mixed (five optimizers with their own settings), scene (everyone opens the same scene link), and heavy: for each
page of HEAVY, one student opens it and half a second later every client clicks their own start on /Descent (the
clicks scenario), then all the heavy pages at once, one student each; one line each, with the time the
(slowest) heavy page took:

    scenario heavy (PAGE): N clients, p50 X s, p95 Y s, heavy Z s, wrong 0

--before REV runs the same scenarios against a past commit's server (a temporary git worktree) first.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import re
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import websockets  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from bench.common import checkout  # noqa: E402
from core.optimizers import get_optimizer  # noqa: E402
from core.run import make_config, run  # noqa: E402
from tests.browser import streamlit_server  # noqa: E402
from ui.params import log_options  # noqa: E402
from ui.scenes import SCENES  # noqa: E402

MIXED = (("adam", 0.01), ("sgd", 0.001), ("rmsprop", 0.01), ("adagrad", 0.5), ("nadam", 0.01))
ADAM_LRS = [v for v in log_options(1e-6, 10.0, 1e-3) if v <= 0.5]
LBFGS_RACE = "runs=6&steps=20000&tol=off&" + "&".join(f"r{i}_opt=lbfgs&r{i}_lr=1&r{i}_x0={i - 3}" for i in range(1, 7))
HEAVY_PAGES = (("Basins", "opt=lbfgs&grid=200&steps=1000&lr=1"), ("Compare", LBFGS_RACE),
               ("Basins", "grid=200&steps=1000&lr=0.01"),
               ("Slices", "model=mlp&n=64&hidden=32&size=1000&grid=101&steps=5000"))  # the heaviest slice
HEAVY = tuple((page,) for page in HEAVY_PAGES) + (HEAVY_PAGES,)  # each alone, then all at once


def scenario_query(name: str, i: int) -> str:
    """Client i's changed link in a scenario (before the change every client has the page at its defaults)."""
    if name == "clicks":
        return f"x0={-4 + 8 * (i % 10) / 9:.4g}&y0={-4 + 8 * (i // 10) / 4:.4g}"
    if name == "lrs":
        return f"lr={ADAM_LRS[i % len(ADAM_LRS)]:g}&x0={-3 + 0.1 * (i // len(ADAM_LRS)):.4g}"
    if name == "mixed":
        opt, lr = MIXED[i % len(MIXED)]
        return f"opt={opt}&lr={lr:g}&x0={-4 + 0.4 * i:.4g}&y0=1.5"
    scene = next(s for s in SCENES if s.key == "momentum")
    return urlencode(scene.params)


def expected_end(query: str) -> str:
    """The end point core's own run gives for a /Descent link (defaults as the page has them)."""
    q = dict(parse_qsl(query))
    opt = q.get("opt", "adam")
    spec = get_optimizer(opt)
    hypers = {k.removeprefix(f"{opt}_"): spec.hyper(k.removeprefix(f"{opt}_")).parse(v) for k, v in q.items()
              if k == "lr" or k.startswith(f"{opt}_")}
    tol = q.get("tol", "0.0001")
    config = make_config(hypers, optimizer=opt, starts=[(float(q.get("x0", 0)), float(q.get("y0", 0)))],
                         steps=int(q.get("steps", 2000)), tol=None if tol == "off" else float(tol))
    (x, y), _ = run(config).final()
    return f"({x:.5f}, {y:.5f})"


async def rerun(ws, query: str, page: str = "Descent") -> tuple[float, dict[str, str]]:
    """Send one rerun and wait for script_finished; the seconds it took and the metrics the page showed."""
    msg = BackMsg()
    msg.rerun_script.query_string = query
    msg.rerun_script.page_name = page
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


async def load(url: str, query: str, page: str = "Descent") -> tuple[float, dict[str, str]]:
    async with websockets.connect(url, subprotocols=["streamlit"], max_size=None) as ws:
        return await rerun(ws, query, page)


async def client(urls: list[str], name: str, i: int, go: asyncio.Event, ready: list, out: list) -> None:
    url = urls[i % len(urls)]  # several processes: the clients spread evenly, as a load balancer would
    await load(url, "")  # the page as the class has it before the change
    ready.append(i)
    await go.wait()
    query = scenario_query(name, i)
    seconds, metrics = await load(url, query)
    out.append((seconds, metrics.get("end point"), query))


async def crowd(urls: list[str], name: str, clients: int, heavy: tuple = ()) -> tuple[list, float]:
    """Every client's (seconds, end point, query) after the change; with heavy pages ((page, query), ...), each
    opened by one more student half a second before the others change, the seconds the slowest of them took."""
    go, ready, out = asyncio.Event(), [], []
    tasks = [asyncio.create_task(client(urls, name, i, go, ready, out)) for i in range(clients)]
    while len(ready) < clients:
        await asyncio.sleep(0.05)
    heavy_tasks = [asyncio.create_task(load(urls[0], query, page)) for page, query in heavy]
    if heavy:
        await asyncio.sleep(0.5)
    go.set()
    await asyncio.gather(*tasks)
    return out, max([(await task)[0] for task in heavy_tasks], default=0.0)


def wait_warm(proc, limit: float = 300.0, marks: tuple[bytes, ...] = (b"scenes cached",)) -> str:
    """Until the server says it has cached every scene and, where asked, compiled its gradients (a class meets
    a server that has been up a while)."""
    found: list[str] = []

    def read() -> None:
        for line in proc.stdout:
            if any(m in line for m in marks):
                found.append(line.decode().strip())
            if len(found) == len(marks):
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(limit)
    return "; ".join(found) if len(found) == len(marks) else f"no warm-up line within {limit:.0f} s"


def scenario(name: str, clients: int, batching: bool, processes: int = 1, root: Path = ROOT,
             heavy: tuple = (), label: str = "", compile_gradients: bool = True) -> None:
    """One scenario on fresh servers of the tree at root; prints its line."""
    env, procs = {"DESCENT_BATCHING": "1" if batching else "0", "DESCENT_WARM_SCENES": "1",
                  "DESCENT_COMPILE": "1" if compile_gradients else "0"}, []
    compiles = compile_gradients and (root / "core" / "run" / "compiled.py").exists()
    marks = (b"scenes cached", b"compiled gradients ready") if compiles else (b"scenes cached",)
    with contextlib.ExitStack() as stack:
        urls = [stack.enter_context(streamlit_server(root, env=env, procs=procs)).replace("http", "ws")
                + "/_stcore/stream" for _ in range(processes)]
        cold, _ = asyncio.run(load(urls[0], ""))
        for url in urls[1:]:
            asyncio.run(load(url, ""))
        warm = "; ".join(wait_warm(proc, marks=marks) for proc in procs)
        out, heavy_seconds = asyncio.run(crowd(urls, "clicks" if heavy else name, clients, heavy))
    times = [s for s, _, _ in out]
    expected = {q: expected_end(q) for q in {q for _, _, q in out}}
    wrong = sum(end != expected[q] for _, end, q in out)
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
    where = f", {processes} server processes" if processes > 1 else ""
    if heavy:
        pages = " + ".join(f"/{page}?{query[:40]}" for page, query in heavy)
        print(f"{label}scenario heavy ({pages}): {clients} clients, "
              f"p50 {statistics.median(times):.2f} s, p95 {p95:.2f} s, heavy {heavy_seconds:.1f} s, wrong {wrong}",
              flush=True)
    else:
        print(f"{label}scenario {name}: {clients} clients, batching {'on' if batching else 'off'}, compiling "
              f"{'on' if compiles else 'off'}{where}, "
              f"p50 {statistics.median(times):.2f} s, p95 {p95:.2f} s, wrong {wrong}", flush=True)
    print(f"  (cold start: the first page of the fresh server took {cold:.2f} s; {warm})", file=sys.stderr)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def soak(reruns: int) -> None:
    """One session, many reruns over a few settings (so caches are warm): RSS after warm-up and at the end."""
    procs: list = []
    with streamlit_server(ROOT, procs=procs) as base:
        url = base.replace("http", "ws") + "/_stcore/stream"

        async def go() -> tuple[float, float]:
            async with websockets.connect(url, subprotocols=["streamlit"], max_size=None) as ws:
                start = None
                for r in range(reruns):
                    await rerun(ws, scenario_query("mixed", r % 5))
                    if r + 1 == min(50, reruns // 5):
                        start = rss_mb(procs[0].pid)
                return start, rss_mb(procs[0].pid)

        before, after = asyncio.run(go())
    print(f"soak: {reruns} reruns in one session: server RSS {before:.0f} MB after warm-up, {after:.0f} MB at the "
          f"end, growth {after - before:+.1f} MB (target < 50 MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", choices=("clicks", "lrs", "mixed", "scene", "heavy", "all"), default="all")
    parser.add_argument("--clients", type=int, default=30, choices=range(1, 201), metavar="1..200")
    parser.add_argument("--batching", choices=("both", "on", "off"), default="both",
                        help="run each scenario with the broker on and off (both), or only one way (sizing)")
    parser.add_argument("--processes", type=int, default=1, choices=range(1, 9), metavar="1..8",
                        help="server processes on this machine, the clients spread evenly over them")
    parser.add_argument("--compile", choices=("both", "on", "off"), default="on",
                        help="compiled gradients (core/run/compiled.py) on, off (DESCENT_COMPILE=0), or both")
    parser.add_argument("--soak", type=int, default=0, choices=range(0, 5001), metavar="0..5000",
                        help="also run one session this many times and report the server's memory")
    parser.add_argument("--before", metavar="REV", help="also run every scenario against this past commit, first")
    args = parser.parse_args()
    if args.before and not re.fullmatch(r"[0-9A-Za-z._/~^-]{1,80}", args.before):
        parser.error(f"--before takes a commit name, not {args.before!r}")
    names = ("clicks", "lrs", "mixed", "scene", "heavy") if args.scenario == "all" else (args.scenario,)
    gradients = {"both": (False, True), "on": (True,), "off": (False,)}[args.compile]
    with contextlib.ExitStack() as stack:
        roots = [(stack.enter_context(checkout(args.before)), f"[before {args.before}] ")] if args.before else []
        for root, label in roots + [(ROOT, "[now] " if args.before else "")]:
            for name in names:
                for batching in {"both": (True, False), "on": (True,), "off": (False,)}[args.batching]:
                    for heavy, on in itertools.product(HEAVY if name == "heavy" else ((),), gradients):
                        if not heavy or batching:  # heavy: with the broker, as the class has it
                            scenario(name, args.clients, batching, args.processes, root, heavy, label, on)
    if args.soak:
        soak(args.soak)


if __name__ == "__main__":
    main()
