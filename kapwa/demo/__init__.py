"""The demo community: "Bayani Pay", a Filipino e-wallet with members on seven platforms.

    from kapwa.demo import load_demo
    summary = load_demo(rt, seed=2026)
"""

from kapwa.demo.generator import (
    DEMO_OWNER_EMAIL,
    DEMO_PASSWORD,
    DEMO_USERS,
    DemoAlreadyLoaded,
    DemoSummary,
    load_demo,
)
from kapwa.demo.plan import build_plan

__all__ = ["DEMO_OWNER_EMAIL", "DEMO_PASSWORD", "DEMO_USERS", "DemoAlreadyLoaded", "DemoSummary", "build_plan",
           "load_demo"]
