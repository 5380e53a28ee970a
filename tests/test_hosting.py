"""The container definition, checked as far as a machine without a Docker engine allows: its rules, and its
CMD and HEALTHCHECK run as they are, outside Docker."""
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser import free_port


@pytest.fixture(scope="module")
def dockerfile(root):
    return (root / "Dockerfile").read_text()


def instructions(text):
    """(INSTRUCTION, argument) pairs, continuation lines joined, comments dropped."""
    kept = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(kept))
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in joined.splitlines() if line.strip()]


def test_dockerfile_rules(dockerfile, root):
    ins = instructions(dockerfile)
    kinds = [k for k, _ in ins]
    assert ins[0] == ("FROM", "python:3.11-slim")  # a pinned slim Python, never :latest
    assert "ADD" not in kinds  # COPY only
    user = [a for k, a in ins if k == "USER"]
    assert user and user[-1] not in ("root", "0") and kinds.index("USER") > max(
        i for i, k in enumerate(kinds) if k == "RUN")  # everything after the installs runs as that user
    assert ("EXPOSE", "8501") in ins
    for path in re.findall(r"COPY (?:--chown=\S+ )?(\S+) ", dockerfile):
        assert (root / path).exists(), path  # every copied path exists in the repository
    assert "torch==2.13.0" in dockerfile and "torch==2.13.0" in (root / "requirements.txt").read_text()


def image_files(dockerfile, root, dest):
    """Exactly what the Dockerfile's COPY lines put into the image (after .dockerignore), copied into dest."""
    ignored = [line.strip() for line in (root / ".dockerignore").read_text().splitlines() if line.strip()]
    skip = shutil.ignore_patterns(*[pattern.split("/")[-1] for pattern in ignored])
    for source, target in re.findall(r"^COPY (?:--chown=\S+ )?(\S+) (\S+)$", dockerfile, re.M):
        src, dst = root / source, dest / target
        if src.is_dir():
            shutil.copytree(src, dst, ignore=skip)
        else:
            shutil.copy(src, dst)
    for command in re.findall(r'^RUN (python -c "[^"]*")', dockerfile, re.M):  # the build's own steps in the app
        subprocess.run([sys.executable, "-c", command.split('"')[1]], cwd=dest, check=True, capture_output=True)
    return dest


@pytest.fixture(scope="module")
def image(dockerfile, root, tmp_path_factory):
    return image_files(dockerfile, root, tmp_path_factory.mktemp("image"))


PAGE_CHECK = """
import sys
from pathlib import Path
from streamlit.testing.v1 import AppTest
assert not any("{root}" in p for p in sys.path), sys.path  # nothing may come from the repository
bad = []
for page in ["app.py", *sorted(str(p) for p in Path("pages").glob("*.py"))]:
    at = AppTest.from_file(str(Path(page).resolve()), default_timeout=300)
    at.run()
    if at.exception:
        bad.append((page, at.exception[0].message, at.exception[0].stack_trace[-3:]))
print(bad)
sys.exit(1 if bad else 0)
"""


def test_the_image_serves_plotly_js_from_its_own_plotly_package(image):
    """The build puts the installed plotly package's plotly.min.js where the static route serves it, readable."""
    import plotly

    (served,) = (image / "static").glob("plotly-*.min.js")
    source = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert served.read_bytes() == source.read_bytes() and served.stat().st_mode & 0o444 == 0o444


def test_every_page_runs_from_the_images_own_files(image, root):
    """Every page, run from a folder holding only what the image holds: a file the app reads but the Dockerfile
    does not copy fails here."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run([sys.executable, "-c", PAGE_CHECK.format(root=root)], cwd=image, env=env,
                         capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]


def test_cmd_and_healthcheck_run_outside_docker(dockerfile, image):
    """The image's CMD, started on a free port in a folder holding the image's files, answers the image's
    HEALTHCHECK command, and the home page it serves runs without an error."""
    ins = dict((k, a) for k, a in instructions(dockerfile))
    cmd = json.loads(ins["CMD"])
    check = json.loads(ins["HEALTHCHECK"].split("CMD", 1)[1])
    port = free_port()
    cmd = [sys.executable, "-m", *cmd] if cmd[0] == "streamlit" else cmd
    cmd = [c.replace("8501", str(port)).replace("0.0.0.0", "127.0.0.1") for c in cmd]
    check = [sys.executable if c == "python" else c.replace("8501", str(port)) for c in check]
    server = subprocess.Popen([*cmd, "--server.headless", "true"], cwd=image, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(120):
            if subprocess.run(check, capture_output=True, timeout=10).returncode == 0:
                break
            subprocess.run(["sleep", "0.5"])
        else:
            pytest.fail("the HEALTHCHECK never passed against the CMD")
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert subprocess.run(check, capture_output=True, timeout=10).returncode != 0  # and fails once it is gone


def test_streamlit_production_settings(root):
    import tomllib

    config = tomllib.loads((root / ".streamlit" / "config.toml").read_text())
    assert config["server"]["headless"] is True
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["showErrorDetails"] == "none"
