"""The links of a scanned address (GS1 Digital Link resolver, RFC 9264 linksets).

Each level of the address (the label, its batch, its product) is an entry of its own,
with exactly one ``gs1:defaultLink`` (the page a person reads), and every link has a
title; the resolver redirects a request for a link type to the most specific level that
has it. Titles are Vietnamese, the registry's first language; the pages they point at
follow the reader's language.
"""
from __future__ import annotations

from dataclasses import dataclass

from ...labels.links import LabelKey
from .addresses import EPCIS, PAGE, VERIFY, cut, key_path
from .snapshot import Facts

GS1 = "https://gs1.org/voc/"
HTML, JSON, JSONLD = "text/html", "application/json", "application/ld+json"
LANGS = ["vi", "en"]


@dataclass(frozen=True)
class Link:
    href: str
    title: str
    type: str | None = None
    hreflang: tuple[str, ...] = ()

    def as_json(self) -> dict:
        body: dict = {"href": self.href, "title": self.title}
        if self.type:
            body["type"] = self.type
        if self.hreflang:
            body["hreflang"] = list(self.hreflang)
        return body


@dataclass(frozen=True)
class Entry:
    anchor: str
    description: str
    links: dict[str, Link]  # "defaultLink", "pip", ... (GS1 vocabulary names)


def entries(base: str, key: LabelKey, facts: Facts, *, label_issued: bool) -> list[Entry]:
    """The address's entries, most specific first (label, batch, product)."""
    name = facts.product_name_vi
    found: list[Entry] = []
    if key.serial is not None and label_issued:
        page = base + PAGE + key_path(key)
        found.append(Entry(base + key_path(key), f"{name} — lô {key.lot}, tem {key.serial}", {
            "defaultLink": Link(page, f"Kiểm tra tem: {name}"),
            "pip": Link(page, f"Trang kiểm tra tem và thông tin sản phẩm {name}", HTML,
                        tuple(LANGS)),
            "verificationService": Link(base + VERIFY + key_path(key),
                                        "Kiểm tra tem thật (JSON)", JSON),
        }))
    if key.lot is not None and facts.batch_id is not None:
        batch = cut(key, "batch")
        page = base + PAGE + key_path(batch)
        recall = (f"Lô {key.lot} đang bị thu hồi: {facts.recall.reason}" if facts.recall
                  else f"Lô {key.lot} không bị thu hồi")
        found.append(Entry(base + key_path(batch), f"{name} — lô {key.lot}", {
            "defaultLink": Link(page, f"Lô {key.lot} của {name}"),
            "pip": Link(page, f"Thông tin lô {key.lot} của {name}", HTML, tuple(LANGS)),
            "traceability": Link(page + "#hanh-trinh", f"Hành trình của lô {key.lot}", HTML,
                                 tuple(LANGS)),
            "epcis": Link(base + EPCIS + key_path(batch),
                          f"Sự kiện truy xuất EPCIS 2.0 của lô {key.lot}", JSONLD),
            "recallStatus": Link(page + "#thu-hoi", recall, HTML, tuple(LANGS)),
        }))
    product = cut(key, "product")
    page = base + PAGE + key_path(product)
    links = {
        "defaultLink": Link(page, name),
        "pip": Link(page, f"Thông tin sản phẩm {name}", HTML, tuple(LANGS)),
        "certificationInfo": Link(page + "#chung-nhan", f"Hạng sao OCOP và chứng nhận của {name}",
                                  HTML, tuple(LANGS)),
    }
    if facts.gtin:  # a digital product passport (Decree 37/2026) is tied to the GTIN
        links["dpp"] = Link(f"{base}/api/v1/products/{facts.product_token}/passport",
                            f"Hộ chiếu số sản phẩm {name} (Nghị định 37/2026)", JSONLD)
    found.append(Entry(base + key_path(product), name, links))
    return found


def linkset_document(found: list[Entry]) -> dict:
    return {"linkset": [
        {"anchor": entry.anchor, "itemDescription": entry.description,
         **{GS1 + name: [link.as_json()] for name, link in entry.links.items()}}
        for entry in found]}


def find_link(found: list[Entry], link_type: str) -> Link | None:
    """The most specific link of ``link_type`` ("gs1:epcis" or its full URI)."""
    name = link_type
    for prefix in ("gs1:", GS1, "https://ref.gs1.org/voc/", "http://gs1.org/voc/"):
        if name.startswith(prefix):
            name = name[len(prefix):]
            break
    else:
        return None
    return next((entry.links[name] for entry in found if name in entry.links), None)
