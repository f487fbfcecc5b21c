"""`tandem dev`'s banner and stop line say what is true: embedded or external, outbox or not."""

from planner.runtime.banner import shown, started_lines, stopped_line
from planner.runtime.stack import NATS, POSTGRES, Endpoints
from planner.settings import Settings

STATUS = "http://127.0.0.1:8001"
EMBEDDED = Endpoints(
    database_url="postgresql:///tandem?host=/home/me/.tandem/postgres",
    nats_url="nats://127.0.0.1:41873",
    embedded=(POSTGRES, NATS),
    started=(POSTGRES, NATS),
)
EXTERNAL = Endpoints(
    database_url="postgresql://tandem:pg-s3cret@db.example.org:5432/tandem?sslmode=require",
    nats_url="nats://relay:nats-s3cret@nats-1.example.org:4222,nats://nats-2.example.org:4222",
)
PROVIDERS = {
    "TANDEM_SMTP_URL": "smtps://alerts:smtp-s3cret@mail.example.org:465",
    "TANDEM_EMAIL_FROM": "Tandem <alerts@example.org>",
    "TANDEM_SMS_URL": "https://sms.example.org/v1/send?key=sms-s3cret",
}


def _banner(endpoints: Endpoints, env: dict[str, str]) -> str:
    settings = Settings(database_url=endpoints.database_url, nats_url=endpoints.nats_url)
    return "\n".join(started_lines(settings, endpoints, env, STATUS))


def test_with_nothing_configured_the_servers_are_embedded_and_mail_goes_to_the_outbox() -> None:
    text = _banner(EMBEDDED, {})

    assert "  database  embedded PostgreSQL" in text
    assert "  NATS      nats://127.0.0.1:41873 (embedded)" in text
    outbox = "dev outbox http://127.0.0.1:8000/dev/outbox"
    assert f"  e-mail    {outbox} (no SMTP server: TANDEM_SMTP_URL)" in text
    assert f"  SMS       {outbox} (no provider: TANDEM_SMS_URL)" in text
    assert "external" not in text


def test_with_external_servers_and_providers_the_banner_names_them_without_secrets() -> None:
    text = _banner(EXTERNAL, PROVIDERS)

    assert "  database  postgresql://db.example.org:5432/tandem (external)" in text
    assert (
        "  NATS      nats://nats-1.example.org:4222,nats://nats-2.example.org:4222 (external)"
        in text
    )
    assert "  e-mail    SMTP smtps://mail.example.org:465, from Tandem <alerts@example.org>" in text
    assert "  SMS       provider https://sms.example.org/v1/send" in text
    assert "dev outbox" not in text
    assert "without a provider" not in text
    assert "embedded" not in text
    assert "s3cret" not in text
    assert "tandem:" not in text


def test_smtp_without_a_sender_is_said_to_stop_the_notifier() -> None:
    text = _banner(EMBEDDED, {"TANDEM_SMTP_URL": "smtp://mail.example.org"})
    assert "TANDEM_EMAIL_FROM is unset, so the notifier will not start" in text


def test_a_value_that_is_not_a_url_is_not_shown() -> None:
    assert shown("host=db.example.org password=s3cret") == "(set; not shown: it is not a URL)"
    assert shown("nats://[::1]:4222") == "nats://[::1]:4222"


def test_the_stop_line_names_what_was_stopped_and_what_was_left_alone() -> None:
    assert stopped_line(EMBEDDED) == (
        "Tandem stopped: embedded PostgreSQL and nats-server stopped, data kept."
    )
    assert stopped_line(EXTERNAL) == "Tandem stopped: external PostgreSQL and NATS untouched."
    reused = Endpoints(
        database_url="postgresql:///tandem",
        nats_url="nats://nats.example.org:4222",
        embedded=(POSTGRES,),
    )
    assert stopped_line(reused) == (
        "Tandem stopped: embedded PostgreSQL left running (found running at start); "
        "external NATS untouched."
    )
    assert stopped_line(None) == "Tandem stopped."
