"""The audit report: one self-contained HTML file for a 政务公开办 reviewer (inline CSS, inline
vendored Apache ECharts, no network)."""

from xxgk.audit.render import render_audit

__all__ = ["render_audit"]
