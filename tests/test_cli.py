"""The command-line tools: demo data and accounts."""
from datetime import date

from registry.extensions import db
from registry.models import (
    ApplicationState,
    AuditEntry,
    Batch,
    Certification,
    Product,
    RatingApplication,
    RatingDecision,
    Role,
    TraceEvent,
    User,
)
from registry.models.product import rating_summary


def _row_counts() -> dict[str, int]:
    return {t.name: db.session.execute(db.select(db.func.count()).select_from(t)).scalar()
            for t in db.metadata.sorted_tables}


def test_demo_loads_once_and_a_second_run_changes_nothing(app_ctx, runner):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "9 products" in first.output
    counts = _row_counts()
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0 and "nothing changed" in second.output
    db.session.expire_all()
    assert _row_counts() == counts


def test_demo_covers_every_rating_state(app_ctx, runner):
    runner.invoke(args=["demo"])
    on = date(2026, 11, 25)  # the demo's dates are fixed; read them on a fixed day
    products = {p.name_vi: p for p in db.session.scalars(db.select(Product))}
    states = {name: rating_summary(p, on).state for name, p in products.items()}
    assert states["Nấm linh chi thái lát"] == "valid"
    assert states["Đông trùng hạ thảo sấy thăng hoa"] == "expired"
    assert states["Xoài cát chu An Lạc Tây"] == "revoked"
    assert states["Bưởi da xanh Kế Thành"] == "pending"
    assert states["Cam sành Ba Trinh"] == "rejected"
    app_states = set(db.session.scalars(db.select(RatingApplication.state)))
    assert {ApplicationState.DRAFT, ApplicationState.SUBMITTED, ApplicationState.SCORED,
            ApplicationState.REJECTED} <= app_states
    # re-rated with history: linh chi has its 2020 decision superseded by 2585/QĐ-UBND
    linh_chi = products["Nấm linh chi thái lát"]
    assert [d.decision_number for d in linh_chi.decisions] == ["2585/QĐ-UBND",
                                                                "DEMO-512/QĐ-UBND"]
    assert linh_chi.decisions[0].supersedes_id == linh_chi.decisions[1].id
    assert db.session.scalar(db.select(db.func.count(Batch.id))) >= 5
    assert db.session.scalar(db.select(db.func.count(TraceEvent.id))) >= 5
    assert db.session.scalar(db.select(db.func.count(Certification.id))) >= 3
    # invented records are marked as demo; the real pink-butter star apple is not
    assert all(d.is_demo for d in db.session.scalars(db.select(RatingDecision)))
    assert not products["Vú sữa bơ hồng"].is_demo and products["Cam sành Ba Trinh"].is_demo


def test_demo_home_page_lists_the_demo_products_with_stars(client, runner):
    runner.invoke(args=["demo"])
    html = client.get("/").get_data(as_text=True)
    assert "Nấm linh chi thái lát" in html and "Vú sữa tím Trinh Phú" in html
    assert "★★★★☆" in html and "Minh hoạ" in html


def test_demo_accounts_can_log_in(runner, auth):
    runner.invoke(args=["demo"])
    assert auth.login("htx.kethanh", "ocop-demo-2026").status_code == 302


def test_create_user_with_role_and_producer(app_ctx, runner, producer):
    result = runner.invoke(args=["create-user", "--login", "lan", "--name", "Nguyễn Thị Lan",
                                 "--role", "producer", "--producer", "htx-a", "--manager",
                                 "--password", "mật khẩu rất dài"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(db.select(User).filter_by(login="lan"))
    assert user.role is Role.PRODUCER and user.producer_id == producer.id and user.is_manager
    assert user.check_password("mật khẩu rất dài")
    assert db.session.scalar(db.select(AuditEntry).filter_by(action="user.create",
                                                             object_id=user.id))


def test_create_user_refuses_bad_input_with_a_message(app_ctx, runner, producer):
    no_producer = runner.invoke(args=["create-user", "--login", "a", "--role", "producer",
                                      "--password", "long enough password"])
    assert no_producer.exit_code != 0 and "chủ thể" in no_producer.output
    unknown = runner.invoke(args=["create-user", "--login", "a", "--role", "producer",
                                  "--producer", "nope", "--password", "long enough password"])
    assert unknown.exit_code != 0 and "no producer" in unknown.output
    short = runner.invoke(args=["create-user", "--login", "a", "--role", "admin",
                                "--password", "short"])
    assert short.exit_code != 0 and "10 ký tự" in short.output
    reviewer = runner.invoke(args=["create-user", "--login", "r", "--role", "reviewer",
                                   "--password", "long enough password"])
    assert reviewer.exit_code != 0 and "cấp hội đồng" in reviewer.output
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_create_user_refuses_a_taken_login(app_ctx, runner, admin_user):
    result = runner.invoke(args=["create-user", "--login", "admin", "--role", "admin",
                                 "--password", "long enough password"])
    assert result.exit_code != 0 and "đã có người dùng" in result.output


def test_role_change_is_audited_and_nobody_changes_their_own(app_ctx, admin_user, producer):
    import pytest

    from registry.auth.operations import change_role
    from registry.exceptions import OperationRefused
    from tests import factories

    user = factories.make_user("someone", role="admin")
    change_role(user, Role.PRODUCER, producer=producer, actor=admin_user)
    db.session.commit()
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="user.role_change"))
    assert entry.actor_id == admin_user.id and entry.details["after"]["role"] == "producer"
    with pytest.raises(OperationRefused):
        change_role(admin_user, Role.REVIEWER, actor=admin_user)
