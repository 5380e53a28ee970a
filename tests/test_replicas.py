"""Two app processes behind nginx (Debian's package) on loopback: kill the replica serving a page, and a reload
through nginx rebuilds the same view on the survivor, from the URL alone; Plotly.js travels compressed."""
import gzip
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS, free_port, need_browser, streamlit_server, under_ci, wait_idle

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def need_nginx():
    if os.path.exists(NGINX):
        return
    if under_ci():
        pytest.fail("under CI but nginx is missing: scripts/test must install Debian's nginx")
    pytest.skip("nginx is not installed (apt-get install nginx-light)")


def start_nginx(root, tmp_path, port_a, port_b):
    port = free_port()
    conf = (root / "deploy" / "nginx.conf").read_text()
    for key, value in {"__RUN__": str(tmp_path), "__PORT_A__": str(port_a), "__PORT_B__": str(port_b),
                       "__PORT__": str(port)}.items():
        conf = conf.replace(key, value)
    (tmp_path / "nginx.conf").write_text(conf)
    proc = subprocess.Popen([NGINX, "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path), "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    for _ in range(50):
        try:
            if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                return proc, base
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    pytest.fail(f"nginx did not start: {proc.stderr.read().decode()[-500:]}")


def test_a_dead_replica_loses_nothing(root, tmp_path):
    need_nginx()
    need_browser()
    from playwright.sync_api import sync_playwright

    procs: list = []
    port_a, port_b = free_port(), free_port()
    with streamlit_server(root, port_a, procs=procs), streamlit_server(root, port_b, procs=procs):
        nginx, base = start_nginx(root, tmp_path, port_a, port_b)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                link = f"{base}/Descent?opt=sgd&lr=0.002&sgd_momentum=0.9&x0=-1&y0=4&steps=800"
                first = page.goto(link)
                wait_idle(page)
                page.locator("[data-testid='stMetricValue']").nth(5).wait_for(timeout=60_000)
                before = page.locator("[data-testid='stMetricValue']").all_text_contents()[:5]
                served = first.headers["x-replica"]
                victim = procs[0] if served.endswith(f":{port_a}") else procs[1]
                victim.kill()
                victim.wait(timeout=10)
                again = page.goto(link)  # the reload a person would do
                wait_idle(page)
                page.locator("[data-testid='stMetricValue']").nth(5).wait_for(timeout=60_000)
                after = page.locator("[data-testid='stMetricValue']").all_text_contents()[:5]
                assert again.headers["x-replica"] != served
                assert after == before and before[3] != ""
                browser.close()
            assert_plotly_js_compressed(base)
        finally:
            nginx.terminate()
            nginx.wait(timeout=10)


def assert_plotly_js_compressed(base: str) -> None:
    """Through nginx, the app's copy of Plotly.js arrives gzipped and unpacks to the plotly package's own file."""
    import plotly

    url = f"{base}/app/static/plotly-{plotly.__version__}.min.js"
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept-Encoding": "gzip"}), timeout=30) as r:
        assert r.headers["Content-Encoding"] == "gzip"
        body = r.read()
    source = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert gzip.decompress(body) == source.read_bytes() and len(body) < source.stat().st_size / 3
