"""The validation gate: Great Expectations suites over a run's staged tables.

Nothing is published unless :func:`run_gate` passes. GX analytics are turned off before GX is
first imported (unless the environment already says otherwise): a pipeline run must not phone
home.
"""

import os

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

from expectations.gate import GateResult, failed_expectations, run_gate, warm_up
from expectations.suites import TABLES, build_suite, describe_rules, prepare_frames

__all__ = [
    "TABLES",
    "GateResult",
    "build_suite",
    "describe_rules",
    "failed_expectations",
    "prepare_frames",
    "run_gate",
    "warm_up",
]
