"""Label runs for real batches: CLI and web, checked by decoding every printed code."""
from __future__ import annotations

import threading
from datetime import date

import pytest
import zxingcpp
from biip import parse as biip_parse
from pypdf import PdfReader

from registry.exceptions import OperationRefused
from registry.extensions import db
from registry.label_runs.operations import order_label_run, verify_label
from registry.labels.serials import display
from registry.models import AuditEntry, Batch, BatchStatus, LabelRun

from .. import factories
from ..conftest import csrf_token
from ..labels.support import decode_pdf


def order_token(page: str) -> str:
    import re

    match = re.search(r'name="order_token"[^>]*value="([^"]+)"', page)
    return match.group(1) if match else "no-form-on-this-page"


@pytest.fixture
def batch(producer):
    product = factories.make_product(producer, name_vi="Bưởi Năm Roi Kế Thành",
                                     gtin="8939999000055")
    return factories.make_batch(product, "NR2611", expiry_date=date(2026, 12, 20))


def _serial_of(url: str) -> str:
    return url.split("/21/")[1].split("?")[0]


def test_cli_prints_a_pdf_whose_every_label_decodes_to_its_own_address(
        app_ctx, runner, batch, tmp_path):
    out = tmp_path / "tem.pdf"
    result = runner.invoke(args=["labels", "print", "NR2611", "--count", "30",
                                 "--layout", "a4-3x8", "--output", str(out)])
    assert result.exit_code == 0, result.output
    urls = decode_pdf(str(out))
    assert len(urls) == 30 and len(set(urls)) == 30
    for seq, url in enumerate(urls):
        assert url.startswith("https://ocop.test/01/08939999000055/10/NR2611/21/")
        assert url.endswith("?17=261220")
        check = verify_label(batch.product, "NR2611", _serial_of(url))
        assert check is not None and check.seq == seq  # label order = serial order
        parsed = biip_parse(url)
        assert parsed.gs1_digital_link_uri is not None
        gtin = parsed.gs1_digital_link_uri.element_strings.get(ai="01").gtin
        assert gtin is not None and gtin.value == "08939999000055"
    # the name wraps over two lines on a 63.5 mm label
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(out).pages).split())
    assert "Bưởi Năm Roi Kế Thành" in text and "NR2611" in text
    assert display(_serial_of(urls[0])) in text
    assert db.session.get(Batch, batch.id).status is BatchStatus.CLOSED


def test_serials_are_unique_across_runs_of_a_batch(app_ctx, batch):
    first = order_label_run(batch, count=5, layout="a4-3x8")
    second = order_label_run(batch, count=7, layout="roll-50x30")
    db.session.commit()
    assert (first.start_seq, first.end_seq) == (0, 5)
    assert (second.start_seq, second.end_seq) == (5, 12)
    assert db.session.scalar(db.select(db.func.count(LabelRun.id))) == 2  # no row per label


def test_a_serial_with_one_character_changed_is_refused(app_ctx, batch, runner, tmp_path):
    run = order_label_run(batch, count=1, layout="a4-3x8")
    db.session.commit()
    from registry.label_runs.operations import print_job, signer

    serial = _serial_of(next(print_job(run).contents(signer())).url)
    assert verify_label(batch.product, "NR2611", serial) is not None
    for i in range(len(serial)):
        changed = serial[:i] + ("2" if serial[i] != "2" else "3") + serial[i + 1:]
        assert verify_label(batch.product, "NR2611", changed) is None
    assert verify_label(batch.product, "OTHERLOT", serial) is None


def test_a_signed_serial_that_was_never_printed_is_not_genuine(app_ctx, batch):
    from registry.label_runs.operations import item_key, signer

    order_label_run(batch, count=3, layout="a4-3x8")
    db.session.commit()
    unprinted = signer().make(item_key(batch.product), "NR2611", 3)
    assert verify_label(batch.product, "NR2611", unprinted) is None


def test_runs_ordered_at_the_same_time_never_share_serials(app, batch):
    batch_id = batch.id
    ranges, errors = [], []

    def order():
        with app.app_context():
            try:
                run = order_label_run(db.session.get(Batch, batch_id), count=10,
                                      layout="a4-3x8")
                db.session.commit()
                ranges.append((run.start_seq, run.end_seq))
            except Exception as error:  # noqa: BLE001
                errors.append(error)

    threads = [threading.Thread(target=order) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(ranges) == [(0, 10), (10, 20), (20, 30), (30, 40)]


@pytest.mark.parametrize("kwargs, message", [
    ({"count": 0}, "Số tem"), ({"count": 1_000_001}, "Số tem"),
    ({"count": 5, "layout": "a5"}, "Khổ tem"), ({"count": 5, "ecc": "H"}, "Mức sửa lỗi"),
    ({"count": 5, "offset_x_mm": 25}, "Độ lệch"),
])
def test_bad_run_orders_are_refused_with_a_reason(app_ctx, batch, kwargs, message):
    kwargs.setdefault("layout", "a4-3x8")
    with pytest.raises(OperationRefused, match=message):
        order_label_run(batch, **kwargs)


def test_a_label_run_is_audited(app_ctx, batch, producer_user):
    run = order_label_run(batch, count=2, layout="a4-3x8", actor=producer_user)
    db.session.commit()
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="labels.run"))
    assert entry.object_id == run.id and entry.actor_id == producer_user.id


def test_png_and_svg_single_codes_decode(app_ctx, runner, batch, tmp_path):
    from PIL import Image

    png = tmp_path / "code.png"
    result = runner.invoke(args=["labels", "print", "NR2611", "--count", "1", "--format",
                                 "png", "--output", str(png)])
    assert result.exit_code == 0, result.output
    image = Image.open(png)
    decoded = zxingcpp.read_barcodes(image)[0].text
    assert decoded.startswith("https://ocop.test/01/08939999000055/10/NR2611/21/")
    assert round(image.info["dpi"][0]) == 300
    svg = tmp_path / "code.svg"
    assert runner.invoke(args=["labels", "print", "NR2611", "--count", "1", "--format", "svg",
                               "--output", str(svg)]).exit_code == 0
    assert svg.read_text().count("<path") == 1


def test_the_cli_explains_unknown_and_ambiguous_lots(app_ctx, runner, batch, producer, tmp_path):
    unknown = runner.invoke(args=["labels", "print", "NOPE", "--count", "1",
                                  "--output", str(tmp_path / "x.pdf")])
    assert unknown.exit_code != 0 and "no batch" in unknown.output
    other = factories.make_product(producer, name_vi="Bưởi da xanh")
    factories.make_batch(other, "NR2611")
    ambiguous = runner.invoke(args=["labels", "print", "NR2611", "--count", "1",
                                    "--output", str(tmp_path / "x.pdf")])
    assert ambiguous.exit_code != 0 and "--product" in ambiguous.output
    chosen = runner.invoke(args=["labels", "print", "NR2611", "--count", "1", "--product",
                                 other.public_token, "--output", str(tmp_path / "x.pdf")])
    assert chosen.exit_code == 0, chosen.output
    assert f"/p/{other.public_token}/10/NR2611/21/" in decode_pdf(str(tmp_path / "x.pdf"))[0]


# ---------------------------------------------------------------------- the web


def _order(client, batch_id: int, **data):
    page = client.get(f"/portal/batches/{batch_id}/labels").get_data(as_text=True)
    form = {"count": "24", "layout": "a4-3x8", "ecc": "M", "offset_x_mm": "0",
            "offset_y_mm": "0",
            "csrf_token": csrf_token(page) if "csrf_token" in page else "",
            "order_token": order_token(page)}
    form.update(data)
    return client.post(f"/portal/batches/{batch_id}/labels", data=form)


def test_a_member_orders_and_downloads_a_run_for_its_own_batch(client, auth, batch,
                                                              producer_user):
    auth.login("member.a")
    response = _order(client, batch.id)
    assert response.status_code == 303
    run_page = client.get(response.headers["Location"])
    assert run_page.status_code == 200 and "24" in run_page.get_data(as_text=True)
    run_id = db.session.scalar(db.select(LabelRun.id))
    pdf = client.get(f"/portal/label-runs/{run_id}/labels.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "filename*=UTF-8''tem-B%C6%B0%E1%BB%9Fi" in pdf.headers["Content-Disposition"]
    urls = decode_pdf(pdf.get_data())
    assert len(urls) == 24 and all(verify_label(batch.product, "NR2611", _serial_of(u))
                                   for u in urls)


def test_another_producers_member_can_neither_order_nor_download(
        client, auth, batch, other_producer_user):
    run = order_label_run(batch, count=3, layout="a4-3x8")
    db.session.commit()
    auth.login("member.b")
    assert client.get(f"/portal/batches/{batch.id}/labels").status_code == 403
    assert _order(client, batch.id).status_code == 403
    assert client.get(f"/portal/label-runs/{run.id}/labels.pdf").status_code == 403
    assert client.get(f"/portal/label-runs/{run.id}").status_code == 403
    assert "NR2611" not in client.get("/portal/labels").get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(LabelRun.id))) == 1


def test_anonymous_users_are_sent_to_log_in(client, batch):
    response = client.get(f"/portal/batches/{batch.id}/labels")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_reviewers_do_not_print_labels(client, auth, batch, reviewer_user):
    auth.login("reviewer")
    assert client.get("/portal/labels").status_code == 403


def test_a_bad_count_re_shows_the_form_with_a_message(client, auth, batch, producer_user):
    auth.login("member.a")
    response = _order(client, batch.id, count="0")
    assert response.status_code == 400
    assert "Số tem phải từ 1 đến 1.000.000" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(LabelRun.id))) == 0


def test_unknown_batch_is_404(client, auth, producer_user):
    auth.login("member.a")
    assert client.get("/portal/batches/9999/labels").status_code == 404


def test_the_pdf_stream_needs_no_app_context_once_the_response_is_made(app_ctx, batch):
    """A server iterates the response body after the request context is gone."""
    from registry.label_runs.operations import print_job
    from registry.label_runs.views import stream_pdf

    run = order_label_run(batch, count=3, layout="a4-3x8")
    db.session.commit()
    body = stream_pdf(print_job(run))
    chunks: list[bytes] = []
    worker = threading.Thread(target=lambda: chunks.extend(body))  # no app context there
    worker.start()
    worker.join(30)
    assert b"".join(chunks).startswith(b"%PDF-") and len(decode_pdf(b"".join(chunks))) == 3


def test_cli_tspl_for_a_roll_decodes_to_its_own_addresses_with_whole_dot_modules(
        app_ctx, runner, batch, tmp_path):
    """The issue's acceptance command, checked by rebuilding each label from its
    commands (tests/labels/test_label_thermal.py's independent parser) and decoding it."""
    from registry.label_runs.operations import print_job, signer

    from ..labels.thermal_files import decode, find_symbol, parse

    out = tmp_path / "tem.prn"
    result = runner.invoke(args=["labels", "print", "NR2611", "--count", "24", "--layout",
                                 "roll-40x30", "--format", "tspl", "--dpi", "203",
                                 "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "modules 4 dots = 0.500 mm" in result.output
    labels = parse(out.read_bytes(), "tspl", 203)
    run = db.session.scalar(db.select(LabelRun))
    expected = [label.url for label in print_job(run).contents(signer())]
    assert len(labels) == 24 == len(expected)
    for label, url in zip(labels, expected):
        page = label.image()
        assert decode(page) == url
        assert find_symbol(page).dots == 4
