"""Settings: every value checked when it is read, with a message naming the variable."""

from __future__ import annotations

import pytest

from yenflow.config import Settings
from yenflow.errors import ConfigError


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("YENFLOW_TIMEOUT", "-1", "greater than 0"),
        ("YENFLOW_TIMEOUT", "nan", "finite"),
        ("YENFLOW_TIMEOUT", "0", "greater than 0"),
        ("YENFLOW_TIMEOUT", "soon", "not a number"),
        ("YENFLOW_DEADLINE", "inf", "finite"),
        ("YENFLOW_BACKOFF", "inf", "finite"),
        ("YENFLOW_BACKOFF", "-0.5", "at least 0"),
        ("YENFLOW_MAX_BACKOFF", "nan", "finite"),
        ("YENFLOW_RETRIES", "1e20", "at most 20"),
        ("YENFLOW_RETRIES", "2.5", "whole number"),
        ("YENFLOW_RETRIES", "-1", "at least 0"),
        ("YENFLOW_MAX_MB", "0", "greater than 0"),
        ("YENFLOW_TIC_MAX_MB", "-3", "greater than 0"),
        ("YENFLOW_MOF_ALLOWED_HOSTS", "bad host!", "not a host name"),
        ("YENFLOW_LOCK_WAIT", "-1", "at least 0"),
    ],
)
def test_nonsensical_settings_are_config_errors_naming_the_variable(name, value, says):
    with pytest.raises(ConfigError, match=says) as info:
        Settings.from_env({name: value})
    assert name in str(info.value) and repr(value) in str(info.value)


def test_direct_construction_is_validated_too():
    with pytest.raises(ConfigError, match="timeout_s"):
        Settings(timeout_s=float("nan"))
    with pytest.raises(ConfigError, match="retries"):
        Settings(retries=10**20)


def test_good_values_are_read():
    s = Settings.from_env(
        {
            "YENFLOW_TIMEOUT": " 2.5 ",
            "YENFLOW_RETRIES": "5",
            "YENFLOW_BACKOFF": "0",
            "YENFLOW_MAX_BACKOFF": "7",
            "YENFLOW_MOF_ALLOWED_HOSTS": "www.mof.go.jp, mirror.test:8443",
            "YENFLOW_MOF_BASE_URL": "http://127.0.0.1:9000/mof/",
        }
    )
    assert (s.timeout_s, s.retries, s.backoff_s, s.max_backoff_s) == (2.5, 5, 0.0, 7.0)
    assert isinstance(s.retries, int)
    assert s.hosts_for("mof") == ("www.mof.go.jp", "mirror.test:8443", "127.0.0.1:9000")
    assert s.hosts_for("tic") == ()


def test_unknown_override_is_an_error():
    with pytest.raises(ConfigError, match="unknown setting"):
        Settings.from_env({}, timeout=3)


def test_the_key_is_masked_in_repr_and_registered_for_redaction():
    from yenflow.redact import redact

    s = Settings.from_env({"FRED_API_KEY": "abcdefabcdef0123456789abcdef0123"})
    assert "abcdef0123" not in repr(s)
    assert redact("echo abcdefabcdef0123456789abcdef0123!") == "echo REDACTED!"
