"""Findings of the adversarial pass, against the real app over real HTTP: staff data only after login, wrong
logins slowed per client, upload totals capped, lone surrogates refused, Host/Origin/framing rules, and
Gradio's GRADIO_SERVER_NAME/_PORT honoured."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import time
from pathlib import Path

import pytest

from tests.security import gradio_events
from tests.security.conftest import ROOT, RunningApp
from tests.security.test_launch import fetch, listening_addresses

pytestmark = pytest.mark.slow
STAFF = ("editor", "Zq9-only-staff-know-this")
STAFF_DOC, STAFF_TITLE, STAFF_TEXT = (
    "internal-zeta.txt",
    "内部资料泽塔",
    "这是一段只给管理员看的段落，代号泽塔。",
)
COMMENT, ASKED = "反馈评论欧米伽只给管理员看", "问题欧米伽"
ALLOWED_ORIGIN = "http://127.0.0.1:9"
MB = 1_048_576


def plant_staff_data(base: Path) -> None:
    """A document and a feedback entry that only staff may see."""
    from reportqa.feedback import FeedbackStore

    knowledge = base / "knowledge"
    shutil.copytree(ROOT / "knowledge", knowledge)
    (knowledge / STAFF_DOC).write_text(f"内部资料\n\n{STAFF_TEXT}\n", encoding="utf-8")
    manifest = json.loads((knowledge / "manifest.json").read_text(encoding="utf-8"))
    manifest["documents"][STAFF_DOC] = {"title": STAFF_TITLE}
    (knowledge / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    for path in knowledge.iterdir():
        path.chmod(0o644)
    (base / "data").mkdir()
    FeedbackStore(base / "data" / "feedback.sqlite3").add("down", ASKED, "回答", [], COMMENT)


@pytest.fixture(scope="module")
def app(app_factory, tmp_path_factory) -> RunningApp:
    cache = tmp_path_factory.mktemp("gradio-cache")
    env = {
        "REPORTQA_STAFF_USER": STAFF[0],
        "REPORTQA_STAFF_PASSWORD": STAFF[1],
        "REPORTQA_LOGIN_BACKOFF_S": "1",
        "REPORTQA_MAX_UPLOAD_MB": "1",
        "REPORTQA_MAX_UPLOAD_REQUEST_MB": "2",
        "REPORTQA_UPLOAD_CACHE_MB": "3",
        "REPORTQA_EMBED_ORIGINS": ALLOWED_ORIGIN,
        "GRADIO_TEMP_DIR": str(cache),
    }
    return app_factory(plant_staff_data, env, gradio_env=True)  # no REPORTQA_SERVER_*: Gradio's variables


def log_of(app: RunningApp) -> str:
    return (app.base / "app.log").read_text(encoding="utf-8", errors="replace")


def test_gradio_server_name_and_port_place_the_app(app):
    assert listening_addresses(app.port) == {"0100007F"}  # GRADIO_SERVER_NAME=127.0.0.1, GRADIO_SERVER_PORT


# -- 1. staff data reaches the page only through the login ----------------------------------------------------
SECRETS = (STAFF_DOC, STAFF_TITLE, STAFF_TEXT, COMMENT, ASKED)


def assert_public(app: RunningApp) -> None:
    for path in ("config", "config?page=chat", "", "chat"):
        status, body = fetch(app.url + path)
        text = body.decode("utf-8")
        assert status == 200 and not [s for s in SECRETS if s in text], path


def login(app: RunningApp, user: str, password: str, session: str | None = None) -> list:
    event = gradio_events.find_event(app.url, "rq-login-button", "click")
    return gradio_events.run(app.url, event, [user, password, None], session)


def test_the_public_config_carries_no_staff_data(app):
    assert_public(app)


def test_staff_data_arrives_with_the_login_and_only_for_that_session(app):
    outputs = login(app, *STAFF)
    shown = json.dumps(outputs, ensure_ascii=False)
    assert all(s in shown for s in (STAFF_DOC, STAFF_TITLE, STAFF_TEXT, COMMENT))
    assert_public(app)  # still nothing for anyone else


# -- 2. wrong logins are slowed per client and logged without the password ------------------------------------
def test_wrong_logins_are_locked_out_with_growing_waits(app):
    session = "throttle1"
    messages = [login(app, STAFF[0], f"guess-{i}", session)[1] for i in range(3)]
    assert all("用户名或密码不正确" in m for m in messages)  # three free tries
    assert (
        "登录失败次数过多" in login(app, STAFF[0], "guess-3", session)[1]
    )  # the fourth locks the client out
    assert "登录失败次数过多" in login(app, *STAFF, session)[1]  # even the right password waits
    started, tries = time.monotonic(), 0
    while time.monotonic() - started < 3.5:  # a guessing loop, as fast as the server answers
        login(app, STAFF[0], f"burst-{tries}", session)
        tries += 1
    log = log_of(app)
    checked = log.count("staff login failed from")
    assert tries >= 15 and checked <= 7, (tries, checked)  # 4 before the burst, then at most 1 s + 2 s waits
    assert log.count("refused: locked out") >= tries - 3
    assert "guess-" not in log and "burst-" not in log and STAFF[1] not in log  # no password in the log
    assert "user 'editor'" in log
    wait = int(re.findall(r"请 (\d+) 秒后再试", login(app, STAFF[0], "x", session)[1])[0])
    time.sleep(wait + 0.2)
    outputs = login(app, *STAFF, session)
    assert STAFF_DOC in json.dumps(outputs, ensure_ascii=False)  # let in, and the count starts again


# -- 4. uploads: a total per request and for the upload folder -------------------------------------------------
def multipart(files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    parts = b"".join(
        b'--rq\r\nContent-Disposition: form-data; name="files"; filename="%s"\r\n'
        b"Content-Type: text/plain\r\n\r\n%s\r\n" % (name.encode(), data)
        for name, data in files
    )
    return parts + b"--rq--\r\n", "multipart/form-data; boundary=rq"


def upload(app: RunningApp, files: list[tuple[str, bytes]], chunked: bool = False) -> tuple[int, str]:
    body, kind = multipart(files)
    conn = http.client.HTTPConnection("127.0.0.1", app.port, timeout=60)
    try:
        conn.putrequest("POST", "/gradio_api/upload")
        conn.putheader("Content-Type", kind)
        conn.putheader(
            "Transfer-Encoding" if chunked else "Content-Length", "chunked" if chunked else str(len(body))
        )
        conn.endheaders()
        try:  # the app may answer and close before the whole body is sent
            for i in range(0, len(body), 65536):
                piece = body[i : i + 65536]
                conn.send(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            if chunked:
                conn.send(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def files_of(total: int, n: int) -> list[tuple[str, bytes]]:
    """`n` files of distinct random text (Gradio stores identical files once)."""
    return [(f"part{i}.txt", os.urandom(total // n // 2).hex().encode()) for i in range(n)]


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_an_upload_request_over_the_total_is_refused(app, chunked):
    status, text = upload(app, files_of(int(2.7 * MB), 3), chunked)  # each file under 1 MB, together 2.7
    assert status == 413 and "一次上传最多 2 MB" in text and "at most 2 MB" in text
    assert fetch(app.url)[0] == 200


def test_uploads_wait_once_the_upload_folder_is_full(app):
    status, text = upload(app, files_of(int(1.8 * MB), 2))
    assert status == 200, text
    status, text = upload(app, files_of(int(1.8 * MB), 2))  # 3.6 MB would pass the folder's 3 MB
    assert status == 503 and "上传空间暂时已满" in text
    assert fetch(app.url)[0] == 200


# -- 5. a lone surrogate through the chat's queue route -----------------------------------------------------------
@pytest.mark.parametrize("question", ["人才公寓\ud800", "\udfff", "\ud83d"])
def test_a_lone_surrogate_in_the_chat_is_a_clear_error(app, question):
    event = gradio_events.find_event(app.url, "rq-question", "submit")
    status, reply = gradio_events.join(app.url, event, [question, None, None], "surrogate")
    assert status == 400 and "代理项" in reply["detail"] and "lone UTF-16 surrogate" in reply["detail"]


def test_a_surrogate_pair_and_plain_questions_still_work(app):
    event = gradio_events.find_event(app.url, "rq-send", "click")
    outputs = gradio_events.run(app.url, event, ["计划建成多少套人才公寓？\U0001f600", None, None, None])
    assert "2000" in outputs[0] and "rq-cite" in outputs[0]


def test_the_api_refuses_a_lone_surrogate_too(app):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from gradio_client import Client

    client = Client(app.url, verbose=False)
    with pytest.raises(Exception, match="400|surrogate"):
        client.predict("人才公寓\ud800", api_name="/ask")


# -- 7. who may reach and frame the page -----------------------------------------------------------------------
def test_an_unknown_host_is_refused(app):
    for host in ("evil.example", "evil.example:80", "127.0.0.1.evil.example", "[::2]"):
        status, body = fetch(app.url + "config", headers={"Host": host})
        assert status == 400 and b"host" in body, host
    status, _ = fetch(app.url + "config", headers={"Host": "127.0.0.1", "X-Forwarded-Host": "evil.example"})
    assert status == 400
    assert fetch(app.url + "config", headers={"Host": f"localhost:{app.port}"})[0] == 200


def test_requests_from_other_sites_pages_are_refused_and_allowed_ones_get_cors(app):
    body = json.dumps({"data": [], "fn_index": 0, "session_hash": "x"}).encode()
    for origin in (
        "http://evil.example",
        "http://localhost:3000",
        f"http://127.0.0.1:{app.port + 1}",
        "null",
    ):
        status, _ = fetch(app.url + "gradio_api/queue/join", "POST", body, {"Origin": origin})
        assert status == 403, origin
    request = urllib_request(app, "config", {"Origin": ALLOWED_ORIGIN})
    assert request.status == 200 and request.getheader("Access-Control-Allow-Origin") == ALLOWED_ORIGIN
    own = urllib_request(app, "config", {"Origin": f"http://127.0.0.1:{app.port}"})
    assert own.status == 200  # the page's own requests carry its origin


def urllib_request(app: RunningApp, path: str, headers: dict) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", app.port, timeout=30)
    conn.request("GET", "/" + path, headers=headers)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def test_only_the_chat_page_may_be_framed_by_the_embedding_site(app):
    main = urllib_request(app, "", {})
    assert main.getheader("Content-Security-Policy") == "frame-ancestors 'self'"
    assert main.getheader("X-Frame-Options") == "SAMEORIGIN"
    chat = urllib_request(app, "chat", {})
    assert chat.status == 200 and chat.getheader("X-Frame-Options") is None
    assert chat.getheader("Content-Security-Policy") == f"frame-ancestors 'self' {ALLOWED_ORIGIN}"


def test_no_traceback_in_the_server_log(app):
    assert "Traceback" not in log_of(app)
