"""Admin: users, OPD catalogue and routing rules, facility positions, map layers, wall displays."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from dashboard import admin, apikeys, audit, auth, channels, intake_api, labels
from dashboard.domain import OPD_ADMIN, ROLES, WALL, format_wib, wib_days_utc, wib_today
from dashboard.layers import LAYER_NAMES
from pages import components, ui

NEW_TOKEN_KEY = "admin_new_display_token"
NEW_API_KEY_KEY = "admin_new_api_key"
NEW_CHANNEL_SECRET_KEY = "admin_new_channel_secret"

actor = ui.require("admin")
engine = ui.get_engine()
st.title(labels.ADMIN_TITLE)
ui.show_flash()


def _act(func, *args, success: str | None = None, **kwargs):
    """ui.act for this page: the service runs on the live database as the signed-in admin."""
    return ui.act(func, engine, actor, *args, success=success, **kwargs)


def _value(key: str, default: object = None) -> object:
    return st.session_state.get(key, default)


def _create_user() -> None:
    role = _value("new_user_role")
    done, _ = _act(
        auth.create_user,
        username=_value("new_user_name", ""),
        full_name=_value("new_user_full_name", ""),
        password=_value("new_user_password", ""),
        role=role,
        opd_code=_value("new_user_opd") if role == OPD_ADMIN else None,
        success=labels.DONE_USER_CREATED.format(username=_value("new_user_name", "")),
    )
    if done:
        for key in ("new_user_name", "new_user_full_name", "new_user_password"):
            st.session_state[key] = ""


def _user_action(action: str) -> None:
    user_id = _value("user_pick")
    if user_id is None:
        ui.flash_error(labels.PICK_USER_FIRST)
        return
    if action == "unlock":
        _act(auth.unlock_user, user_id, success=labels.DONE_USER_UNLOCKED)
    elif action in ("activate", "deactivate"):
        _act(
            auth.set_user_active,
            user_id,
            active=action == "activate",
            success=labels.DONE_USER_SAVED,
        )
    elif action == "password":
        done, _ = _act(
            auth.reset_password,
            user_id,
            _value("user_new_password", ""),
            success=labels.DONE_PASSWORD_RESET,
        )
        if done:
            st.session_state["user_new_password"] = ""


def _save_opd() -> None:
    _act(
        admin.save_opd,
        code=_value("opd_code", ""),
        name=_value("opd_name", ""),
        short_name=_value("opd_short", ""),
        phone=_value("opd_phone", ""),
        description=_value("opd_description", ""),
        active=bool(_value("opd_active", True)),
        success=labels.DONE_OPD_SAVED,
    )


def _set_default() -> None:
    _act(
        admin.set_default_opd,
        _value("route_category"),
        _value("route_default_opd"),
        success=labels.DONE_ROUTING_SAVED,
    )


def _set_override(remove: bool) -> None:
    _act(
        admin.set_area_override,
        _value("override_category"),
        _value("override_kecamatan"),
        None if remove else _value("override_opd"),
        success=labels.DONE_ROUTING_SAVED,
    )


def _move_facility(facility_id: str) -> None:
    _act(
        admin.move_facility,
        facility_id,
        lat=_value(f"facility_lat_{facility_id}"),
        lon=_value(f"facility_lon_{facility_id}"),
        success=labels.DONE_FACILITY_MOVED,
    )


def _create_token() -> None:
    done, token = _act(auth.create_display_token, name=_value("token_name", ""))
    if done:
        st.session_state[NEW_TOKEN_KEY] = token
        st.session_state["token_name"] = ""


def _revoke_token() -> None:
    _act(auth.revoke_display_token, _value("token_pick"), success=labels.DONE_TOKEN_REVOKED)


def _add_channel() -> None:
    done, new = _act(
        channels.add_channel,
        opd_code=_value("channel_opd"),
        channel=_value("channel_kind"),
        target=_value("channel_target", ""),
        success=labels.DONE_CHANNEL_ADDED,
    )
    if done:
        st.session_state["channel_target"] = ""
        if new.secret:
            st.session_state[NEW_CHANNEL_SECRET_KEY] = new.secret


def _deactivate_channel() -> None:
    _act(
        channels.deactivate_channel, _value("channel_pick"), success=labels.DONE_CHANNEL_DEACTIVATED
    )


users_tab, opd_tab, facility_tab, layer_tab, display_tab, audit_tab, api_tab, channel_tab = st.tabs(
    (*labels.ADMIN_TABS, labels.AUDIT_TAB, labels.API_TAB, labels.CHANNELS_TAB)
)

with users_tab:
    users = ui.run_service(auth.list_users, engine, actor, now=ui.now_utc())
    opd_names = ui.run_service(admin.opd_names, engine) or {}
    if users is not None:
        st.dataframe(admin.users_frame(users), hide_index=True, width="stretch")
        st.markdown(f"**{labels.USER_MANAGE_HEADING}**")
        names = dict(zip(users["id"], users["username"], strict=True))
        components.choose(
            st.selectbox,
            labels.FIELD_USER,
            names,
            index=None,
            placeholder=labels.PICK_USER_PLACEHOLDER,
            key="user_pick",
        )
        cols = st.columns(3)
        cols[0].button(labels.BTN_UNLOCK, on_click=_user_action, args=("unlock",))
        cols[1].button(labels.BTN_DEACTIVATE, on_click=_user_action, args=("deactivate",))
        cols[2].button(labels.BTN_ACTIVATE, on_click=_user_action, args=("activate",))
        with st.form("reset_password"):
            st.text_input(labels.FIELD_NEW_PASSWORD, type="password", key="user_new_password")
            st.form_submit_button(
                labels.BTN_RESET_PASSWORD, on_click=_user_action, args=("password",)
            )
    with st.form("create_user"):
        st.markdown(f"**{labels.USER_CREATE_HEADING}**")
        st.text_input(labels.FIELD_USERNAME, key="new_user_name")
        st.text_input(labels.FIELD_FULL_NAME, key="new_user_full_name")
        st.selectbox(
            labels.FIELD_ROLE,
            [r for r in ROLES if r != WALL],
            format_func=lambda r: labels.ROLE.get(r, r),
            key="new_user_role",
        )
        components.choose(
            st.selectbox,
            labels.FIELD_USER_OPD,
            opd_names,
            index=None,
            placeholder=labels.USER_OPD_PLACEHOLDER,
            key="new_user_opd",
        )
        st.text_input(labels.FIELD_PASSWORD, type="password", key="new_user_password")
        st.form_submit_button(labels.BTN_CREATE_USER, type="primary", on_click=_create_user)

with opd_tab:
    opds = ui.run_service(admin.opd_table, engine, actor)
    if opds is not None:
        st.dataframe(admin.opd_frame(opds), hide_index=True, width="stretch")
    with st.form("save_opd"):
        st.markdown(f"**{labels.OPD_FORM_HEADING}**")
        left, right = st.columns(2)
        left.text_input(labels.FIELD_OPD_CODE, key="opd_code", help=labels.HELP_OPD_CODE)
        right.text_input(labels.FIELD_OPD_SHORT, key="opd_short")
        st.text_input(labels.FIELD_OPD_NAME, key="opd_name")
        left, right = st.columns(2)
        left.text_input(labels.FIELD_OPD_PHONE, key="opd_phone")
        right.checkbox(labels.FIELD_OPD_ACTIVE, value=True, key="opd_active")
        st.text_input(labels.FIELD_OPD_DESCRIPTION, key="opd_description")
        st.form_submit_button(labels.BTN_SAVE_OPD, on_click=_save_opd)
    st.markdown(f"**{labels.ROUTING_HEADING}**")
    routing = ui.run_service(admin.routing_table, engine, actor)
    if routing is not None:
        st.dataframe(admin.routing_frame(routing), hide_index=True, width="stretch")
        categories = dict(zip(routing["category_code"], routing["category_name"], strict=True))
        with st.form("routing_default"):
            st.markdown(f"**{labels.ROUTING_DEFAULT_HEADING}**")
            left, right = st.columns(2)
            components.choose(
                left.selectbox, labels.FIELD_CATEGORY, categories, key="route_category"
            )
            components.choose(right.selectbox, labels.FIELD_OPD, opd_names, key="route_default_opd")
            st.form_submit_button(labels.BTN_SAVE_ROUTING, on_click=_set_default)
        kecamatan = ui.run_service(admin.kecamatan_choices, engine) or ()
        with st.form("routing_override"):
            st.markdown(f"**{labels.ROUTING_OVERRIDE_HEADING}**")
            cols = st.columns(3)
            components.choose(
                cols[0].selectbox, labels.FIELD_CATEGORY, categories, key="override_category"
            )
            cols[1].selectbox(labels.FIELD_KECAMATAN, list(kecamatan), key="override_kecamatan")
            components.choose(cols[2].selectbox, labels.FIELD_OPD, opd_names, key="override_opd")
            left, right = st.columns(2)
            left.form_submit_button(labels.BTN_SAVE_OVERRIDE, on_click=_set_override, args=(False,))
            right.form_submit_button(
                labels.BTN_REMOVE_OVERRIDE, on_click=_set_override, args=(True,)
            )

with facility_tab:
    facilities = ui.run_service(admin.facility_table, engine, actor)
    if facilities is not None:
        st.caption(labels.FACILITY_CAPTION)
        st.dataframe(admin.facility_frame(facilities), hide_index=True, width="stretch")
        by_id = {row.id: row for row in facilities.itertuples()}
        picked = st.selectbox(
            labels.FIELD_FACILITY,
            list(by_id),
            index=None,
            format_func=lambda i: admin.facility_label(by_id[i]),
            placeholder=labels.PICK_FACILITY_PLACEHOLDER,
            key="facility_pick",
        )
        if picked is not None:
            row = by_id[picked]
            with st.form(f"move_{picked}"):
                left, right = st.columns(2)
                left.number_input(
                    labels.FIELD_LAT,
                    value=float(row.lat),
                    format="%.6f",
                    key=f"facility_lat_{picked}",
                )
                right.number_input(
                    labels.FIELD_LON,
                    value=float(row.lon),
                    format="%.6f",
                    key=f"facility_lon_{picked}",
                )
                st.form_submit_button(
                    labels.BTN_MOVE_FACILITY, on_click=_move_facility, args=(picked,)
                )

with layer_tab:
    st.caption(labels.LAYER_CAPTION)
    with st.form("import_layer", clear_on_submit=True):
        layer = st.selectbox(
            labels.FIELD_LAYER, list(LAYER_NAMES), format_func=lambda n: labels.LAYER.get(n, n)
        )
        upload = st.file_uploader(labels.FIELD_LAYER_FILE, type=["geojson", "json", "gpkg", "zip"])
        submitted = st.form_submit_button(labels.BTN_IMPORT_LAYER)
    if submitted and upload is not None:
        count = ui.run_service(
            admin.import_layer_upload, engine, actor, layer, upload.name, upload.getvalue()
        )
        if count is not None:
            st.success(labels.DONE_LAYER_IMPORTED.format(layer=layer, count=count))
    elif submitted:
        st.error(labels.ERR_NO_FILE)
    layers = ui.run_service(admin.layer_table, engine, actor)
    if layers is not None:
        st.dataframe(layers, hide_index=True, width="stretch")

with display_tab:
    token = st.session_state.pop(NEW_TOKEN_KEY, None)
    if token:
        st.success(labels.TOKEN_SHOWN_ONCE)
        st.code(f"/layar?token={token}", language=None)
    tokens = ui.run_service(auth.list_display_tokens, engine, actor)
    if tokens is not None:
        st.dataframe(admin.token_frame(tokens), hide_index=True, width="stretch")
        active = tokens[tokens["revoked_at_utc"].isna()]
        names = dict(zip(active["id"], active["name"], strict=True))
        with st.form("revoke_token"):
            components.choose(st.selectbox, labels.FIELD_TOKEN, names, key="token_pick")
            st.form_submit_button(labels.BTN_REVOKE_TOKEN, on_click=_revoke_token)
    with st.form("create_token"):
        st.text_input(labels.FIELD_TOKEN_NAME, key="token_name")
        st.form_submit_button(labels.BTN_CREATE_TOKEN, type="primary", on_click=_create_token)

with audit_tab:
    st.caption(labels.AUDIT_CAPTION)
    left, right = st.columns([1, 1])
    entity = left.selectbox(
        labels.AUDIT_FILTER_ENTITY,
        [None, *audit.ENTITIES],
        format_func=lambda e: labels.AUDIT_FILTER_ALL if e is None else labels.AUDIT_ENTITY[e],
        key="audit_entity",
    )
    today = wib_today(ui.now_utc())
    days = right.date_input(
        labels.AUDIT_FILTER_DATES,
        value=(today - timedelta(days=30), today),
        max_value=today,
        format="DD/MM/YYYY",
        key="audit_dates",
    )
    if isinstance(days, tuple) and len(days) == 2:
        since, until = wib_days_utc(days[0], days[1])
        log = ui.run_service(
            audit.audit_log, engine, actor, entity=entity, since=since, until=until
        )
        if log is not None and log.empty:
            st.info(labels.AUDIT_EMPTY)
        elif log is not None:
            st.caption(labels.AUDIT_SHOWN.format(count=len(log)))
            st.dataframe(audit.audit_frame(log), hide_index=True, width="stretch")


def _create_api_key() -> None:
    done, created = _act(
        apikeys.create_key,
        name=_value("api_key_name", ""),
        scopes=tuple(_value("api_key_scopes", ["intake"])),
    )
    if done:
        st.session_state[NEW_API_KEY_KEY] = created[1]
        st.session_state["api_key_name"] = ""


def _revoke_api_key() -> None:
    if not _value("api_key_revoke_confirm", False):
        ui.flash_error(labels.API_REVOKE_NEEDS_CONFIRM)
        return
    done, _ = _act(apikeys.revoke_key, _value("api_key_pick"), success=labels.DONE_API_KEY_REVOKED)
    if done:
        st.session_state["api_key_revoke_confirm"] = False


with api_tab:
    st.caption(labels.API_TAB_CAPTION)
    new_key = st.session_state.pop(NEW_API_KEY_KEY, None)
    if new_key:
        st.warning(labels.API_KEY_SHOWN_ONCE)
        st.code(new_key, language=None)
    with st.form("create_api_key"):
        st.text_input(labels.FIELD_API_KEY_NAME, key="api_key_name")
        st.multiselect(
            labels.FIELD_API_KEY_SCOPES,
            list(apikeys.SCOPES),
            default=["intake"],
            format_func=labels.API_SCOPE.get,
            placeholder=labels.API_KEY_SCOPES_PLACEHOLDER,
            key="api_key_scopes",
        )
        st.form_submit_button(labels.BTN_CREATE_API_KEY, type="primary", on_click=_create_api_key)
    api_keys = ui.run_service(apikeys.list_keys, engine, actor)
    if api_keys is not None:
        st.markdown(f"**{labels.API_KEYS_HEADING}**")
        st.dataframe(apikeys.key_frame(api_keys), hide_index=True, width="stretch")
        active_keys = api_keys[api_keys["revoked_at_utc"].isna()]
        key_names = {
            int(row.id): f"{row.key_prefix}… · {row.name}" for row in active_keys.itertuples()
        }
        with st.form("revoke_api_key"):
            components.choose(
                st.selectbox,
                labels.FIELD_API_KEY,
                key_names,
                placeholder=labels.API_KEY_PICK,
                key="api_key_pick",
            )
            st.checkbox(labels.API_REVOKE_CONFIRM, key="api_key_revoke_confirm")
            st.form_submit_button(labels.BTN_REVOKE_API_KEY, on_click=_revoke_api_key)
    api_log = ui.run_service(intake_api.recent_requests, engine, actor, limit=50)
    if api_log is not None:
        st.markdown(f"**{labels.API_REQUESTS_HEADING}**")
        if api_log.empty:
            st.info(labels.API_REQUESTS_EMPTY)
        else:
            st.dataframe(intake_api.requests_frame(api_log), hide_index=True, width="stretch")

with channel_tab:
    st.markdown(f"**{labels.CHANNELS_HEADING}**")
    st.caption(labels.CHANNELS_CAPTION)
    channel_secret = st.session_state.pop(NEW_CHANNEL_SECRET_KEY, None)
    if channel_secret:
        st.warning(labels.CHANNEL_SECRET_ONCE)
        st.code(channel_secret, language=None)
    channel_rows = ui.run_service(channels.list_channels, engine, actor)
    if channel_rows is not None:
        if channel_rows:
            st.dataframe(channels.channels_frame(channel_rows), hide_index=True, width="stretch")
        else:
            st.info(labels.NO_CHANNELS)
        active_channels = {
            c["id"]: f"{c['opd_code']} · {labels.CHANNEL_KIND[c['channel']]} · {c['target']}"
            for c in channel_rows
            if c["active"]
        }
        if active_channels:
            with st.form("deactivate_channel"):
                components.choose(
                    st.selectbox, labels.FIELD_CHANNEL, active_channels, key="channel_pick"
                )
                st.form_submit_button(labels.BTN_DEACTIVATE_CHANNEL, on_click=_deactivate_channel)
    channel_opds = ui.run_service(admin.opd_names, engine) or {}
    with st.form("add_channel"):
        st.markdown(f"**{labels.CHANNEL_ADD_HEADING}**")
        left, middle = st.columns(2)
        components.choose(left.selectbox, labels.FIELD_CHANNEL_OPD, channel_opds, key="channel_opd")
        middle.selectbox(
            labels.FIELD_CHANNEL_KIND,
            list(channels.CHANNELS),
            format_func=labels.CHANNEL_KIND.get,
            key="channel_kind",
        )
        st.text_input(labels.FIELD_CHANNEL_TARGET, key="channel_target")
        st.form_submit_button(labels.BTN_ADD_CHANNEL, type="primary", on_click=_add_channel)
    st.markdown(f"**{labels.OUTBOX_HEADING}**")
    outbox_counts = ui.run_service(channels.outbox_counts, engine, actor)
    if outbox_counts is not None:
        st.markdown(
            labels.OUTBOX_COUNTS.format(
                **{status: f"**{count}**" for status, count in outbox_counts.items()}
            )
        )
    messages = ui.run_service(channels.recent_messages, engine, actor)
    if messages is not None:
        if messages:
            st.caption(labels.OUTBOX_RECENT_CAPTION)
            st.dataframe(channels.outbox_frame(messages), hide_index=True, width="stretch")
        else:
            st.info(labels.NO_MESSAGES)

st.caption(labels.ADMIN_FOOTER.format(at=format_wib(ui.now_utc())))
