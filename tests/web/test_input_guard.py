"""The input guard (registry/inputs.py): what a user sees when input is refused, what is
kept, and that every form in the registry goes through the guarded base class."""
from __future__ import annotations

import importlib
import pkgutil
from decimal import Decimal

import pytest
from flask_wtf import FlaskForm

import registry
from registry.extensions import db
from registry.inputs import RegistryForm, bounded_int, clean_file_name
from registry.models import Batch, Certification, Product

from .. import factories
from ..certifications.support import PDF, cert_fields, submit_cert
from ..helpers import page_token


def _all_form_classes():
    for module in pkgutil.walk_packages(registry.__path__, "registry."):
        if ".migrations" not in module.name:
            importlib.import_module(module.name)
    found, todo = [], list(FlaskForm.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return [c for c in found if c.__module__.startswith("registry.")]


def test_every_form_of_the_registry_is_guarded():
    forms = _all_form_classes()
    assert len(forms) > 30
    assert [f.__qualname__ for f in forms if not issubclass(f, RegistryForm)] == []


@pytest.mark.parametrize("text, expected", [
    ("12", 12), (" 7 ", 7), ("-3", -3), ("+4", 4), (str(2**31 - 1), 2**31 - 1)])
def test_bounded_int_reads_what_an_integer_column_holds(text, expected):
    assert bounded_int(text) == expected


@pytest.mark.parametrize("text", [str(2**31), str(2**63), "1.5", "", "١٢", "²", "1e3", "0x10",
                                  "--1", "\x00"])
def test_bounded_int_refuses_the_rest(text):
    with pytest.raises(ValueError):
        bounded_int(text)


@pytest.mark.parametrize("name, expected", [
    ("Giấy chứng nhận.pdf", "Giấy chứng nhận.pdf"),
    ("Gia\u0301y.pdf", "Giáy.pdf"),  # NFC: one code point per letter
    ("a\x00b\x01c\x7f.pdf", "abc.pdf"),
    ("C:\\Users\\An\\ảnh.png", "ảnh.png"), ("../../etc/passwd", "passwd"),
    ("..hidden", "hidden"), ("\x00\x01", "tep"), ("", "tep"), (None, "tep"),
    ("tab\there\nline.pdf", "tab here line.pdf"),
    ("x" * 300 + ".pdf", "x" * 116 + ".pdf")])
def test_file_names_are_normalised(name, expected):
    assert clean_file_name(name) == expected


def test_control_characters_typed_into_a_form_are_dropped_and_the_rest_saved(
        client, auth, producer, producer_user):
    auth.login("member.a")
    url = f"/portal/products/{factories.make_product(producer).id}/edit"
    answer = client.post(url, data={
        "csrf_token": page_token(client, url), "name_vi": "Bưởi\x00 Năm\x1b Roi\x7f",
        "group_code": "1", "subgroup": "Rau, củ, quả, hạt tươi",
        "description_vi": "Ngọt\x00.\r\nÍt hạt.\x9b"})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    product = db.session.scalar(db.select(Product))
    assert product.name_vi == "Bưởi Năm Roi"
    assert product.description_vi == "Ngọt.\r\nÍt hạt."


def test_control_characters_leave_the_query(client, auth, admin_user):
    auth.login("admin")
    answer = client.get("/office/audit?start=2026-01-01%00%1b&actor=%00")
    assert answer.status_code == 200
    assert 'name="start" type="date" value="2026-01-01"' in answer.get_data(as_text=True)


def test_control_characters_in_a_path_name_nothing(client):
    assert client.get("/page/01/08939999000017%00").status_code == 404
    assert client.get("/01/08939999000017/10/L%01/21/ABCD").status_code == 404


def test_line_breaks_stay_in_text_areas_and_leave_single_line_fields(
        client, auth, producer, producer_user):
    auth.login("member.a")
    product = factories.make_product(producer)
    url = f"/portal/products/{product.id}/edit"
    answer = client.post(url, data={
        "csrf_token": page_token(client, url), "name_vi": "Bưởi\r\nNăm Roi", "group_code": "1",
        "subgroup": "Rau, củ, quả, hạt tươi", "description_vi": "Dòng một.\r\nDòng hai."})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    db.session.expire_all()
    assert product.name_vi == "Bưởi Năm Roi"
    assert product.description_vi == "Dòng một.\r\nDòng hai."


NOT_A_NUMBER = "Nhập một số, ví dụ 2,5."
TOO_LARGE = "Số quá lớn hoặc không hợp lệ."


@pytest.mark.parametrize("quantity, message", [
    ("sNaN", NOT_A_NUMBER), ("NaN", NOT_A_NUMBER), ("Infinity", NOT_A_NUMBER),
    ("-Infinity", NOT_A_NUMBER), ("1e400", TOO_LARGE), ("1000000000", TOO_LARGE),
    ("999999999.9999", TOO_LARGE)])
def test_a_quantity_the_column_cannot_hold_is_a_form_message(client, auth, producer,
                                                             producer_user, quantity,
                                                             message):
    auth.login("member.a")
    product = factories.make_product(producer)
    url = f"/portal/products/{product.id}/batches/new"
    answer = client.post(url, data={"csrf_token": page_token(client, url), "lot_code": "L9",
                                    "quantity": quantity, "unit": "kg"})
    assert answer.status_code in (200, 400)
    page = answer.get_data(as_text=True)
    assert message in page and "Not a valid" not in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Batch)) == 0


def test_a_quantity_is_rounded_to_what_the_column_keeps(client, auth, producer,
                                                       producer_user):
    auth.login("member.a")
    product = factories.make_product(producer)
    url = f"/portal/products/{product.id}/batches/new"
    answer = client.post(url, data={"csrf_token": page_token(client, url), "lot_code": "L9",
                                    "quantity": "999999998.9994", "unit": "kg"})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    assert db.session.scalar(db.select(Batch.quantity)) == Decimal("999999998.999")


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "2201-01-01"])
def test_a_date_out_of_range_is_a_form_message(client, auth, producer, producer_user, day):
    auth.login("member.a")
    answer = submit_cert(client, "/portal/certifications/new", cert_fields(issued_on=day))
    assert answer.status_code in (200, 400)
    assert "Ngày phải trong khoảng năm 1900 đến năm 2200." in answer.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Certification)) == 0


def test_an_upload_named_with_control_characters_is_stored_and_served_cleanly(
        client, auth, producer, producer_user):
    auth.login("member.a")
    answer = submit_cert(client, "/portal/certifications/new", cert_fields(),
                     evidence=(PDF, "Giấy\x01 chứng\x00 nhận\x1b.pdf"))
    assert answer.status_code == 302
    stored = db.session.scalar(db.select(Certification)).evidence_file
    assert stored.original_name == "Giấy chứng nhận.pdf"
    download = client.get(f"/portal/files/{stored.key}?download=1")
    assert download.status_code == 200 and download.data == PDF
    disposition = download.headers["Content-Disposition"]
    assert "\x00" not in disposition and "Gi%E1%BA%A5y%20ch%E1%BB%A9ng%20nh%E1%BA%ADn.pdf" \
        in disposition


def test_route_ids_beyond_an_integer_column_are_not_found(client, auth, producer_user):
    auth.login("member.a")
    for url in (f"/portal/batches/{2**31}", f"/portal/batches/{2**63}",
                f"/portal/label-runs/{2**64}"):
        assert client.get(url).status_code == 404


def test_a_page_number_beyond_an_integer_column_is_the_first_page(client, auth,
                                                                 producer_user):
    auth.login("member.a")
    assert client.get(f"/portal/products?page={2**63}").status_code == 200



