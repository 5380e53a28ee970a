import os
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
torch.set_num_threads(1)
os.environ.setdefault("DESCENT_WARM_SCENES", "0")  # tests/test_warm.py warms on purpose; elsewhere it is noise


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT
