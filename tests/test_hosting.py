"""The container definition, checked as far as a machine without a Docker engine allows: its rules, and its
CMD and HEALTHCHECK run as they are, outside Docker."""
import json
import re
import subprocess
import sys

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


def test_cmd_and_healthcheck_run_outside_docker(dockerfile, root):
    """The image's CMD, started here on a free port, answers the image's HEALTHCHECK command."""
    ins = dict((k, a) for k, a in instructions(dockerfile))
    cmd = json.loads(ins["CMD"])
    check = json.loads(ins["HEALTHCHECK"].split("CMD", 1)[1])
    port = free_port()
    cmd = [sys.executable, "-m", *cmd] if cmd[0] == "streamlit" else cmd
    cmd = [c.replace("8501", str(port)).replace("0.0.0.0", "127.0.0.1") for c in cmd]
    check = [sys.executable if c == "python" else c.replace("8501", str(port)) for c in check]
    server = subprocess.Popen([*cmd, "--server.headless", "true"], cwd=root, stdout=subprocess.DEVNULL,
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
