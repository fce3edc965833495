"""`flask iris banks` against the built-in Iris simulator: every bank we pay to through Iris
is on Iris's list, and a code Iris does not know is named and fails the command."""

from shop.payouts import iris as iris_module


def test_every_bank_we_send_through_iris_is_on_its_list(iris, runner):
    result = runner.invoke(args=["iris", "banks"])

    assert result.exit_code == 0, result.output
    assert "BSI: bsm (Bank Syariah Indonesia)" in result.output
    assert result.output.count("\n") == len(iris_module.IRIS_BANK_CODES)


def test_a_code_iris_does_not_know_is_named_and_fails(iris, runner, monkeypatch):
    codes = {**iris_module.IRIS_BANK_CODES, "Bank Jago": "jago"}
    monkeypatch.setattr("shop.payouts.cli.IRIS_BANK_CODES", codes)

    result = runner.invoke(args=["iris", "banks"])

    assert result.exit_code == 1
    assert "Bank Jago: jago is NOT among Iris's banks" in result.output


def test_an_unreachable_iris_says_so(iris, runner, app, monkeypatch):
    monkeypatch.setitem(app.config, "IRIS_BASE_URL", "http://127.0.0.1:9/iris/api/v1")
    monkeypatch.setitem(app.config, "IRIS_TIMEOUT_SECONDS", (0.5, 0.5))

    result = runner.invoke(args=["iris", "banks"])

    assert result.exit_code == 2 and "Iris could not be asked" in result.output
