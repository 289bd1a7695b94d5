"""Configuration: where settings come from, how they are parsed, and the
checks that keep an unsafe production instance from starting."""

from __future__ import annotations

import os
import stat

import pytest

import config
from factcheck import create_app

STRONG_AUDIT_KEY = "another-long-random-value-for-the-audit-key-0123456789"
STRONG_SECRET = "k" * 48


@pytest.fixture
def clean_environ(monkeypatch):
    """No FACTCHECK_* variables from the shell that runs the tests."""
    for key in list(os.environ):
        if key.startswith(config.ENV_PREFIX):
            monkeypatch.delenv(key)
    return monkeypatch


@pytest.fixture
def config_file(tmp_path):
    def write(body: str) -> str:
        path = tmp_path / "factcheck_settings.py"
        path.write_text(body, encoding="utf-8")
        return str(path)

    return write


# --- precedence ------------------------------------------------------------------


def test_defaults_without_anything_else():
    values = config.load(None, environ={})
    assert values == config.defaults()
    assert values["ENV"] == "development"
    assert values["SECRET_KEY"] is None
    assert values["WTF_CSRF_ENABLED"] is True
    assert values["MIN_RATINGS"] == 2
    assert values["LOGIN_THROTTLE"] == "5 per 15 minutes;10 per 2 hours;20 per day"
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SESSION_COOKIE_SECURE"] is False


def test_each_layer_beats_the_one_below(config_file):
    path = config_file(
        "ORGANISATION_NAME = 'From the file'\n"
        "ORGANISATION_URL = 'https://file.example/'\n"
        "MIN_RATINGS = 3\n"
        "LOGIN_SESSION_HOURS = 4\n"
    )
    environ = {
        "FACTCHECK_CONFIG": path,
        "FACTCHECK_ORGANISATION_URL": "https://env.example/",
        "FACTCHECK_MIN_RATINGS": "4",
    }

    values = config.load({"MIN_RATINGS": 5}, environ=environ)

    assert values["FOUR_EYES"] is True  # default only
    assert values["LOGIN_SESSION_HOURS"] == 4  # file over default
    assert values["ORGANISATION_NAME"] == "From the file"
    assert values["ORGANISATION_URL"] == "https://env.example/"  # environment over file
    assert values["MIN_RATINGS"] == 5  # overrides over everything


def test_environment_beats_defaults_without_a_file():
    values = config.load(None, environ={"FACTCHECK_LOGIN_THROTTLE": "10 per hour"})
    assert values["LOGIN_THROTTLE"] == "10 per hour"


def test_overrides_beat_the_environment():
    values = config.load({"ENV": "production"}, environ={"FACTCHECK_ENV": "development"})
    assert values["ENV"] == "production"


def test_config_file_contributes_upper_case_names_only(config_file):
    path = config_file(
        "import os\n"
        "helper = 'lower case is private'\n"
        "DATABASE_URL = 'postgresql+psycopg://db.internal/factcheck'\n"
        "EXTRA_SETTING = ['kept', 'as', 'is']\n"
    )

    from_file = config.from_file(path)

    assert from_file == {
        "DATABASE_URL": "postgresql+psycopg://db.internal/factcheck",
        "EXTRA_SETTING": ["kept", "as", "is"],
    }
    assert config.load(None, environ={"FACTCHECK_CONFIG": path})["EXTRA_SETTING"] == ["kept", "as", "is"]


def test_only_prefixed_environment_variables_count():
    values = config.load(
        None,
        environ={"MIN_RATINGS": "9", "factcheck_min_ratings": "9", "HOME": "/root", "FACTCHECK_CONFIG": ""},
    )
    assert values["MIN_RATINGS"] == 2
    assert "HOME" not in values
    assert "CONFIG" not in values


def test_create_app_reads_the_environment_and_file(clean_environ, config_file, tmp_path):
    path = config_file("ORGANISATION_NAME = 'File newsroom'\nMIN_RATINGS = 3\n")
    clean_environ.setenv("FACTCHECK_CONFIG", path)
    clean_environ.setenv("FACTCHECK_MIN_RATINGS", "4")
    clean_environ.setenv("FACTCHECK_FOUR_EYES", "off")

    app = create_app({"SECRET_KEY": STRONG_SECRET, "INSTANCE_PATH": str(tmp_path / "instance")})

    assert app.config["ORGANISATION_NAME"] == "File newsroom"
    assert app.config["MIN_RATINGS"] == 4
    assert app.config["FOUR_EYES"] is False


# --- parsing environment values --------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("true", True),
        ("Yes", True),
        (" ON ", True),
        ("0", False),
        ("false", False),
        ("NO", False),
        ("off", False),
    ],
)
def test_booleans_from_the_environment(raw, expected):
    assert config.load(None, environ={"FACTCHECK_FOUR_EYES": raw})["FOUR_EYES"] is expected


def test_numbers_and_strings_from_the_environment():
    values = config.load(
        None,
        environ={
            "FACTCHECK_MIN_RATINGS": "3",
            "FACTCHECK_SECRET_KEY": "12345",
            "FACTCHECK_DATABASE_URL": "sqlite:///x.sqlite",
            "FACTCHECK_SOMETHING_NEW": "42",
        },
    )
    assert values["MIN_RATINGS"] == 3
    assert values["SECRET_KEY"] == "12345"  # its default is None: a string stays a string
    assert values["DATABASE_URL"] == "sqlite:///x.sqlite"
    assert values["SOMETHING_NEW"] == "42"  # no default to follow


def test_environment_values_follow_the_type_set_in_the_file(config_file):
    path = config_file("MIN_RATINGS = 3\nREVIEW_WINDOW_DAYS = 7\nSTRICT_MODE = False\n")
    values = config.load(
        None,
        environ={
            "FACTCHECK_CONFIG": path,
            "FACTCHECK_MIN_RATINGS": "6",
            "FACTCHECK_REVIEW_WINDOW_DAYS": "14",
            "FACTCHECK_STRICT_MODE": "true",
        },
    )
    assert values["MIN_RATINGS"] == 6
    assert values["REVIEW_WINDOW_DAYS"] == 14
    assert values["STRICT_MODE"] is True


def test_a_number_that_is_not_a_number_is_a_clear_error():
    with pytest.raises(ValueError, match=r"^FACTCHECK_MIN_RATINGS must be a whole number, not 'abc'$"):
        config.load(None, environ={"FACTCHECK_MIN_RATINGS": "abc"})


@pytest.mark.parametrize("raw", ["maybe", "", "2", "enabled"])
def test_a_boolean_that_is_not_a_boolean_is_a_clear_error(raw):
    with pytest.raises(ValueError, match=rf"^FACTCHECK_FOUR_EYES must be true or false, not {raw!r}$"):
        config.load(None, environ={"FACTCHECK_FOUR_EYES": raw})


def test_create_app_reports_a_bad_environment_value(clean_environ, tmp_path):
    clean_environ.setenv("FACTCHECK_LOGIN_SESSION_HOURS", "twelve")
    with pytest.raises(ValueError, match="FACTCHECK_LOGIN_SESSION_HOURS must be a whole number"):
        create_app({"INSTANCE_PATH": str(tmp_path / "instance")})


# --- production safety -------------------------------------------------------------


@pytest.mark.parametrize("secret", [None, "", "short", "changeme", "dev", " " * 40, "x" * 31])
def test_production_refuses_to_start_without_a_real_secret(clean_environ, tmp_path, secret):
    overrides = {"ENV": "production", "INSTANCE_PATH": str(tmp_path / "instance")}
    if secret is not None:
        overrides["SECRET_KEY"] = secret

    with pytest.raises(RuntimeError, match="refusing to start in production without a real secret key"):
        create_app(overrides)

    # No key was made up for it either.
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_production_error_says_how_to_fix_it(clean_environ, tmp_path):
    with pytest.raises(RuntimeError) as raised:
        create_app({"ENV": "production", "SECRET_KEY": "short", "INSTANCE_PATH": str(tmp_path)})
    message = str(raised.value)
    assert "FACTCHECK_SECRET_KEY" in message
    assert "at least 32" in message


def test_production_starts_with_a_real_secret_and_secure_cookies(clean_environ, tmp_path):
    app = create_app(
        {
            "ENV": "production",
            "SECRET_KEY": STRONG_SECRET,
            "AUDIT_KEY": STRONG_AUDIT_KEY,
            "INSTANCE_PATH": str(tmp_path / "i"),
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
        }
    )
    assert app.config["SECRET_KEY"] == STRONG_SECRET
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


def test_production_from_the_environment(clean_environ, tmp_path):
    clean_environ.setenv("FACTCHECK_ENV", "production")
    clean_environ.setenv("FACTCHECK_SECRET_KEY", "short")
    with pytest.raises(RuntimeError):
        create_app({"INSTANCE_PATH": str(tmp_path / "instance")})

    clean_environ.setenv("FACTCHECK_SECRET_KEY", STRONG_SECRET)
    clean_environ.setenv("FACTCHECK_AUDIT_KEY", STRONG_AUDIT_KEY)
    clean_environ.setenv("FACTCHECK_RATELIMIT_SINGLE_PROCESS", "true")
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance")})
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_production_refuses_to_start_without_an_audit_key(clean_environ, tmp_path):
    overrides = {"ENV": "production", "SECRET_KEY": STRONG_SECRET, "INSTANCE_PATH": str(tmp_path / "i")}
    with pytest.raises(RuntimeError, match="without an audit key: set FACTCHECK_AUDIT_KEY"):
        create_app(overrides)
    with pytest.raises(RuntimeError, match="at least 32 characters"):
        create_app({**overrides, "AUDIT_KEY": "short"})
    with pytest.raises(RuntimeError, match="must differ from FACTCHECK_SECRET_KEY"):
        create_app({**overrides, "AUDIT_KEY": STRONG_SECRET})
    # Nothing was written in the instance folder: production never makes a key file.
    assert not (tmp_path / "i" / "audit_key").exists()


def test_development_keeps_a_random_audit_key_in_the_instance_folder(clean_environ, tmp_path):
    from factcheck.audit import keys

    create_app({"INSTANCE_PATH": str(tmp_path / "i")})
    key_file = tmp_path / "i" / "audit_key"
    first = keys.active().current.key_id
    assert len(key_file.read_text().strip()) >= 32
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    create_app({"INSTANCE_PATH": str(tmp_path / "i")})
    assert keys.active().current.key_id == first


def test_production_responses_carry_secure_cookies_and_hsts(make_app):
    client = make_app(ENV="production", SECRET_KEY=STRONG_SECRET, WTF_CSRF_ENABLED=True).test_client()
    response = client.get("/login")
    assert response.status_code == 200
    assert "Secure" in response.headers["Set-Cookie"]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_development_cookies_work_over_plain_http(make_app):
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    response = client.get("/login")
    assert "Secure" not in response.headers["Set-Cookie"]
    assert "Strict-Transport-Security" not in response.headers


# --- the development secret --------------------------------------------------------


def test_development_without_a_key_makes_a_private_one_and_keeps_it(clean_environ, tmp_path):
    instance = tmp_path / "instance"

    first = create_app({"INSTANCE_PATH": str(instance)})

    key_file = instance / "secret_key"
    assert key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first.config["SECRET_KEY"] == key_file.read_text(encoding="ascii").strip()
    assert len(first.config["SECRET_KEY"]) >= config.MIN_SECRET_LENGTH
    assert first.config["SESSION_COOKIE_SECURE"] is False

    second = create_app({"INSTANCE_PATH": str(instance)})

    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_development_keys_differ_between_instances(clean_environ, tmp_path):
    one = create_app({"INSTANCE_PATH": str(tmp_path / "one")})
    two = create_app({"INSTANCE_PATH": str(tmp_path / "two")})
    assert one.config["SECRET_KEY"] != two.config["SECRET_KEY"]


def test_development_with_a_key_writes_no_file(clean_environ, tmp_path):
    app = create_app({"SECRET_KEY": STRONG_SECRET, "INSTANCE_PATH": str(tmp_path / "instance")})
    assert app.config["SECRET_KEY"] == STRONG_SECRET
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_sessions_signed_with_the_kept_key_survive_a_restart(clean_environ, tmp_path):
    instance = str(tmp_path / "instance")
    before = create_app({"INSTANCE_PATH": instance}).test_client()
    with before.session_transaction() as session:
        session["remember"] = "me"
    cookie = before.get_cookie("factcheck_session").value

    after = create_app({"INSTANCE_PATH": instance}).test_client()
    after.set_cookie("factcheck_session", cookie)
    with after.session_transaction() as session:
        assert session["remember"] == "me"


# --- rate limits across processes (issue 13, item 3) ----------------------------------------


def test_production_refuses_per_process_rate_limits_in_one_line(clean_environ, tmp_path):
    overrides = {
        "ENV": "production",
        "SECRET_KEY": STRONG_SECRET,
        "AUDIT_KEY": STRONG_AUDIT_KEY,
        "INSTANCE_PATH": str(tmp_path / "i"),
    }
    with pytest.raises(RuntimeError) as raised:
        create_app(overrides)
    message = str(raised.value)
    assert "\n" not in message
    assert "FACTCHECK_RATELIMIT_STORAGE_URI=redis://" in message
    assert "FACTCHECK_RATELIMIT_SINGLE_PROCESS=true" in message

    # Acknowledged as one process, it starts.
    assert create_app({**overrides, "RATELIMIT_SINGLE_PROCESS": True}).config["ENV"] == "production"


def test_the_cli_reports_the_refusal_without_a_traceback(clean_environ, tmp_path):
    from click.testing import CliRunner

    from factcheck.cli import main

    clean_environ.setenv("FACTCHECK_ENV", "production")
    clean_environ.setenv("FACTCHECK_SECRET_KEY", STRONG_SECRET)
    clean_environ.setenv("FACTCHECK_AUDIT_KEY", STRONG_AUDIT_KEY)
    clean_environ.setenv("FACTCHECK_INSTANCE_PATH", str(tmp_path / "i"))
    result = CliRunner().invoke(main, ["users", "--help"])
    assert "refusing to start in production with rate limits kept per process" in result.output
    assert "Traceback" not in result.output
