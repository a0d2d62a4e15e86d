"""The CI skip policy (tests/skip_policy.py), run on small test files with pytester, and a check
that every skip in the repository's tests says why."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pytest

from tests import skip_policy

pytest_plugins = ["pytester"]

TESTS = Path(__file__).resolve().parent

SAMPLE = """
import pytest

def test_runs():
    assert True

@pytest.mark.skipif(True, reason="ccusage not installed")
def test_parity():
    pass

def test_browser():
    pytest.skip("needs Debian's chromium at /usr/bin/chromium")

def test_lock():
    pytest.skip("this DuckDB build does not lock across processes")

@pytest.mark.xfail(strict=True, reason="known bug")
def test_known_bug():
    assert False
"""


@pytest.fixture
def run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., pytest.RunResult]:
    """Run pytest on `source` with the policy loaded and CI set to `ci` (None: unset)."""

    def go(ci: str | None, source: str = SAMPLE) -> pytest.RunResult:
        pytester.makepyfile(test_sample=source)
        if ci is None:
            monkeypatch.delenv("CI", raising=False)
        else:
            monkeypatch.setenv("CI", ci)
        return pytester.runpytest("-p", "tests.skip_policy", "-ra", "-p", "no:cacheprovider")

    return go


Run = Callable[..., pytest.RunResult]


def test_outside_ci_skips_stay_skips(run: Run) -> None:
    result = run(None)
    result.assert_outcomes(passed=1, skipped=3, xfailed=1)
    assert result.ret == pytest.ExitCode.OK
    # -ra lists each skip with its reason
    result.stdout.fnmatch_lines(["*SKIPPED*ccusage not installed*"])


def test_in_ci_a_skip_off_the_allow_list_fails(run: Run) -> None:
    result = run("true")
    # ccusage and the browser must run in CI; the DuckDB lock reason is allowed; xfail is not a skip
    result.assert_outcomes(passed=1, skipped=1, xfailed=1, errors=1, failed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "*skipped in CI, where it must run (CI=true): ccusage not installed*",
            "*skipped in CI, where it must run (CI=true): needs Debian's chromium*",
        ]
    )


def test_ci_false_is_not_ci(run: Run) -> None:
    assert run("false").ret == pytest.ExitCode.OK


def test_in_ci_a_module_level_skip_fails(run: Run) -> None:
    source = 'import pytest\npytest.skip("no GPU", allow_module_level=True)\n'
    result = run("true", source)
    assert result.ret != pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["*skipped in CI, where it must run (CI=true): no GPU*"])
    assert run(None, source).ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_the_allow_list_is_short_and_names_neither_ccusage_nor_the_browser() -> None:
    assert len(skip_policy.CI_ALLOWED_SKIPS) <= 5
    for reason in skip_policy.CI_ALLOWED_SKIPS:
        assert "ccusage" not in reason
        assert "chromium" not in reason.lower()
    assert not skip_policy.allowed("ccusage not installed")
    assert not skip_policy.allowed("needs Debian's chromium at /usr/bin/chromium")


# --- every skip in the repository gives a reason ------------------------------------------------


def _is(node: ast.expr, dotted: str) -> bool:
    return ast.unparse(node) == dotted


def _reasonless_skips(path: Path) -> list[str]:
    """`pytest.skip()`, `@pytest.mark.skip` and `@pytest.mark.skipif(...)` without a reason."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[str] = []
    called: set[int] = set()  # `pytest.mark.skip` nodes that are called (with or without reason)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        keywords = {k.arg for k in node.keywords}
        named = bool(node.args) or "reason" in keywords
        where = f"{path.relative_to(path.parents[1])}:{node.lineno}"
        if _is(node.func, "pytest.skip") and not named:
            found.append(f"{where} pytest.skip() without a reason")
        if _is(node.func, "pytest.mark.skipif") and "reason" not in keywords:
            found.append(f"{where} skipif without reason=")
        if _is(node.func, "pytest.mark.skip"):
            called.add(id(node.func))
            if not named:
                found.append(f"{where} pytest.mark.skip() without a reason")
    for node in ast.walk(tree):
        bare = isinstance(node, ast.Attribute) and id(node) not in called
        if bare and _is(node, "pytest.mark.skip"):
            found.append(f"{path.name}:{getattr(node, 'lineno', 0)} bare @pytest.mark.skip")
    return found


def test_every_skip_in_the_tests_gives_a_reason() -> None:
    problems = [p for path in sorted(TESTS.rglob("*.py")) for p in _reasonless_skips(path)]
    assert problems == []


def test_the_reason_check_finds_reasonless_skips(tmp_path: Path) -> None:
    bad = tmp_path / "test_bad.py"
    bad.write_text(
        "import pytest\n"
        "@pytest.mark.skip\n"
        "def test_a(): pass\n"
        "@pytest.mark.skipif(True)\n"
        "def test_b(): pass\n"
        "def test_c():\n"
        "    pytest.skip()\n"
        "@pytest.mark.skip(reason='fine')\n"
        "def test_d(): pass\n"
    )
    assert len(_reasonless_skips(bad)) == 3
