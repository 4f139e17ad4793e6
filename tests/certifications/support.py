"""A certificate as the portal's form sends it, with its evidence file."""
from __future__ import annotations

import io
from datetime import date, timedelta

from registry.ocop.rules import today_vn

from ..helpers import session_token

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TODAY = today_vn()


def iso(d: date) -> str:
    return d.isoformat()


def cert_fields(**overrides) -> dict:
    data = {"kind": "vietgap", "other_kind": "", "product_id": "",
            "issuer": "Trung tâm Chất lượng Nông lâm thuỷ sản vùng 6", "number": "VG-0123",
            "scope": "Bưởi da xanh, 12 ha", "area_ha": "12,5", "members": "30",
            "issued_on": iso(TODAY - timedelta(days=100)),
            "expires_on": iso(TODAY + timedelta(days=900))}
    data.update(overrides)
    return data


def submit_cert(client, url, data, evidence=(PDF, "Giấy chứng nhận VietGAP.pdf")):
    body = {"csrf_token": session_token(client), **data}
    if evidence is not None:
        body["evidence"] = (io.BytesIO(evidence[0]), evidence[1])
    return client.post(url, data=body, content_type="multipart/form-data")
