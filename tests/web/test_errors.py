"""Bad requests get a clear page and the right status, never a stack trace."""


def test_unknown_page_is_a_vietnamese_404(client):
    response = client.get("/khong-co-trang-nay")
    assert response.status_code == 404
    assert "Không tìm thấy" in response.get_data(as_text=True)


def test_json_clients_get_json_errors(client):
    response = client.get("/nope", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json["status"] == 404 and response.json["error"]


def test_oversized_request_gets_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/login", data={"login": "x" * 4096})
    assert response.status_code == 413
    assert "quá lớn" in response.get_data(as_text=True)


def test_a_failing_view_gets_a_500_page_and_rolls_back(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    from registry.extensions import db
    from registry.models import Producer, ProducerKind

    @app.route("/boom")
    def boom():
        db.session.add(Producer(code="half-written", name="HTX", kind=ProducerKind.COOPERATIVE))
        db.session.flush()  # written, not committed, when the view fails
        raise RuntimeError("boom")

    response = client.get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "RuntimeError" not in body and "Đã xảy ra lỗi" in body
    with app.app_context():
        assert db.session.scalar(db.select(Producer).filter_by(code="half-written")) is None


def test_health_check(client):
    assert client.get("/healthz").json == {"status": "ok"}
