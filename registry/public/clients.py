"""Who is asking: a phone camera, a desktop browser, a link-preview bot, or an API client.

Only phones and browsers count as checks of a label. Chat apps and social networks fetch
a shared address to draw its preview, and crawlers walk everything: they are recorded
but never counted, so the "checked N times" figure means people.
"""
from __future__ import annotations

import functools
import re

from ..models import ClientClass

# Link-preview fetchers and crawlers (case-insensitive substrings of the User-Agent).
_BOT_RE = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|preview|facebookexternalhit|facebot|whatsapp/|"
    # the link-preview fetchers of chat and social apps, not their in-app browsers
    # (Telegram-Android, [LinkedInApp] are people reading the page)
    r"telegrambot|slackbot|slack-imgproxy|discordbot|skypeuri|viber/|linkedinbot|"
    r"pinterestbot|pinterest/0\.|embedly|quora link|"
    r"vkshare|w3c_validator|curl/|wget/|python-requests|python-urllib|httpx|go-http-client|"
    r"java/|okhttp|libwww|scrapy|headless(?!chrome)|lighthouse|pagespeed|validator|"
    r"monitor|uptime|zgrab|nmap|masscan",
    re.IGNORECASE,
)
_PHONE_RE = re.compile(r"mobile|android|iphone|ipad|ipod|windows phone|zalo", re.IGNORECASE)
API_TYPES = ("application/json", "application/linkset+json", "application/ld+json")


def classify(user_agent: str | None, *, accept: str = "", purpose: str = "") -> ClientClass:
    """Classify one request from its User-Agent, Accept and prefetch headers."""
    ua = (user_agent or "").strip()
    if purpose and "prefetch" in purpose.lower():
        return ClientClass.BOT  # speculative loads are not a person looking
    if any(t in accept for t in API_TYPES) and "text/html" not in accept:
        return ClientClass.API
    if len(ua) > 512:  # not worth a place in the cache
        return _by_user_agent.__wrapped__(ua)
    return _by_user_agent(ua)


@functools.lru_cache(maxsize=2048)
def _by_user_agent(ua: str) -> ClientClass:
    """Memoised: the bot pattern costs tens of microseconds on a phone's long
    User-Agent, and buyers' phones send far fewer distinct ones than they send scans."""
    if not ua or _BOT_RE.search(ua):
        return ClientClass.BOT
    if _PHONE_RE.search(ua):
        return ClientClass.PHONE
    return ClientClass.BROWSER


#: Classes whose requests count as a person checking the label.
COUNTED = (ClientClass.PHONE, ClientClass.BROWSER)
