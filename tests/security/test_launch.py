"""The real app, started as a subprocess: file-route refusals, loopback only, request limits, clean API errors."""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.security.conftest import SECRET, RunningApp

pytestmark = pytest.mark.slow
PASSWD_LINE = "root:x:0:0"


def plant_secrets(base: Path) -> None:
    """A .env in the app's working folder and a secret file in its data folder."""
    (base / ".env").write_text(f"REPORTQA_LLM_API_KEY={SECRET}\nOTHER_SECRET={SECRET}\n", encoding="utf-8")
    (base / "data").mkdir()
    (base / "data" / "secret.txt").write_text(SECRET, encoding="utf-8")


@pytest.fixture(scope="module")
def app(app_factory) -> RunningApp:
    return app_factory(plant_secrets)


def fetch(url: str, method: str = "GET", body: bytes | None = None, headers: dict | None = None):
    """(status, body) without following redirects or raising on 4xx/5xx."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def file_paths(app: RunningApp) -> list[str]:
    base, data = str(app.base), str(app.data_dir)
    return [
        "/etc/passwd",
        "/etc/passwd%00.txt",
        "..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
        "..%252f..%252f..%252fetc%252fpasswd",
        "%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "....//....//....//etc/passwd",
        "..\\..\\..\\..\\etc\\passwd",
        "/tmp/gradio/../../etc/passwd",
        "/proc/self/environ",
        "/proc/self/cwd/.env",
        ".env",
        "./.env",
        f"{base}/.env",
        f"{base}/.ENV",
        f"{base}//.env",
        f"{base}/data/../.env",
        "data/secret.txt",
        f"{data}/secret.txt",
        f"{data}/chroma/chroma.sqlite3",
        f"{data}/CHROMA/chroma.sqlite3",
        f"{data}/feedback.sqlite3",
        f"{base}/knowledge/manifest.json",
        str(Path(__file__).resolve()),
        "http://127.0.0.1:1/x",
        "https://example.com/x.png",
        "http:%2f%2f169.254.169.254/latest/meta-data/",
    ]


PREFIXES = [
    "/gradio_api/file=",
    "/GRADIO_API/FILE=",
    "/gradio_api/FILE=",
    "/Gradio_Api/File=",
    "/file=",
    "/gradio_api/file%3d",
    "/gradio_api//file=",
    "/gradio_api/file/",  # the deprecated alias of the file route
    "/gradio_api/FILE/",
]


def test_the_chroma_store_and_secrets_exist_where_the_tests_look(app):
    assert (app.data_dir / "chroma" / "chroma.sqlite3").is_file()
    assert (app.base / ".env").is_file() and (app.data_dir / "secret.txt").is_file()


@pytest.mark.parametrize("prefix", PREFIXES)
def test_the_file_route_refuses_secrets_traversal_and_remote_urls(app, prefix):
    for path in file_paths(app):
        status, body = fetch(app.url.rstrip("/") + prefix + path)
        text = body.decode("utf-8", "replace")
        assert 400 <= status < 500, (prefix + path, status, text[:200])
        assert SECRET not in text and PASSWD_LINE not in text and "SQLite format" not in text, prefix + path


def test_static_routes_do_not_traverse(app):
    for path in (
        "/static/../../../../etc/passwd",
        "/assets/..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/gradio_api/static/..%2f..%2f..%2f.env",
        "/favicon.ico/..%2f..%2f.env",
    ):
        status, body = fetch(app.url.rstrip("/") + path)
        text = body.decode("utf-8", "replace")
        assert SECRET not in text and PASSWD_LINE not in text, path


def test_monitoring_and_run_history_are_off(app):
    for path in ("/monitoring", "/gradio_api/runs", "/gradio_api/run-history/buckets"):
        status, body = fetch(app.url.rstrip("/") + path)
        assert 400 <= status < 500, (path, status, body[:200])


def listening_addresses(port: int) -> set[str]:
    """Local addresses of sockets listening on `port`, from /proc/net/tcp and tcp6 (hex, as the kernel shows them)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if int(hex_port, 16) == port and fields[3] == "0A":  # 0A: LISTEN
                found.add(address)
    return found


def test_the_app_listens_on_loopback_only(app):
    addresses = listening_addresses(app.port)
    assert addresses == {"0100007F"}, addresses  # 127.0.0.1; never 00000000 (0.0.0.0) or :: (all of IPv6)


def oversized_post(app: RunningApp, path: str, chunked: bool, size: int = 2_000_000) -> int:
    """POST `size` bytes (announced by Content-Length, or sent in chunks) and return the status the app answers."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", app.port, timeout=30)
    conn.putrequest("POST", path)
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Transfer-Encoding" if chunked else "Content-Length", "chunked" if chunked else str(size))
    conn.endheaders()
    try:  # the app may answer and close before the whole body is sent
        if chunked:
            piece = b"x" * 65536
            for _ in range(size // len(piece)):
                conn.send(b"%x\r\n%s\r\n" % (len(piece), piece))
            conn.send(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass
    try:
        return conn.getresponse().status
    finally:
        conn.close()


@pytest.mark.parametrize(
    "path", ["/gradio_api/call/ask", "/gradio_api/queue/join", "/gradio_api/run/predict"]
)
@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_an_oversized_request_body_is_refused(app, path, chunked):
    assert oversized_post(app, path, chunked) == 413


def test_an_oversized_upload_is_refused(app):
    payload = (
        b'--rq\r\nContent-Disposition: form-data; name="files"; filename="big.txt"\r\n'
        b"Content-Type: text/plain\r\n\r\n" + b"a" * (11 * 1_048_576) + b"\r\n--rq--\r\n"
    )
    try:
        status, _ = fetch(
            app.url + "gradio_api/upload",
            "POST",
            payload,
            {"Content-Type": "multipart/form-data; boundary=rq"},
        )
    except urllib.error.URLError as error:  # refused while the body was still being sent
        assert isinstance(error.reason, BrokenPipeError | ConnectionResetError)
        status = 413
    assert status == 413
    assert fetch(app.url)[0] == 200  # and the app is still serving


@pytest.fixture(scope="module")
def client(app):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from gradio_client import Client

    return Client(app.url, verbose=False)


@pytest.mark.parametrize(
    ("question", "message"),
    [("", "请输入一个问题"), ("\u200b\u202e", "请输入一个问题"), ("问" * 200_000, "问题太长（200000 个字符")],
)
def test_the_api_answers_bad_questions_with_a_clear_message(client, question, message):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match=message):
        client.predict(question, api_name="/ask")


def test_the_api_answers_a_question_of_html(client):
    answer, details = client.predict("<img src=x onerror=alert(1)><script>alert(1)</script>", api_name="/ask")
    assert answer and "citations" in details


def test_the_api_refuses_a_huge_history_and_checks_a_hostile_claim(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="太长"):
        client.predict("那科技型中小企业呢？", ["问" * 50_000], api_name="/ask")
    verdict = client.predict("<form action=http://example.com>2023年生产总值增长8%</form>", api_name="/check")
    assert verdict["verdict"] in ("supported", "contradicted", "not_found")


def test_the_server_log_has_no_traceback_from_refusals(app, client):
    log = (app.base / "app.log").read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in log
