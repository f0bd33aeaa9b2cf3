"""The EP Events app plus one bare route, so the slot picker can be compared with the cheapest page.

`/bench/bare` renders only the base layout, through the same app: the same extensions, security
headers, session handling and error pages as every real page. The ratio slot picker / bare route then
measures the slot picker's own work, not Flask's or gunicorn's.
"""

from flask import Flask, render_template

import ep_events


def create_app(config_name: str | None = None) -> Flask:
    app = ep_events.create_app(config_name)

    @app.route("/bench/bare")
    def bench_bare():
        return render_template("base.html")

    return app
