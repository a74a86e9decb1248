"""E-mail through a real SMTP server on loopback (aiosmtpd) and the development folder."""

from email import policy
from email.parser import BytesParser

import pytest

from monitor.config import load_config
from monitor.core.mail import MailAttachment, MailError, build_message, send

PDF = b"%PDF-1.7\n% test\n"


def _message(**kw):
    args = {
        "sender": "Secrétariat GRETA <secretariat@example.org>",
        "to": ["Ани Контакт <contact.am@example.org>"],
        "subject": "Accusé de réception – GRETA-3-AM-2026-0001",
        "text": "Bonjour,\nvotre réponse a été reçue le 1er mars.",
        "html": "<p>Bonjour, votre réponse a été <strong>reçue</strong>.</p>",
        "attachments": [MailAttachment("reçu GRETA-3-AM.pdf", PDF, "application/pdf")],
        "language": "fr",
    }
    args.update(kw)
    return build_message(**args)


def _smtp_config(app, smtp_server, **kw):
    cfg = dict(app.config)
    cfg.update(MAIL_HOST=smtp_server.host, MAIL_PORT=smtp_server.port, **kw)
    return cfg


def test_smtp_delivers_utf8_text_html_and_attachment(app, smtp_server):
    msg = _message(to=["Ани Контакт <contact.am@example.org>", "archive@example.org"])
    msg["Bcc"] = "records@example.org"
    with app.app_context():
        assert send(msg, _smtp_config(app, smtp_server)) is None
    [got] = smtp_server.messages
    assert smtp_server.envelopes == [
        (
            "secretariat@example.org",
            ["contact.am@example.org", "archive@example.org", "records@example.org"],
        )
    ]
    assert got["Subject"] == "Accusé de réception – GRETA-3-AM-2026-0001"
    assert got["From"].addresses[0].display_name == "Secrétariat GRETA"
    assert got["To"].addresses[0].display_name == "Ани Контакт"
    assert got["Bcc"] is None  # the envelope carries it; the message never shows it
    assert got["Date"] and got["Message-ID"].endswith("@example.org>")
    assert got["Content-Language"] == "fr"
    assert "1er mars" in got.get_body(("plain",)).get_content()
    assert "<strong>reçue</strong>" in got.get_body(("html",)).get_content()
    [att] = list(got.iter_attachments())
    assert att.get_filename() == "reçu GRETA-3-AM.pdf"
    assert att.get_content_type() == "application/pdf"
    assert att.get_content() == PDF


def test_plain_text_only(app, smtp_server):
    with app.app_context():
        send(_message(html=None, attachments=[]), _smtp_config(app, smtp_server))
    [got] = smtp_server.messages
    assert got.get_content_type() == "text/plain"
    assert got.get_content_charset() == "utf-8"


def test_smtp_login_refused_by_a_server_without_auth_is_a_mail_error(app, smtp_server):
    cfg = _smtp_config(app, smtp_server, MAIL_USERNAME="user", MAIL_PASSWORD="pw")
    with app.app_context(), pytest.raises(MailError):
        send(_message(), cfg)
    assert smtp_server.messages == []


def test_unreachable_server_is_a_mail_error(app):
    from tests.conftest import free_port

    cfg = dict(app.config, MAIL_HOST="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    with app.app_context(), pytest.raises(MailError):
        send(_message(), cfg)


def test_folder_backend_without_host(app, tmp_path):
    assert app.config["MAIL_HOST"] == ""
    with app.app_context():
        path = send(_message())
    assert path is not None and path.parent == tmp_path / "mail" and path.suffix == ".eml"
    got = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert got["Subject"] == "Accusé de réception – GRETA-3-AM-2026-0001"
    assert [a.get_content() for a in got.iter_attachments()] == [PDF]


def test_header_injection_refused():
    with pytest.raises(ValueError):
        _message(subject="Hello\r\nBcc: victim@example.org")
    with pytest.raises(ValueError):
        _message(to=[])


def test_config_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("MONITOR_MAIL_HOST", "smtp.example.org")
    monkeypatch.setenv("MONITOR_MAIL_SECURITY", "starttls")
    monkeypatch.setenv("MONITOR_MAIL_SENDER", "GRETA <greta@example.org>")
    cfg = load_config(tmp_path, {"SECRET_KEY": "x"})
    assert cfg["MAIL_HOST"] == "smtp.example.org" and cfg["MAIL_PORT"] == 587
    assert cfg["MAIL_SENDER"] == "GRETA <greta@example.org>"
    assert cfg["MAIL_DIR"] == str(tmp_path / "mail")
    monkeypatch.setenv("MONITOR_MAIL_SECURITY", "ssl")
    assert load_config(tmp_path, {"SECRET_KEY": "x"})["MAIL_PORT"] == 465
    monkeypatch.setenv("MONITOR_MAIL_PORT", "2525")
    assert load_config(tmp_path, {"SECRET_KEY": "x"})["MAIL_PORT"] == 2525
    monkeypatch.setenv("MONITOR_MAIL_SECURITY", "tls13")
    with pytest.raises(ValueError):
        load_config(tmp_path, {"SECRET_KEY": "x"})


# --- TLS and login: STARTTLS and implicit TLS against aiosmtpd with a self-signed cert -----


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"]
        + ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def trust(monkeypatch, certificate):
    """Make the client trust the test certificate (create_default_context as in prod)."""
    import ssl

    import monitor.core.mail as mail

    original = ssl.create_default_context
    monkeypatch.setattr(
        mail.ssl, "create_default_context", lambda *a, **k: original(cafile=str(certificate[0]))
    )


def _tls_server(certificate, **kw):
    import ssl

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    from tests.conftest import Outbox, free_port

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)  # not create_default_context: patched
    ctx.load_cert_chain(*map(str, certificate))
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=auth_data.password == b"s3cret")

    outbox = Outbox()
    kw.setdefault("auth_require_tls", True)
    controller = Controller(
        outbox,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=authenticator,
        **{k: (ctx if v == "ctx" else v) for k, v in kw.items()},
    )
    return controller, outbox, logins


def test_starttls_and_login(app, certificate, trust):
    controller, outbox, logins = _tls_server(certificate, tls_context="ctx", require_starttls=True)
    controller.start()
    try:
        cfg = dict(
            app.config,
            MAIL_HOST="127.0.0.1",
            MAIL_PORT=controller.port,
            MAIL_SECURITY="starttls",
            MAIL_USERNAME="greta",
            MAIL_PASSWORD="s3cret",
        )
        with app.app_context():
            send(_message(), cfg)
            assert logins == [("greta", "s3cret")] and len(outbox.messages) == 1
            with pytest.raises(MailError):  # wrong password: refused, nothing sent
                # (aiosmtpd 1.4 answers smtplib's next AUTH attempt only at the timeout)
                send(_message(), dict(cfg, MAIL_PASSWORD="wrong", MAIL_TIMEOUT=1))
        assert len(outbox.messages) == 1
    finally:
        controller.stop()


def test_starttls_refused_for_an_untrusted_certificate(app, certificate):
    controller, outbox, _ = _tls_server(certificate, tls_context="ctx", require_starttls=True)
    controller.start()
    try:
        cfg = dict(
            app.config,
            MAIL_HOST="127.0.0.1",
            MAIL_PORT=controller.port,
            MAIL_SECURITY="starttls",
        )
        with app.app_context(), pytest.raises(MailError):
            send(_message(), cfg)
        assert outbox.messages == []
    finally:
        controller.stop()


def test_implicit_tls(app, certificate, trust):
    # aiosmtpd 1.4 counts only STARTTLS as TLS for AUTH: allow it on the implicit TLS port
    controller, outbox, logins = _tls_server(certificate, ssl_context="ctx", auth_require_tls=False)
    controller.start()
    try:
        cfg = dict(
            app.config,
            MAIL_HOST="127.0.0.1",
            MAIL_PORT=controller.port,
            MAIL_SECURITY="ssl",
            MAIL_USERNAME="greta",
            MAIL_PASSWORD="s3cret",
        )
        with app.app_context():
            send(_message(), cfg)
        assert logins == [("greta", "s3cret")]
        assert outbox.messages[0]["Subject"].startswith("Accusé de réception")
    finally:
        controller.stop()


def test_cli_mail_test(app, tmp_path, smtp_server):
    from monitor.cli import main

    result = app.test_cli_runner().invoke(main, ["mail", "test", "ops@example.org"])
    assert result.exit_code == 0, result.output
    assert "written to" in result.output and len(list((tmp_path / "mail").glob("*.eml"))) == 1
    app.config.update(MAIL_HOST=smtp_server.host, MAIL_PORT=smtp_server.port)
    result = app.test_cli_runner().invoke(main, ["mail", "test", "ops@example.org"])
    assert result.exit_code == 0 and "sent to ops@example.org" in result.output
    assert smtp_server.envelopes[0][1] == ["ops@example.org"]
