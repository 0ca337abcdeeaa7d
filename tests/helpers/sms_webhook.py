"""Twilio's webhook as Twilio calls it: form fields of an SMS or WhatsApp message, signed with Twilio's
real algorithm, posted to the app."""
import itertools
import xml.etree.ElementTree as ET

from twilio.request_validator import RequestValidator

from tests.helpers.common import PUBLIC_URL, TWILIO_TOKEN

PHONE = "+17805551234"
_sids = itertools.count(1)


def form(body, sender=PHONE, **extra):
    data = {"MessageSid": f"SM{next(_sids):032d}", "AccountSid": "AC" + "1" * 32, "From": sender,
            "To": "+15550001111", "Body": body, "NumMedia": "0",
            "FromCity": "EDMONTON", "FromState": "AB", "FromZip": "T5J 0N3", "FromCountry": "CA"}
    data.update(extra)
    return data


def sign(data, url=PUBLIC_URL + "/sms", token=TWILIO_TOKEN):
    return RequestValidator(token).compute_signature(url, data)


def post(client, data, signature=None, path="/sms"):
    sig = sign(data) if signature is None else signature
    return client.post(path, data=data, headers={"X-Twilio-Signature": sig})


def text_of(response):
    assert response.status_code == 200, response.data
    assert response.mimetype == "application/xml"
    bodies = [m.text or "" for m in ET.fromstring(response.data).iter("Message")]
    return bodies[0] if bodies else ""


def sms_reply(client, body, sender):
    response = post(client, form(body, sender=sender))
    assert response.status_code == 200, response.data
    return [m.text or "" for m in ET.fromstring(response.data).iter("Message")]
