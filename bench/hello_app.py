"""The baseline for bench/public_page.py: a bare Flask app with one hello-world route."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello() -> str:
    return "Hello, world!"
