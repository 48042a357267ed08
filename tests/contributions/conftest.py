import pytest


@pytest.fixture
def rates(monkeypatch):
    """The demo's rates overlay (国发〔1998〕44号: unit 6%, individual 2%)."""
    from yibao.policy import get_engine

    monkeypatch.setenv("YIBAO_POLICY_OVERLAYS", "demo-rates")
    get_engine.cache_clear()
    yield
    monkeypatch.delenv("YIBAO_POLICY_OVERLAYS")
    get_engine.cache_clear()
