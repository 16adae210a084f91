"""Run the test OpenID provider: migrate its database, add the campus people and the
Seminar client, serve on 127.0.0.1 on a free port, and print "ready PORT"."""

import os
import sys
from wsgiref.simple_server import make_server

os.environ["DJANGO_SETTINGS_MODULE"] = "tests.lti.oidc_provider.settings"


def main():
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application

    from tests.lti.platform import ThreadingServer, _QuietHandler

    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model
    from oauth2_provider.models import Application

    User = get_user_model()
    people = [
        ("alice", "alice@example.edu", "Alice Archer", ""),
        ("mallory", "bob@example.edu", "Mallory", "unverified"),  # claims Bob's address
        ("nobody", "nobody@example.edu", "Nora Body", ""),
    ]
    for username, email, name, verified in people:
        User.objects.create(username=username, email=email, first_name=name, last_name=verified)
    Application.objects.create(
        name="Seminar",
        client_id="seminar",
        client_secret="seminar-secret",  # noqa: S106 - the test client's
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=sys.argv[1],
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    server = make_server("127.0.0.1", 0, get_wsgi_application(), ThreadingServer, _QuietHandler)
    print(f"ready {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
