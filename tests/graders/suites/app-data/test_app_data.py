from stagecraft_grader import check_equal


def test_app_data(app_data):
    check_equal(app_data.contains_plaintext("s3cret-pass"), [], "the files holding the password")
