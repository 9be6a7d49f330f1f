"""The plan and the report as JSON: stable key order, ``format_version`` first-class."""

from __future__ import annotations

import json

from hcsync.apply.report import Report
from hcsync.plan.model import Plan


def render_plan(plan: Plan) -> str:
    return json.dumps(plan.to_json(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render_report(report: Report) -> str:
    return json.dumps(report.to_json(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
