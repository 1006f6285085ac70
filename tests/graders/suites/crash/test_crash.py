def test_crash(app):
    app.get("/die")


def test_after_crash(app):
    app.get("/ok")
