import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from courses.models import Membership
from seminar.models import User

pytestmark = pytest.mark.django_db

ROSTER = "email,name,student_id\ndana@example.edu,Dana Diaz,9001\n"


def test_an_invited_student_sets_a_password_through_the_link_and_signs_in(client, course, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER)
    call_command("import_roster", course.code, str(path), "--invite")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["dana@example.edu"]
    assert course.code in message.subject
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+)", message.body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    response = client.post(
        form_url,
        {"new_password1": "dana's own passphrase 9", "new_password2": "dana's own passphrase 9"},
    )
    assert response.status_code == 302
    dana = User.objects.get(email="dana@example.edu")
    assert dana.check_password("dana's own passphrase 9")


def test_people_who_have_a_password_are_not_invited_again(course, alice, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(f"email,name\n{alice.email},Alice Archer\n")
    call_command("import_roster", course.code, str(path), "--invite")
    assert mail.outbox == []


def test_staff_invite_from_the_roster_upload_and_the_membership_list(client, instructor, course):
    client.force_login(instructor)
    response = client.post(
        f"/admin/courses/course/{course.pk}/import-roster/",
        {"file": SimpleUploadedFile("r.csv", ROSTER.encode()), "invite": "on"},
    )
    assert response.status_code == 200  # the page lists what changed
    assert "1 invitation sent" in response.content.decode()
    assert len(mail.outbox) == 1
    membership = Membership.objects.get(user__email="dana@example.edu")
    response = client.post(
        "/admin/courses/membership/",
        {"action": "send_invitations", "_selected_action": [membership.pk]},
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 2
