"""The browser in a real headless Chromium: `solieu serve` as a real subprocess over the seed report loaded as
Markdown, text PDF and scan; facets, figure pages with the box on the page image, corrections, charts, search,
canned queries, the token beyond loopback and a PostgreSQL dataset served through its replica.

Screenshots go to tests/artifacts/ (gitignored).
"""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from pipeline.load import load_document, open_db
from tests.conftest import CORPUS, ROOT, SEED_MD, SEED_PDF

SEED_SCAN = CORPUS / "scans" / "binhson-2021-dan-van-kheo-scan.pdf"
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
SOLIEU = [sys.executable, "-m", "solieu.cli"]
#: The figure the tests open and correct: money of Bình Sơn, stated on page 4 of the text PDF.
MONEY = "380.000.000 đồng"

#: A later report whose parts do not add up to its total (100 ≠ 30 + 50): flagged sum_mismatch.
LATER_REPORT = """HUYỆN ỦY SƠN TỊNH
BÁO CÁO
Kết quả phong trào thi đua "Dân vận khéo" năm 2022

Trong năm 2022, toàn huyện huy động tổng kinh phí 100 triệu đồng, trong đó: nhân dân đóng góp 30 triệu đồng, \
doanh nghiệp hỗ trợ 50 triệu đồng.
"""

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SOLIEU_TOKEN"}
    env.setdefault("SOLIEU_CACHE_DIR", str(ROOT / ".cache" / "solieu"))
    return {**env, **extra}


class Server:
    """A running `solieu serve` subprocess."""

    def __init__(self, args: list[str], cwd: Path, env: dict[str, str] | None = None, host: str = "127.0.0.1"):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([*SOLIEU, "serve", *args, "--host", host, "--port", str(self.port)], cwd=cwd,
                                     env=env or _env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{self.base}/-/versions.json", timeout=2):
                    return
            except urllib.error.HTTPError:
                return  # it answers (a 403 or a redirect to sign in when a token is required)
            except (urllib.error.URLError, ConnectionError):
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    out = self.proc.stdout.read() if self.proc.stdout else ""
                    self.stop()
                    raise AssertionError(f"solieu serve did not come up: {out}") from None
                time.sleep(0.3)

    def stop(self) -> None:
        """Stop the server."""
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """Load the seed report as Markdown, text PDF and scan (real OCR) into a temporary SQLite dataset."""
    from pipeline.run import process_file

    work = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{work / 'solieu.db'}"
    engine = open_db(url)
    for path in (SEED_SCAN, SEED_MD, SEED_PDF):
        load_document(engine, process_file(str(path)))
    engine.dispose()
    return url, work


@pytest.fixture(scope="module")
def server(dataset: tuple[str, Path]) -> Iterator[Server]:
    """Serve the dataset on a free loopback port for the whole module."""
    url, work = dataset
    s = Server(["--db", url], cwd=work)
    yield s
    s.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Start headless Chromium (Debian's) through Playwright."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; `make test` installs it (apt package chromium)")
        pytest.skip("chromium not installed (apt package chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield b
        b.close()


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    """Yield a fresh browser page (own cookies)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    p = context.new_page()
    yield p
    context.close()


def _shot(page: Any, name: str, *, full: bool = True) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=full)


def _get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as r:
        return json.loads(r.read())


def _highlighted(png: bytes) -> tuple[int, int]:
    """Return (pixels of the red outline, pixels of the yellow fill over paper) in a page image."""
    im = Image.open(io.BytesIO(png)).convert("RGB")
    red = yellow = 0
    for (r, g, b), n in [(c, n) for n, c in (im.getcolors(maxcolors=10_000_000) or [])]:
        if r >= 200 and g <= 40 and b <= 40:
            red += n
        elif r >= 245 and 225 <= g <= 245 and 150 <= b <= 180:   # FILL (255, 200, 0, 90) over white
            yellow += n
    return red, yellow


def _check_page_image(page: Any) -> None:
    img = page.locator("#page-image")
    img.wait_for()
    page.wait_for_function("() => { const i = document.querySelector('#page-image'); "
                           "return i.complete && i.naturalWidth > 0; }", timeout=60_000)
    assert page.evaluate("document.querySelector('#page-image').naturalWidth") > 500
    png = page.request.get(page.evaluate("document.querySelector('#page-image').src")).body()
    red, yellow = _highlighted(png)
    assert red > 40 and yellow > 100, (red, yellow)


def test_filter_money_of_a_district_open_a_figure_see_its_box_and_correct_it(
        server: Server, dataset: tuple[str, Path], page: Any) -> None:
    page.goto(f"{server.base}/solieu/facts")
    page.locator("#facet-kind a", has_text="money").first.click()
    page.wait_for_url("**kind=money**")
    page.locator("#facet-district a", has_text="Bình Sơn").first.click()
    page.wait_for_url("**district=**")
    assert "kind=money" in page.url
    rows = page.locator("table.rows-and-columns tbody tr")
    assert rows.count() >= 5
    assert all(t == "money" for t in page.locator("td.col-kind").all_inner_texts())
    page.evaluate("document.querySelector('h3').scrollIntoView()")   # past the column descriptions
    _shot(page, "01-facts-money-binh-son.png", full=False)

    page.locator("tr", has_text=MONEY).locator("a.solieu-figure").first.click()
    page.wait_for_url("**/-/figure/**")
    figure_id = page.url.rsplit("/", 1)[1]
    assert page.locator("mark.solieu-figure").inner_text() == MONEY
    assert "2.1 Lĩnh vực phát triển kinh tế" in page.locator(".solieu-section").inner_text()
    _check_page_image(page)
    _shot(page, "02-figure-page-text-pdf.png")

    page.fill("#value", "390 triệu")   # not a plain number: refused with a message, nothing recorded
    page.fill("#note", "a bad value")
    page.fill("#who", "browser-test")
    page.click("#submit-correction")
    assert "not a number" in page.locator(".message-error").inner_text()
    assert page.locator(".solieu-corrections").count() == 0

    page.fill("#value", "390000000")
    page.fill("#note", "the report's table says 390 triệu (browser test)")
    page.fill("#who", "browser-test")
    page.click("#submit-correction")
    assert "recorded" in page.locator(".message-info").inner_text()
    assert "390000000" in page.locator(".solieu-corrections").inner_text()
    _shot(page, "03-figure-corrected.png")

    url, work = dataset
    res = subprocess.run([*SOLIEU, "export", "figures", "--db", url], cwd=work, env=_env(), capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    (row,) = [r for r in map(json.loads, res.stdout.splitlines()) if r["id"] == figure_id]
    assert row["value"] == 390000000 and row["corrected"] is True


def test_a_scanned_figure_shows_its_box_on_the_scan(server: Server, dataset: tuple[str, Path], page: Any) -> None:
    url, _ = dataset
    with open_db(url, readonly=True).connect() as conn:
        from sqlalchemy import text

        fid = conn.execute(text("SELECT id FROM figures WHERE document LIKE '%scan.pdf' AND source = 'ocr' "
                                "AND bbox IS NOT NULL AND kind = 'money' ORDER BY char_start LIMIT 1")).scalar_one()
    page.goto(f"{server.base}/-/figure/{fid}")
    assert "scan.pdf" in page.locator(".solieu-where").inner_text()
    _check_page_image(page)
    _shot(page, "04-figure-page-scan.png")


def test_the_report_counts_once_and_money_per_province_and_year_is_a_canned_query(server: Server,
                                                                                     page: Any) -> None:
    fives = _get_json(f"{server.base}/solieu.json?_shape=array&sql="
                      + urllib.parse.quote("select count(*) as n from facts where raw = '86 mô hình'"))
    assert fives == [{"n": 1}]
    page.goto(f"{server.base}/solieu/money_per_province_year")
    assert "Quảng Ngãi" in page.locator("table.rows-and-columns").inner_text()
    _shot(page, "05-canned-money-per-province-year.png")
    rows = _get_json(f"{server.base}/solieu/money_per_province_year.json?_shape=array")
    assert [(r["province"], r["report_year"], r["unit"]) for r in rows] == [("Quảng Ngãi", 2021, "VND")]
    for name in ("money_mobilised_per_district_year", "flagged_figures", "failed_documents"):
        page.goto(f"{server.base}/solieu/{name}")
        assert page.locator("h1").count() and "error" not in page.locator("h1").inner_text().lower()
    flagged = _get_json(f"{server.base}/solieu/flagged_figures.json?_shape=array")
    assert any("ambiguous_separator" in r["flags"] for r in flagged)


def test_search_descriptions_and_links(server: Server, page: Any) -> None:
    page.goto(f"{server.base}/solieu/figures?_search=" + urllib.parse.quote("kênh mương"))
    raws = page.locator("td.col-raw").all_inner_texts()
    assert raws and all(r for r in raws)
    assert any(MONEY in r for r in raws)
    sentences = page.locator("td.col-sentence").all_inner_texts()
    assert all("kênh mương" in t.lower() or "kênh" in t.lower() for t in sentences)   # diacritics count
    assert "Search finds words in sentences and subjects" in page.content()
    page.evaluate("document.querySelector('h3').scrollIntoView()")   # past the column descriptions
    _shot(page, "06-search-kenh-muong.png", full=False)
    # part_of is a link to the total's page; the total's page lists its parts' sum when they disagree
    page.goto(f"{server.base}/solieu/figures?part_of__notblank=1")
    link = page.locator("td.col-part_of a.solieu-figure").first
    href = link.get_attribute("href")
    assert href and href.startswith("/-/figure/")
    link.click()
    page.wait_for_url("**/-/figure/**")
    assert page.locator("mark.solieu-figure").inner_text()
    assert page.goto(f"{server.base}/-/figure/no-such-figure").status == 404


def test_the_chart_is_drawn_in_the_browser(server: Server, page: Any) -> None:
    page.goto(f"{server.base}/-/chart?indicator=funds_mobilised&by=district")
    svg = page.locator("#chart svg")
    svg.wait_for()
    assert svg.bounding_box()["width"] > 300
    spec = json.loads(page.locator("#vl-spec").text_content() or "")
    assert spec["mark"]["type"] == "bar" and any(v["x"] == "Bình Sơn" for v in spec["data"]["values"])
    _shot(page, "07-chart-funds-by-district.png")


def test_beyond_loopback_without_a_token_it_refuses_to_start(dataset: tuple[str, Path]) -> None:
    url, work = dataset
    res = subprocess.run([*SOLIEU, "serve", "--db", url, "--host", "0.0.0.0", "--port", str(_free_port())],
                         cwd=work, env=_env(), capture_output=True, text=True, timeout=60)
    assert res.returncode == 2
    assert "--token" in res.stderr and "SOLIEU_TOKEN" in res.stderr and "Traceback" not in res.stderr


def test_beyond_loopback_visitors_sign_in_with_the_token(dataset: tuple[str, Path], page: Any) -> None:
    url, work = dataset
    s = Server(["--db", url], cwd=work, env=_env(SOLIEU_TOKEN="s3cret-token"), host="0.0.0.0")
    try:
        page.goto(f"{s.base}/solieu/facts")
        page.wait_for_url("**/-/login**")
        page.fill("#token", "wrong")
        page.click("input[type=submit]")
        assert "not the token" in page.locator(".message-error").inner_text()
        page.fill("#token", "s3cret-token")
        page.click("input[type=submit]")
        page.locator("table.rows-and-columns").wait_for()
        assert page.url.endswith("/solieu/facts")
        _shot(page, "08-signed-in-beyond-loopback.png", full=False)
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"{s.base}/solieu/facts.json", timeout=10)
        req = urllib.request.Request(f"{s.base}/solieu/facts.json",
                                     headers={"Authorization": "Bearer s3cret-token"})
        with urllib.request.urlopen(req, timeout=10) as r:
            assert json.loads(r.read())["rows"]
    finally:
        s.stop()


@pytest.mark.postgres
def test_a_postgresql_dataset_is_browsed_through_its_replica_and_corrected_in_place(
        postgres_url: str, tmp_path: Path, page: Any) -> None:
    from pipeline import schema
    from pipeline.corrections import listing
    from pipeline.run import process_file

    engine = open_db(postgres_url)
    with engine.begin() as conn:   # a clean slate on the shared server
        for t in reversed(schema.metadata.sorted_tables):
            conn.execute(t.delete())
    for path in (SEED_MD, SEED_PDF):
        load_document(engine, process_file(str(path)))
    s = Server(["--db", postgres_url, "--replica", str(tmp_path / "replica" / "solieu.db")], cwd=ROOT,
               env=_env(SOLIEU_REPLICA_POLL="1"))
    try:
        page.goto(f"{s.base}/solieu/facts?kind=money")
        footer = page.locator(".solieu-freshness").inner_text()
        assert "replica" in footer and "postgresql" in footer and "refreshed at" in footer
        page.locator("tr", has_text=MONEY).locator("a.solieu-figure").first.click()
        page.wait_for_url("**/-/figure/**")
        figure_id = page.url.rsplit("/", 1)[1]
        _check_page_image(page)
        page.fill("#subject", "kinh phí kiên cố hóa kênh mương")
        page.fill("#note", "clearer subject (browser test on PostgreSQL)")
        page.fill("#who", "browser-test")
        page.click("#submit-correction")
        assert "recorded" in page.locator(".message-info").inner_text()
        assert "kinh phí kiên cố hóa kênh mương" in page.locator(".solieu-corrections").inner_text()
        _shot(page, "09-postgresql-replica-corrected.png")
        (c,) = [c for c in listing(engine) if c["figure_id"] == figure_id]
        assert c["field"] == "subject" and c["who"] == "browser-test" and c["matched"]
        before = page.locator(".solieu-freshness time").inner_text()
        time.sleep(1.1)
        page.click(".solieu-refresh")
        assert "Replica refreshed" in page.locator(".message-info").inner_text()
        assert page.locator(".solieu-freshness time").inner_text() != before

        # A new report loaded into PostgreSQL reaches the replica by itself (the server watches for changes).
        later = tmp_path / "sontinh-2022.txt"
        later.write_text(LATER_REPORT, encoding="utf-8")
        load_document(engine, process_file(str(later)))
        deadline = time.monotonic() + 60
        sql = urllib.parse.quote("select id from figures where raw = '100 triệu đồng'")
        while not (found := _get_json(f"{s.base}/solieu.json?_shape=array&sql={sql}")):
            assert time.monotonic() < deadline, "the replica was not refreshed after the dataset changed"
            time.sleep(0.5)
        page.goto(f"{s.base}/-/figure/{found[0]['id']}")
        flags = page.locator(".solieu-flags").inner_text()
        assert "sum_mismatch" in flags and "30 triệu đồng" in flags and "50 triệu đồng" in flags
        assert page.locator(".solieu-difference").inner_text() == "20000000"
        assert "no page to draw" in page.content()
        _shot(page, "10-sum-mismatch-total-parts-difference.png")
    finally:
        s.stop()


LOOPBACK = [("127.0.0.1", True), ("::1", True), ("localhost", True), ("127.0.0.2", True),
            ("0.0.0.0", False), ("192.168.1.10", False), ("::", False), ("example.org", False)]


@pytest.mark.parametrize(("host", "loopback"), LOOPBACK, ids=[h for h, _ in LOOPBACK])
def test_which_hosts_need_a_token(host: str, loopback: bool) -> None:
    from core.errors import UsageError
    from solieu.serve import check_exposure

    if loopback:
        check_exposure(host, None)
    else:
        with pytest.raises(UsageError, match="--token"):
            check_exposure(host, None)
        check_exposure(host, "a-token")


REDIRECTS = [("/solieu/facts?kind=money", "/solieu/facts?kind=money"), ("//evil.example", "/"),
             ("/\\evil.example", "/"), ("https://evil.example/", "/"), ("", "/")]


@pytest.mark.parametrize(("given", "kept"), REDIRECTS, ids=[g or "empty" for g, _ in REDIRECTS])
def test_sign_in_only_sends_back_to_this_server(given: str, kept: str) -> None:
    from solieu.browser import _local

    assert _local(given) == kept
