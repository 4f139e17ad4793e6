import pytest

from registry.models import ClientClass
from registry.public.clients import classify

PHONES = [
    "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 13; Redmi Note 12) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0 Mobile Safari/537.36 Zalo android/12100569 ZaloTheme/light",
]
BOTS = [
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "WhatsApp/2.23.20.0", "TelegramBot (like TwitterBot)", "Slackbot-LinkExpanding 1.0",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0)", "Twitterbot/1.0", "Discordbot/2.0",
    "curl/8.5.0", "python-requests/2.32", "", None,
]


@pytest.mark.parametrize("ua", PHONES)
def test_phone_cameras_count_as_phones(ua):
    assert classify(ua, accept="text/html") is ClientClass.PHONE


@pytest.mark.parametrize("ua", BOTS)
def test_link_previews_and_crawlers_are_bots(ua):
    assert classify(ua, accept="text/html") is ClientClass.BOT


def test_desktop_browsers_and_headless_chrome_are_browsers():
    ua = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "HeadlessChrome/156.0 Safari/537.36")
    assert classify(ua, accept="text/html") is ClientClass.BROWSER


def test_json_clients_are_api_and_prefetches_are_bots():
    assert classify("MyApp/1.0", accept="application/linkset+json") is ClientClass.API
    assert classify(PHONES[0], accept="text/html", purpose="prefetch") is ClientClass.BOT


def test_the_answer_does_not_depend_on_what_was_asked_before():
    """The User-Agent part is memoised: a cached phone is still an API client when it
    asks for JSON, and long User-Agents (not cached) are classified alike."""
    phone = PHONES[0]
    assert classify(phone, accept="text/html") is ClientClass.PHONE
    assert classify(phone, accept="application/json") is ClientClass.API
    assert classify(phone, accept="text/html", purpose="prefetch") is ClientClass.BOT
    assert classify(phone, accept="text/html") is ClientClass.PHONE
    long_bot = "Googlebot/2.1 " + "x" * 600
    long_phone = phone + " " + "x" * 600
    assert classify(long_bot, accept="text/html") is ClientClass.BOT
    assert classify(long_phone, accept="text/html") is ClientClass.PHONE
