"""What a channel's address must look like to be saved: an e-mail address, an E.164 number.

Checked when a partner saves a contact's channels or their own, so "call me maybe" is a
422 there and then, not a delivery that fails for good in the middle of a crisis. A
webhook address has its own policy (``common.channels.webhook_policy``). The notifier checks again
before each send.
"""

import re

EMAIL_MAX = 254  # RFC 5321's limit on a forward path, less the brackets
LOCAL_PART_MAX = 64
_E164 = re.compile(r"\+[1-9][0-9]{1,14}")
_PHONE_SEPARATORS = str.maketrans("", "", " .-()")
# The HTML standard's "valid e-mail address", with a dot in the domain: mail to a host
# with no dot (``jo@localhost``) cannot reach a person.
_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)


def phone_number(text: str) -> str | None:
    """``text`` as an E.164 number (``+15551234567``), or None when it is not one.

    Spaces, dots, dashes and brackets are allowed and dropped: ``+1 (555) 123-4567``.
    """
    compact = text.strip().translate(_PHONE_SEPARATORS)
    return compact if _E164.fullmatch(compact) else None


def email_address(text: str) -> str | None:
    """``text`` (stripped) when it is an e-mail address one can send to, else None."""
    address = text.strip()
    if len(address) > EMAIL_MAX or not _EMAIL.fullmatch(address):
        return None
    if len(address.rsplit("@", 1)[0]) > LOCAL_PART_MAX:
        return None
    return address
