"""Flask's signed-cookie sessions, without the signing work for visitors who have none.

Most requests (a buyer's scan, the resolver's redirect) carry no session cookie; Flask's
interface still builds an itsdangerous serializer for each of them. This one returns an
empty session at once in that case, and otherwise behaves exactly as Flask's.
"""
from __future__ import annotations

from flask.sessions import SecureCookieSessionInterface


class LazySessionInterface(SecureCookieSessionInterface):
    def open_session(self, app, request):
        if not app.secret_key:
            return None
        if request.cookies.get(self.get_cookie_name(app)) is None:
            return self.session_class()
        return super().open_session(app, request)
