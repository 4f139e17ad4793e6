"""Facts about Kế Sách district (Sóc Trăng), copied from the project's shared brief.

Source: a March 2020 news article and provincial press, as collected in the team's
``ke-sach.json``. Everything marked ``demo`` is invented to exercise the registry
(GTINs under prefix 8939999 are NOT licensed numbers; decision numbers, dates, lots,
people and scores are made up) and every page shows such records as demo data.
"""
from __future__ import annotations

from datetime import date

PROVINCE = {"name": "Sóc Trăng", "kind": "tỉnh", "code": "94",
            # Merged into Cần Thơ city in 2025; districts abolished.
            "abolished_on": date(2025, 7, 1)}
SUCCESSOR_PROVINCE = {"name": "Cần Thơ", "kind": "thành phố", "code": "92"}
DISTRICT = {"name": "Kế Sách", "kind": "huyện", "abolished_on": date(2025, 7, 1)}
COMMUNES = [
    ("Kế Sách", "thị trấn"), ("An Lạc Thôn", "thị trấn"), ("An Lạc Tây", "xã"),
    ("An Mỹ", "xã"), ("Ba Trinh", "xã"), ("Đại Hải", "xã"), ("Kế An", "xã"),
    ("Kế Thành", "xã"), ("Nhơn Mỹ", "xã"), ("Phong Nẫm", "xã"), ("Thới An Hội", "xã"),
    ("Trinh Phú", "xã"), ("Xuân Hòa", "xã"),
]

# key, name, kind, commune, address, demo (invented producer)
PRODUCERS = [
    ("thien-van-tuong", "Công ty Thiên Vạn Tường", "enterprise", "Kế Sách", None, False),
    ("htx-trinh-phu", "HTX Nông nghiệp Trinh Phú", "cooperative", "Trinh Phú", None, False),
    ("htx-vu-sua-bo-hong", "HTX Vú sữa bơ hồng", "cooperative", "Thới An Hội",
     "ấp Xóm Đồng 2", False),
    ("htx-ke-thanh", "HTX Bưởi Kế Thành", "cooperative", "Kế Thành", None, True),
    ("an-lac-thon-food", "Cơ sở chế biến chà bông An Lạc Thôn", "household_business",
     "An Lạc Thôn", None, True),
    ("htx-ba-trinh", "HTX Cam sành Ba Trinh", "cooperative", "Ba Trinh", None, True),
    ("thg-an-lac-tay", "Tổ hợp tác Xoài cát chu An Lạc Tây", "cooperative_group",
     "An Lạc Tây", None, True),
]

GROUP_FOOD, GROUP_HERBAL = 1, 3

# key, producer, name_vi, name_en, group, subgroup, demo GTIN (None: no GTIN)
PRODUCTS = [
    ("linh-chi", "thien-van-tuong", "Nấm linh chi thái lát", "Sliced Lingzhi mushroom",
     GROUP_HERBAL, "Sản phẩm từ dược liệu", "8939999000017"),
    ("dong-trung-ha-thao", "thien-van-tuong", "Đông trùng hạ thảo sấy thăng hoa",
     "Freeze-dried cordyceps", GROUP_HERBAL, "Sản phẩm từ dược liệu", "8939999000024"),
    ("vu-sua-tim", "htx-trinh-phu", "Vú sữa tím Trinh Phú", "Trinh Phú purple star apple",
     GROUP_FOOD, "Rau, củ, quả, hạt tươi", "8939999000031"),
    ("vu-sua-bo-hong", "htx-vu-sua-bo-hong", "Vú sữa bơ hồng", "Pink-butter star apple",
     GROUP_FOOD, "Rau, củ, quả, hạt tươi", None),
    ("buoi-da-xanh", "htx-ke-thanh", "Bưởi da xanh Kế Thành", "Kế Thành green-skin pomelo",
     GROUP_FOOD, "Rau, củ, quả, hạt tươi", "8939999000048"),
    ("buoi-nam-roi", "htx-ke-thanh", "Bưởi Năm Roi Kế Thành", "Kế Thành Năm Roi pomelo",
     GROUP_FOOD, "Rau, củ, quả, hạt tươi", "8939999000055"),
    ("cha-bong-bo", "an-lac-thon-food", "Chà bông bò An Lạc Thôn", "An Lạc Thôn beef floss",
     GROUP_FOOD, "Thực phẩm chế biến", "8939999000062"),
    ("cam-sanh", "htx-ba-trinh", "Cam sành Ba Trinh", "Ba Trinh king orange",
     GROUP_FOOD, "Rau, củ, quả, hạt tươi", "8939999000079"),
    ("xoai-cat-chu", "thg-an-lac-tay", "Xoài cát chu An Lạc Tây", "An Lạc Tây Cát Chu mango",
     GROUP_FOOD, "Rau, củ, quả, hạt tươi", "8939999000086"),
]

DESCRIPTIONS = {
    "vu-sua-tim": "Vùng trồng đạt VietGAP 49 ha; sản phẩm đã xuất khẩu sang Hoa Kỳ.",
    "buoi-nam-roi": "Bưởi Năm Roi của vùng cây ăn trái Kế Sách, đã xuất khẩu sang châu Âu.",
    "linh-chi": "Nấm linh chi thái lát, được công nhận sản phẩm OCOP 4 sao trước tháng 3/2020.",
}

SET_1048 = ("1048/QĐ-TTg", "781/QĐ-TTg (2020)")
SET_148 = ("148/QĐ-TTg", "2023")
SET_1489 = ("148/QĐ-TTg", "1489/QĐ-TTg (2025)")
SET_2026 = ("26/2026/QĐ-TTg", "2026")

PROVINCE_BODY = "UBND tỉnh Sóc Trăng"

# Decisions (all numbers, dates and points invented; stars follow the press reports).
# product, criteria set, stars, points, body, level, number, date, revoked (date, reason)
DECISIONS = [
    ("linh-chi", SET_1048, 4, "78.50", PROVINCE_BODY, "province", "DEMO-512/QĐ-UBND",
     date(2020, 3, 10), None),
    ("linh-chi", SET_148, 4, "80.25", PROVINCE_BODY, "province", "2585/QĐ-UBND",
     date(2023, 12, 28), None),  # re-rating: the 2020 decision stays in the history
    ("dong-trung-ha-thao", SET_1048, 4, "75.00", PROVINCE_BODY, "province",
     "DEMO-512/QĐ-UBND", date(2020, 3, 10), None),  # expired in 2023, never renewed
    ("vu-sua-tim", SET_1048, 4, "72.00", PROVINCE_BODY, "province", "DEMO-1630/QĐ-UBND",
     date(2020, 9, 15), None),
    ("vu-sua-tim", SET_148, 4, "76.75", PROVINCE_BODY, "province", "DEMO-1204/QĐ-UBND",
     date(2024, 6, 20), None),
    ("vu-sua-bo-hong", SET_148, 4, "73.50", PROVINCE_BODY, "province", "DEMO-905/QĐ-UBND",
     date(2024, 5, 16), None),
    ("xoai-cat-chu", SET_1048, 3, "58.00", PROVINCE_BODY, "province", "DEMO-1877/QĐ-UBND",
     date(2022, 8, 1),
     (date(2024, 3, 15), "Không còn đáp ứng tiêu chí bắt buộc về truy xuất nguồn gốc "
                         "(dữ liệu minh hoạ).")),
]

# Applications still in the workflow (all submitted after 22/5/2026: Decision 26/2026):
# product, set, product set, state, requested stars, self points, council level,
# submitted on, reason (rejected)
APPLICATIONS = [
    ("buoi-da-xanh", SET_2026, 1, "submitted", 3, "62.00", "province", date(2026, 10, 2),
     None),
    ("cha-bong-bo", SET_2026, 8, "scored", 3, "66.00", "province", date(2026, 9, 12), None),
    ("buoi-nam-roi", SET_2026, 1, "draft", 4, "74.00", "province", None, None),
    # Waiting for the commune People's Committee to check and propose it.
    ("xoai-cat-chu", SET_2026, 1, "submitted", 3, "64.00", "commune", date(2026, 11, 12),
     None),
    ("cam-sanh", SET_2026, 1, "rejected", 3, "55.00", "province", date(2026, 6, 3),
     "Tổng điểm 46,5 chưa đạt hạng 3 sao; chưa công bố tiêu chuẩn sản phẩm "
     "(dữ liệu minh hoạ)."),
]

# The producer's notes on some criteria of a dossier, and its evidence documents:
# product -> {criterion: note}; product -> [(file name, criterion or None, title, lines)]
SELF_NOTES = {
    "xoai-cat-chu": {
        "A1": "Vùng xoài 12 ha của 18 thành viên tổ hợp tác tại xã An Lạc Tây.",
        "C1": "Đã công bố tiêu chuẩn cơ sở TCCS 01:2024/THT-ALT.",
        "C3": "Phiếu kết quả thử nghiệm an toàn thực phẩm kèm theo.",
    },
}
EVIDENCE = {
    "xoai-cat-chu": [
        ("phieu-ket-qua-thu-nghiem.pdf", "C3", "PHIẾU KẾT QUẢ THỬ NGHIỆM (MINH HOẠ)",
         ["Mẫu: Xoài cát chu An Lạc Tây", "Chỉ tiêu vi sinh và dư lượng thuốc BVTV: đạt",
          "Dữ liệu minh hoạ — không phải kết quả thử nghiệm thật"]),
        ("tieu-chuan-co-so.pdf", "C1", "TIÊU CHUẨN CƠ SỞ TCCS 01:2024/THT-ALT (MINH HOẠ)",
         ["Xoài cát chu tươi: quả chín cây, khối lượng 300–450 g",
          "Dữ liệu minh hoạ"]),
    ],
}

# Score sheets of the province's council for the scored application (reviewer →
# criterion code → points): three sheets, the quorum.
SCORED_SHEETS = {"cha-bong-bo": {
    "hoidong.tinh": {"A1": "6", "A2": "7", "A3": "8", "A4": "3", "A5": "4", "B1": "8",
                     "B2": "3", "B3": "6", "C1": "7", "C2": "6.5", "C3": "6", "C4": "0"},
    "hoidong.tinh2": {"A1": "6.5", "A2": "7", "A3": "9", "A4": "3", "A5": "4", "B1": "8",
                      "B2": "3.5", "B3": "6", "C1": "7", "C2": "7", "C3": "6.5", "C4": "0"},
    "hoidong.tinh3": {"A1": "6", "A2": "6.5", "A3": "8", "A4": "2.5", "A5": "4", "B1": "7.5",
                      "B2": "3", "B3": "5.5", "C1": "7", "C2": "6", "C3": "6", "C4": "0"},
}}

# product, kind, issuer, number, scope, area_ha, issued_on, expires_on
CERTIFICATIONS = [
    ("vu-sua-tim", "vietgap", "Tổ chức chứng nhận (minh hoạ)", "DEMO-VG-0491",
     "Vùng trồng vú sữa tím Trinh Phú", "49", date(2025, 3, 1), date(2027, 3, 1)),
    ("buoi-nam-roi", "vietgap", "Tổ chức chứng nhận (minh hoạ)", "DEMO-VG-0312",
     "Vườn bưởi Năm Roi xã Kế Thành", None, date(2022, 5, 1), date(2024, 5, 1)),
    ("buoi-nam-roi", "collective_trademark", "Cục Sở hữu trí tuệ (minh hoạ)",
     "DEMO-NHTT-2019-0088", "Nhãn hiệu tập thể cho trái cây đặc sản Kế Sách", None,
     date(2019, 11, 20), date(2029, 11, 20)),
]

# product, lot, harvest, production, packing, expiry, quantity, unit, origin, commune
BATCHES = [
    ("linh-chi", "LC2611A", None, date(2026, 11, 2), date(2026, 11, 5), date(2028, 11, 5),
     "500", "hộp", "Xưởng sấy Thiên Vạn Tường", "Kế Sách"),
    ("buoi-nam-roi", "NR2611", date(2026, 11, 10), None, date(2026, 11, 11),
     date(2026, 12, 20), "2000", "trái", "Vườn bưởi ấp Kế Thành (minh hoạ)", "Kế Thành"),
    ("vu-sua-tim", "VS2603", date(2026, 3, 18), None, date(2026, 3, 19), date(2026, 4, 2),
     "1500", "kg", "Vùng VietGAP Trinh Phú", "Trinh Phú"),
    ("dong-trung-ha-thao", "DT2510", None, date(2025, 10, 6), date(2025, 10, 9),
     date(2027, 10, 9), "300", "hộp", "Xưởng sấy Thiên Vạn Tường", "Kế Sách"),
    ("xoai-cat-chu", "XC2405", date(2024, 5, 2), None, date(2024, 5, 3), date(2024, 5, 20),
     "800", "kg", "Vườn xoài tổ hợp tác (minh hoạ)", "An Lạc Tây"),
]

# lot, biz step, local time (+07:00), location, note
EVENTS = [
    ("LC2611A", "processing", "2026-11-02T08:00", "Xưởng sấy Thiên Vạn Tường",
     "Thái lát và sấy nấm linh chi."),
    ("LC2611A", "packing", "2026-11-05T14:30", "Xưởng sấy Thiên Vạn Tường",
     "Đóng hộp 500 g."),
    ("NR2611", "harvesting", "2026-11-10T06:30", "Vườn bưởi ấp Kế Thành",
     "Thu hoạch bưởi đạt chuẩn xuất khẩu."),
    ("NR2611", "sorting", "2026-11-10T15:00", "Nhà sơ chế HTX", "Phân loại theo cỡ trái."),
    ("NR2611", "packing", "2026-11-11T09:00", "Nhà sơ chế HTX", None),
    ("VS2603", "harvesting", "2026-03-18T06:00", "Vùng VietGAP Trinh Phú", None),
    ("VS2603", "packing", "2026-03-19T10:00", "Nhà đóng gói HTX Trinh Phú", None),
    ("DT2510", "processing", "2025-10-06T09:00", "Xưởng sấy Thiên Vạn Tường",
     "Sấy thăng hoa."),
    ("XC2405", "harvesting", "2024-05-02T06:00", "Vườn xoài tổ hợp tác", None),
]

DEMO_PASSWORD = "ocop-demo-2026"

# login, name, role, producer, manager, council level, council unit, chair, e-mail
# (mails go to instance/mails unless SMTP is configured)
USERS = [
    ("admin", "Văn phòng Điều phối NTM (minh hoạ)", "admin", None, False, None, None, False,
     "vpdp@ocop.localhost"),
    ("hoidong.tinh", "Nguyễn Thị Hội Đồng (minh hoạ)", "reviewer", None, False, "province",
     "province", True, "hoidong.tinh@ocop.localhost"),
    ("hoidong.tinh2", "Lâm Văn Chấm (minh hoạ)", "reviewer", None, False, "province",
     "province", False, "hoidong.tinh2@ocop.localhost"),
    ("hoidong.tinh3", "Huỳnh Thị Điểm (minh hoạ)", "reviewer", None, False, "province",
     "province", False, "hoidong.tinh3@ocop.localhost"),
    ("hoidong.tw", "Trần Văn Trung Ương (minh hoạ)", "reviewer", None, False, "national",
     None, True, "hoidong.tw@ocop.localhost"),
    ("hoidong.tw2", "Phan Thị Quốc Gia (minh hoạ)", "reviewer", None, False, "national",
     None, False, "hoidong.tw2@ocop.localhost"),
    ("hoidong.tw3", "Đỗ Văn Bộ (minh hoạ)", "reviewer", None, False, "national", None, False,
     "hoidong.tw3@ocop.localhost"),
    ("xa.anlactay", "Đặng Văn Xã (minh hoạ)", "reviewer", None, False, "commune",
     "commune:An Lạc Tây", False, "xa.anlactay@ocop.localhost"),
    ("thienvantuong", "Lê Văn Tường (minh hoạ)", "producer", "thien-van-tuong", True, None,
     None, False, "thienvantuong@ocop.localhost"),
    ("htx.kethanh", "Phạm Thị Bưởi (minh hoạ)", "producer", "htx-ke-thanh", True, None, None,
     False, "htx.kethanh@ocop.localhost"),
    ("htx.trinhphu", "Võ Văn Sữa (minh hoạ)", "producer", "htx-trinh-phu", True, None, None,
     False, "htx.trinhphu@ocop.localhost"),
    ("thg.anlactay", "Trương Thị Xoài (minh hoạ)", "producer", "thg-an-lac-tay", True, None,
     None, False, "thg.anlactay@ocop.localhost"),
]

# Label runs printed for the demo, and scans of them over the last days (invented):
# lot, labels, layout, [(label number, phone checks, bot fetches)]
LABEL_RUNS = [
    ("LC2611A", 48, "a4-3x8", [(1, 1, 1), (2, 2, 0), (3, 1, 0), (7, 9, 2)]),
    ("NR2611", 24, "a4-3x8", [(1, 3, 1), (2, 1, 0)]),
]
