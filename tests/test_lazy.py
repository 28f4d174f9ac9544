"""yenflow.lazy: a module named at the top is imported only when first used."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from yenflow.lazy import LazyModule, lazy_module


@pytest.fixture
def fresh_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The name of a module that is importable but not yet imported (it counts its imports)."""
    name = "yf_lazy_probe"
    (tmp_path / f"{name}.py").write_text(
        "import builtins\n"
        "builtins.yf_lazy_probe_imports = getattr(builtins, 'yf_lazy_probe_imports', 0) + 1\n"
        "VALUE = 42\n"
        "def double(x):\n    return 2 * x\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, name, raising=False)
    yield name
    sys.modules.pop(name, None)
    import builtins

    if hasattr(builtins, "yf_lazy_probe_imports"):
        del builtins.yf_lazy_probe_imports


def test_the_module_is_imported_at_the_first_attribute_access_only(fresh_module: str):
    import builtins

    mod = lazy_module(fresh_module)
    assert isinstance(mod, LazyModule)
    assert fresh_module not in sys.modules
    assert not hasattr(builtins, "yf_lazy_probe_imports")
    assert mod.VALUE == 42
    assert fresh_module in sys.modules
    assert mod.double(4) == 8
    assert builtins.yf_lazy_probe_imports == 1  # imported once, then plain lookups
    assert "double" in vars(mod)
    with pytest.raises(AttributeError):
        _ = mod.not_there


def test_an_imported_module_is_returned_as_it_is():
    assert lazy_module("json") is __import__("json")


def test_a_missing_module_fails_at_first_use_not_at_definition():
    mod = lazy_module("yf_no_such_module_anywhere")
    with pytest.raises(ModuleNotFoundError):
        _ = mod.anything
