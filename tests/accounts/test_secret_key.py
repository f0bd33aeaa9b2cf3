"""Production will not sign session cookies with a key anyone could know or guess."""

import pytest

from config import DEVELOPMENT_SECRET_KEY
from ep_events import create_app


@pytest.fixture
def production(monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)

    def _start(secret_key: str):
        monkeypatch.setenv("SECRET_KEY", secret_key)
        return create_app("production")

    return _start


@pytest.mark.parametrize("secret_key", [DEVELOPMENT_SECRET_KEY, "dev-only-not-secret", "x" * 31,
                                        "é" * 15], ids=["development key", "its literal", "31 bytes", "30 bytes"])
def test_production_refuses_the_development_key_or_a_short_one(production, secret_key):
    with pytest.raises(RuntimeError, match="SECRET_KEY must be a random value of 32 bytes or more"):
        production(secret_key)


def test_production_starts_with_a_long_random_key(production):
    app = production("k3y-" + "0123456789abcdef" * 2)
    assert app.config["SECRET_KEY"] == "k3y-" + "0123456789abcdef" * 2
