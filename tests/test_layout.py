"""The layout's limits (#14): no module of registry/ over 400 lines (migrations aside),
no view function over 30 lines. A module or view that grows past them is split, as
labels/ and public/scan/ were: the limits keep each file readable in one sitting."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "registry"
MAX_MODULE_LINES = 400
MAX_VIEW_LINES = 30


def _modules():
    return [p for p in sorted(ROOT.rglob("*.py")) if "migrations" not in p.relative_to(ROOT).parts]


def _is_view(node: ast.FunctionDef) -> bool:
    """Decorated with a route (``@bp.route``, ``@bp.get``/``post``), or registered with
    ``add_url_rule`` (a view made by a factory is checked through its factory's size)."""
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute) and target.attr in ("route", "get", "post"):
            return True
    return False


def test_no_module_is_over_400_lines():
    long = {str(p.relative_to(ROOT)): n for p in _modules()
            if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES}
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {long}"


def test_no_view_is_over_30_lines():
    long = {}
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and _is_view(node):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_VIEW_LINES:
                    long[f"{path.relative_to(ROOT)}:{node.name}"] = lines
    assert not long, f"views over {MAX_VIEW_LINES} lines: {long}"


def test_the_view_finder_finds_views():
    """The check above sees the views it is meant to (else it could never fail)."""
    views = [node.name for path in _modules() for node in ast.walk(ast.parse(path.read_text()))
             if isinstance(node, ast.FunctionDef) and _is_view(node)]
    assert len(views) > 70 and {"page", "verify", "order", "audit_log"} <= set(views)
