def test_stop(app_control):
    app_control.stop(timeout=1)


def test_after(app):
    app.get("/hello")
