"""One descent: a frozen config in (config.py), the torch.optim loop (loop.py) recording into a full path or
only the ends (record.py), a typed result out (result.py)."""
from core.run.config import DTYPES, Reason, RunConfig, make_config
from core.run.loop import Progress, Runner, run, run_endpoints
from core.run.result import Endpoints, Summary, Trajectory

__all__ = ["DTYPES", "Endpoints", "Progress", "Reason", "RunConfig", "Runner", "Summary", "Trajectory",
           "make_config", "run", "run_endpoints"]
