"""The smallest Flask app: the baseline that ``scan_bench.py`` serves under the same gunicorn.

    gunicorn --workers 2 --chdir benchmarks hello_app:app
"""
from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello() -> str:
    return "hello"
