"""The scan page's first lines: recall, void stars, expired batch, wrong expiry, genuine.
Each page is read whole: what it must say and what it must not."""
from __future__ import annotations

from datetime import timedelta

import pytest

from registry.extensions import db
from registry.models import BatchRecall
from registry.ocop.rules import today_vn
from registry.ratings import decisions

from ... import factories
from .support import PHONE, print_labels, scan, visible_text


@pytest.fixture
def rated(producer):
    product = factories.make_product(producer, name_vi="Nấm linh chi thái lát",
                                     gtin="8939999000017")
    decision = factories.make_decision(product, today_vn() - timedelta(days=100), stars=4,
                                       number="2585/QĐ-UBND")
    batch = factories.make_batch(product, "LC2611A", expiry_date=today_vn() + timedelta(days=700))
    return product, decision, batch, print_labels(batch, 3)


def _verdict(text: str) -> str:
    """The verdict section's text: from the top of the page to the product's name."""
    start = text.index("Đăng nhập") + len("Đăng nhập")
    return text[start:text.index("Nấm linh chi thái lát", start)].strip()


def test_a_genuine_label_says_so_and_nothing_alarming(client, rated):
    text = visible_text(scan(client, rated[3][0]).get_data(as_text=True))
    verdict = _verdict(text)
    assert verdict.startswith("✓ Tem thật do sổ đăng ký cấp")
    assert "Đây là lần kiểm tra đầu tiên của tem này." in verdict
    for alarm in ("⚠", "thu hồi", "không còn giá trị", "quá hạn", "không khớp", "sao chép"):
        assert alarm not in verdict


def test_after_a_revocation_the_first_line_says_the_printed_stars_are_void(client, rated):
    product, decision, batch, labels = rated
    decisions.revoke_decision(decision, reason="Vi phạm ghi nhãn", on=today_vn(),
                              actor_label="test")
    db.session.commit()
    text = visible_text(scan(client, labels[0]).get_data(as_text=True))
    verdict = _verdict(text)
    assert verdict.startswith("⚠ Hạng sao in trên tem này không còn giá trị")
    assert (f"Tem được in khi sản phẩm còn hạng OCOP 4 sao; hạng sao đó đã bị thu hồi ngày "
            f"{today_vn():%d/%m/%Y}.") in verdict
    assert "Tem thật do sổ đăng ký cấp" not in text  # no green "genuine" headline
    assert "Mã trên tem do sổ đăng ký cấp; hãy đọc kỹ các lưu ý trên." in verdict
    assert "Hạng OCOP 4 sao đã bị thu hồi ngày" in text
    assert "★★★★☆" not in text


def test_labels_printed_after_the_revocation_carry_no_stars_and_read_genuine(client, rated):
    product, decision, batch, _ = rated
    decisions.revoke_decision(decision, reason="Vi phạm", on=today_vn(), actor_label="test")
    db.session.commit()
    later = print_labels(batch, 1)[0]
    verdict = _verdict(visible_text(scan(client, later).get_data(as_text=True)))
    assert verdict.startswith("✓ Tem thật do sổ đăng ký cấp")


def test_a_recalled_batch_opens_every_label_on_the_red_banner(app, client, rated):
    product, _, batch, labels = rated
    scan(client, labels[0])  # cached before the recall
    db.session.add(BatchRecall(batch=batch, reason="Phát hiện nấm mốc trong lô",
                               advice="Ngừng sử dụng và mang trả nơi bán.",
                               recalled_on=today_vn()))
    db.session.commit()
    for label in labels:
        response = scan(client, label)
        html = response.get_data(as_text=True)
        verdict = _verdict(visible_text(html))
        assert 'class="verdict verdict-danger"' in html
        assert verdict.startswith("⚠ Lô hàng LC2611A đã bị thu hồi")
        assert "Lý do: Phát hiện nấm mốc trong lô" in verdict
        assert "Bạn nên: Ngừng sử dụng và mang trả nơi bán." in verdict
        assert "Tem thật do sổ đăng ký cấp" not in verdict
    batch_page = visible_text(client.get("/page/01/08939999000017/10/LC2611A",
                                         headers=PHONE).get_data(as_text=True))
    assert "Lô hàng LC2611A đã bị thu hồi" in batch_page and "Đang bị thu hồi từ ngày" in batch_page
    product_page = visible_text(client.get("/page/01/08939999000017",
                                           headers=PHONE).get_data(as_text=True))
    assert "Lô hàng đang bị thu hồi" in product_page and "Phát hiện nấm mốc" in product_page
    linkset = client.get("/01/08939999000017/10/LC2611A?linkType=linkset").get_json()
    status = linkset["linkset"][0]["https://gs1.org/voc/recallStatus"][0]
    assert status["title"] == "Lô LC2611A đang bị thu hồi: Phát hiện nấm mốc trong lô"
    verify = client.get("/verify" + labels[0].split("?")[0]).get_json()
    assert verify["recalled"] is True and verify["findings"][0] == "recalled"
    recall = db.session.scalar(db.select(BatchRecall))
    recall.lifted_at = recall.recorded_at + timedelta(days=1)
    db.session.commit()
    lifted = _verdict(visible_text(scan(client, labels[0]).get_data(as_text=True)))
    assert lifted.startswith("✓ Tem thật do sổ đăng ký cấp")


def test_a_batch_past_its_expiry_date_says_so(client, producer):
    product = factories.make_product(producer, name_vi="Nấm linh chi thái lát",
                                     gtin="8939999000017")
    factories.make_decision(product, today_vn() - timedelta(days=100), stars=4)
    old = today_vn() - timedelta(days=10)
    batch = factories.make_batch(product, "VS2603", expiry_date=old)
    label = print_labels(batch, 1)[0]
    verdict = _verdict(visible_text(scan(client, label).get_data(as_text=True)))
    assert verdict.startswith("⚠ Lô hàng đã quá hạn sử dụng")
    assert f"Hạn sử dụng của lô VS2603 là {old:%d/%m/%Y}." in verdict


def test_an_expiry_in_the_address_that_differs_from_the_batch_is_flagged(client, rated):
    _, _, batch, labels = rated
    path = labels[0].split("?")[0]
    verdict = _verdict(visible_text(scan(client, path + "?17=290101").get_data(as_text=True)))
    assert verdict.startswith("⚠ Hạn sử dụng trong mã không khớp với lô hàng")
    assert (f"Mã trên tem ghi hạn 01/01/2029, còn lô LC2611A có hạn "
            f"{batch.expiry_date:%d/%m/%Y} trong sổ đăng ký") in verdict
    right = _verdict(visible_text(scan(client, labels[0]).get_data(as_text=True)))
    assert right.startswith("✓ Tem thật")


def test_the_verdict_reads_in_english(client, rated):
    text = visible_text(scan(client, rated[3][1] + "&lang=en").get_data(as_text=True))
    assert "Genuine label issued by the registry" in text
    assert "This is the first check of this label." in text
    assert "Tem thật" not in text
