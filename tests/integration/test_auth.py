"""Sign-in, lockout, accounts, demo accounts and wall-display tokens on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from dashboard import auth, cli, sessions, setup
from dashboard import tables as t
from dashboard.catalogue import set_setting
from dashboard.domain import CALL_TAKER, OPD_ADMIN, SUPERVISOR, Actor, session_expired
from dashboard.errors import AuthError, InvalidInput, NotFound, PermissionDenied
from tests.conftest import ADMIN_USER, SUPERVISOR_EKA

NOW = datetime(2026, 11, 28, 3, 0, 0)  # 10:00 WIB
PASSWORD = "rahasia-112-kota"


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    """Still Argon2id, with small costs: these tests hash dozens of passwords."""
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8 * 1024))


def add_user(engine, username="ct.budi", role=CALL_TAKER, opd=None) -> int:
    return auth.create_user(
        engine,
        ADMIN_USER,
        username=username,
        full_name="Budi",
        password=PASSWORD,
        role=role,
        opd_code=opd,
        now=NOW,
    )


def user(engine, username):
    with engine.connect() as conn:
        return conn.execute(select(t.users).where(t.users.c.username == username)).one()


def test_a_password_is_stored_only_as_an_argon2_hash(engine):
    add_user(engine)
    stored = user(engine, "ct.budi").password_hash
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    actor = auth.authenticate(engine, "CT.Budi ", PASSWORD, now=NOW)
    assert (actor.username, actor.role) == ("ct.budi", CALL_TAKER)
    assert user(engine, "ct.budi").last_login_utc == NOW


def test_a_wrong_password_and_an_unknown_user_get_the_same_message(engine):
    add_user(engine)
    with pytest.raises(AuthError) as wrong:
        auth.authenticate(engine, "ct.budi", "salah-sekali", now=NOW)
    with pytest.raises(AuthError) as unknown:
        auth.authenticate(engine, "tidak.ada", "salah-sekali", now=NOW)
    assert str(wrong.value) == str(unknown.value) == "Nama pengguna atau kata sandi salah."


def test_repeated_failures_lock_the_account_for_the_configured_minutes(engine):
    add_user(engine)
    set_setting(engine, "login_max_failures", 3)
    set_setting(engine, "login_lockout_min", 10)
    for _ in range(2):
        with pytest.raises(AuthError, match="salah"):
            auth.authenticate(engine, "ct.budi", "salah-sekali", now=NOW)
    assert user(engine, "ct.budi").failed_attempts == 2  # each failure is kept
    with pytest.raises(AuthError, match="terkunci"):
        auth.authenticate(engine, "ct.budi", "salah-sekali", now=NOW)
    # Locked: even the right password is refused, with the time it opens again in WIB.
    with pytest.raises(AuthError, match="10:10:00 WIB"):
        auth.authenticate(engine, "ct.budi", PASSWORD, now=NOW + timedelta(minutes=9))
    actor = auth.authenticate(engine, "ct.budi", PASSWORD, now=NOW + timedelta(minutes=11))
    assert actor.username == "ct.budi"
    assert user(engine, "ct.budi").failed_attempts == 0


def test_a_successful_sign_in_resets_the_failure_count(engine):
    add_user(engine)
    for _ in range(4):
        with pytest.raises(AuthError):
            auth.authenticate(engine, "ct.budi", "salah-sekali", now=NOW)
    auth.authenticate(engine, "ct.budi", PASSWORD, now=NOW)
    with pytest.raises(AuthError, match="salah"):
        auth.authenticate(engine, "ct.budi", "salah-sekali", now=NOW)
    assert user(engine, "ct.budi").failed_attempts == 1


def test_an_admin_unlocks_a_locked_account_at_once(engine):
    user_id = add_user(engine)
    set_setting(engine, "login_max_failures", 1)
    with pytest.raises(AuthError, match="terkunci"):
        auth.authenticate(engine, "ct.budi", "salah-sekali", now=NOW)
    users = auth.list_users(engine, ADMIN_USER, now=NOW)
    assert users.set_index("username").loc["ct.budi", "locked"]
    with pytest.raises(PermissionDenied):
        auth.unlock_user(engine, SUPERVISOR_EKA, user_id)
    auth.unlock_user(engine, ADMIN_USER, user_id)
    assert auth.authenticate(engine, "ct.budi", PASSWORD, now=NOW).username == "ct.budi"


def test_a_deactivated_account_cannot_sign_in_and_its_session_ends(engine):
    user_id = add_user(engine)
    actor = auth.authenticate(engine, "ct.budi", PASSWORD, now=NOW)
    session_id, _ = sessions.open_session(engine, actor)
    assert sessions.check_session(engine, session_id=session_id, idle_min=30).actor.role == (
        CALL_TAKER
    )
    auth.set_user_active(engine, ADMIN_USER, user_id, active=False)
    with pytest.raises(AuthError, match="tidak aktif"):
        auth.authenticate(engine, "ct.budi", PASSWORD, now=NOW)
    ended = sessions.check_session(engine, session_id=session_id, idle_min=30)
    assert (ended.actor, ended.ended) == (None, sessions.ENDED_ACCOUNT)
    # Reactivated: the old session stays over, a new sign-in works.
    auth.set_user_active(engine, ADMIN_USER, user_id, active=True)
    assert sessions.check_session(engine, session_id=session_id, idle_min=30).actor is None
    again, _ = sessions.open_session(engine, actor)
    assert sessions.check_session(engine, session_id=again, idle_min=30).actor == actor


def test_an_admin_cannot_deactivate_their_own_account(engine):
    own = add_user(engine, username="admin.kedua", role="admin")
    with pytest.raises(InvalidInput, match="sendiri"):
        auth.set_user_active(engine, Actor("admin.kedua", "admin"), own, active=False)


def test_an_admin_resets_a_password_and_the_old_one_stops_working(engine):
    user_id = add_user(engine)
    with pytest.raises(InvalidInput, match="minimal 10"):
        auth.reset_password(engine, ADMIN_USER, user_id, "pendek")
    auth.reset_password(engine, ADMIN_USER, user_id, "kata-sandi-baru-112")
    with pytest.raises(AuthError):
        auth.authenticate(engine, "ct.budi", PASSWORD, now=NOW)
    assert auth.authenticate(engine, "ct.budi", "kata-sandi-baru-112", now=NOW)
    with pytest.raises(NotFound):
        auth.reset_password(engine, ADMIN_USER, 999_999, "kata-sandi-baru-112")


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"actor": SUPERVISOR_EKA}, PermissionDenied, "tidak berwenang"),
        ({"role": OPD_ADMIN, "opd_code": None}, InvalidInput, "terikat pada satu OPD"),
        ({"role": OPD_ADMIN, "opd_code": "NASA"}, InvalidInput, "OPD tidak dikenal"),
        ({"role": "wall"}, InvalidInput, "Peran tidak dikenal"),
        ({"password": "pendek"}, InvalidInput, "minimal 10"),
        ({"username": "budi santoso"}, InvalidInput, "Nama pengguna"),
        ({"username": "ct.ani"}, InvalidInput, "sudah dipakai"),
    ],
)
def test_bad_new_accounts_are_refused(engine, changes, error, message):
    add_user(engine, username="ct.ani")
    values = {
        "actor": ADMIN_USER,
        "username": "ct.baru",
        "full_name": "Baru",
        "password": PASSWORD,
        "role": CALL_TAKER,
        "opd_code": None,
    } | changes
    actor = values.pop("actor")
    with pytest.raises(error, match=message):
        auth.create_user(engine, actor, **values)
    assert len(auth.list_users(engine, ADMIN_USER)) == 1


def test_an_opd_admin_is_bound_to_one_opd(engine):
    add_user(engine, username="opd.bpbd2", role=OPD_ADMIN, opd="BPBD")
    actor = auth.authenticate(engine, "opd.bpbd2", PASSWORD, now=NOW)
    assert (actor.role, actor.opd_code) == (OPD_ADMIN, "BPBD")


def test_the_user_list_never_carries_password_hashes(engine):
    add_user(engine)
    frame = auth.list_users(engine, ADMIN_USER)
    assert "password_hash" not in frame.columns
    assert not frame.astype(str).apply(lambda col: col.str.contains("argon2")).any().any()
    with pytest.raises(PermissionDenied):
        auth.list_users(engine, SUPERVISOR_EKA)


def test_idle_sessions_expire_after_the_limit():
    start = datetime(2026, 11, 28, 3, 0, 0)
    assert not session_expired(start, now=start + timedelta(minutes=30), idle_min=30)
    assert session_expired(start, now=start + timedelta(minutes=31), idle_min=30)


def test_the_first_admin_is_created_from_the_command_line(engine, monkeypatch, capsys):
    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("SIAGA_FIRST_ADMIN_PASSWORD", PASSWORD)
    monkeypatch.setenv("SIAGA_DEMO", "0")
    code = cli.main(
        [
            "--database-url",
            url,
            "create-user",
            "kepala.112",
            "--role",
            "admin",
            "--name",
            "Kepala Call Center",
            "--password-env",
            "SIAGA_FIRST_ADMIN_PASSWORD",
        ]
    )
    assert code == 0 and "kepala.112" in capsys.readouterr().out
    actor = auth.authenticate(engine, "kepala.112", PASSWORD, now=NOW)
    assert (actor.role, actor.full_name) == ("admin", "Kepala Call Center")
    monkeypatch.setenv("SIAGA_FIRST_ADMIN_PASSWORD", "pendek")
    again = cli.main(
        [
            *("--database-url", url, "create-user", "kedua", "--role", "admin"),
            *("--password-env", "SIAGA_FIRST_ADMIN_PASSWORD"),
        ]
    )
    assert again == 1 and "minimal 10" in capsys.readouterr().err


def test_demo_accounts_exist_in_demo_mode_and_are_closed_when_it_is_turned_off(engine):
    setup.ensure_demo_users(engine)
    assert auth.authenticate(engine, "spv.eka", setup.DEMO_PASSWORD).role == SUPERVISOR
    assert auth.display_actor(engine, setup.DEMO_DISPLAY_TOKEN).role == "wall"
    setup.prepare_database(engine, demo_mode=False, retire_demo=True)
    with pytest.raises(AuthError, match="tidak aktif"):
        auth.authenticate(engine, "spv.eka", setup.DEMO_PASSWORD)
    with pytest.raises(AuthError):
        auth.display_actor(engine, setup.DEMO_DISPLAY_TOKEN)


def test_a_demo_account_given_its_own_password_survives_leaving_demo_mode(engine):
    setup.ensure_demo_users(engine)
    admin_id = user(engine, "admin").id
    auth.reset_password(engine, ADMIN_USER, admin_id, "kata-sandi-kantor-112")
    assert setup.retire_demo_accounts(engine) == len(setup.DEMO_USERS) - 1
    assert auth.authenticate(engine, "admin", "kata-sandi-kantor-112").role == "admin"


def test_other_commands_leave_demo_accounts_alone(engine):
    setup.ensure_demo_users(engine)
    setup.prepare_database(engine, demo_mode=False)
    assert auth.authenticate(engine, "ct.ani", setup.DEMO_PASSWORD).role == CALL_TAKER


def test_a_wall_display_token_is_shown_once_stored_hashed_and_can_be_revoked(engine):
    with pytest.raises(PermissionDenied):
        auth.create_display_token(engine, SUPERVISOR_EKA, name="TV")
    token = auth.create_display_token(engine, ADMIN_USER, name="TV ruang komando")
    display = auth.display_actor(engine, token)
    assert (display.role, display.full_name) == ("wall", "TV ruang komando")
    tokens = auth.list_display_tokens(engine, ADMIN_USER)
    assert token not in tokens.astype(str).to_string()
    with engine.connect() as conn:
        stored = conn.execute(select(t.display_tokens.c.token_hash)).scalars().all()
    assert token not in stored
    token_id = int(tokens["id"].iloc[0])
    with pytest.raises(PermissionDenied):
        auth.revoke_display_token(engine, SUPERVISOR_EKA, token_id)
    auth.revoke_display_token(engine, ADMIN_USER, token_id)
    with pytest.raises(AuthError, match="dicabut"):
        auth.display_actor(engine, token)
    with pytest.raises(NotFound):
        auth.revoke_display_token(engine, ADMIN_USER, token_id)
