"""/courses/<code>/attendance/: students check in to today's session; staff open check-ins,
show the code and its QR code in class, and correct who was there."""

import segno
from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode

from attendance.models import Attendance, AttendanceSettings, CheckIn, CheckInAttempt, Status
from attendance.services import AttendanceError, attendance_correct, check_in, checkin_open
from courses.access import member_required
from courses.middleware import arrival
from courses.models import Membership, Session


class CheckInForm(forms.Form):
    code = forms.CharField(
        label="Code shown in class",
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "form-control form-control-lg text-uppercase",
            }
        ),
    )


def _today(course, now):
    return now.astimezone(course.tz).date()


def _todays_sessions(course, now) -> list[Session]:
    sessions = list(
        Session.objects.meeting()
        .filter(course=course, date=_today(course, now))
        .select_related("checkin")
        .order_by("start_time", "id")
    )
    for session in sessions:
        session.course = course
        checkin = _checkin_of(session)
        # 'before' | 'open' | 'closed': the Today list says which, not just "opened".
        session.checkin_state = checkin.state(now) if checkin else None
    return sessions


def _checkin_of(session):
    try:
        checkin = session.checkin
    except CheckIn.DoesNotExist:
        return None
    checkin.session = session
    return checkin


def _page_url(course, session=None) -> str:
    url = reverse("attendance:attendance", args=[course.code])
    return f"{url}?{urlencode({'session': session.pk})}" if session else url


@member_required
def attendance(request, access):
    if access.is_staff:
        return _staff_page(request, access)
    if not access.is_student:
        raise Http404("Only the course's students check in.")
    return _student_page(request, access)


# ------------------------------------------------------------------------- students


def _student_page(request, access):
    course, now = access.course, arrival(request)
    rules = AttendanceSettings.of(course)
    sessions = _todays_sessions(course, now)
    checkins = [c for s in sessions if (c := _checkin_of(s))]
    # Today's open check-in, else the next one today, else the last one.
    checkin = next((c for c in checkins if c.state(now) == "open"), None) or next(
        (c for c in checkins if c.state(now) == "before"), checkins[-1] if checkins else None
    )
    status = 200
    form = CheckInForm(initial={"code": request.GET.get("code", "")[:20]})
    if request.method == "POST":
        form = CheckInForm(request.POST)
        if checkin is None:
            form.is_valid()
            form.add_error(None, "No check-in is open for this course today.")
            status = 400
        elif form.is_valid():
            try:
                check_in(
                    checkin=checkin, student=request.user, code=form.cleaned_data["code"], now=now
                )
            except AttendanceError as exc:
                form.add_error(exc.field, exc.message)
                status = 400
            else:
                messages.success(request, f"You are checked in: present at {checkin.session}.")
                return redirect(_page_url(course))
        else:
            status = 400
    record = attempt = None
    if checkin is not None:
        record = Attendance.objects.filter(checkin=checkin, student=request.user).first()
        attempt = CheckInAttempt.objects.filter(checkin=checkin, student=request.user).first()
    context = {
        "course": course,
        "access": access,
        "active_nav": "attendance:attendance",
        "sessions": sessions,
        "checkin": checkin,
        "state": checkin.state(now) if checkin else None,
        "record": record,
        "locked": attempt is not None and attempt.locked(rules.wrong_code_limit),
        "form": form,
        "grace_minutes": rules.grace_minutes,
        "limit": rules.wrong_code_limit,
    }
    return render(request, "attendance/attendance_student.html", context, status=status)


# ------------------------------------------------------------------------- staff


def _session_in(course, pk) -> Session:
    if not str(pk).isdigit():
        raise Http404("No such session.")
    session = (
        Session.objects.meeting().filter(course=course, pk=pk).select_related("checkin").first()
    )
    if session is None:
        raise Http404("No such session in this course.")
    session.course = course
    return session


def _qr_data_uri(request, course, checkin) -> str:
    """The check-in address with its code, as a QR code in an SVG data: URI (the CSP allows
    data: images; nothing is fetched)."""
    url = request.build_absolute_uri(
        reverse("attendance:attendance", args=[course.code])
        + "?"
        + urlencode({"code": checkin.code})
    )
    return segno.make(url, error="m").svg_data_uri(scale=8, border=2)


def _staff_page(request, access):
    course, now = access.course, arrival(request)
    today = _todays_sessions(course, now)
    chosen = request.POST.get("session") if request.method == "POST" else request.GET.get("session")
    session = _session_in(course, chosen) if chosen else (today[0] if today else None)
    if request.method == "POST":
        return _staff_post(request, course, session, today, now)
    checkin = _checkin_of(session) if session else None
    rows = []
    if checkin is not None:
        records = {
            r.student_id: r
            for r in Attendance.objects.filter(checkin=checkin).select_related("corrected_by")
        }
        members = Membership.objects.students().filter(course=course).select_related("user")
        members = sorted(members, key=lambda m: (m.user.name.lower(), m.user.email))
        rows = [(m.user, records.get(m.user.pk)) for m in members]
    past = list(
        CheckIn.objects.of_course(course)
        .select_related("session")
        .order_by("-session__date", "-session__start_time")
    )
    context = {
        "course": course,
        "access": access,
        "active_nav": "attendance:attendance",
        "today": today,
        "session": session,
        "checkin": checkin,
        "state": checkin.state(now) if checkin else None,
        "qr": _qr_data_uri(request, course, checkin) if checkin else "",
        "rows": rows,
        "present": sum(1 for _, r in rows if r and r.status == Status.PRESENT),
        "statuses": Status.choices,
        "past": past,
        "grace_minutes": AttendanceSettings.of(course).grace_minutes,
    }
    return render(request, "attendance/attendance_staff.html", context)


def _staff_post(request, course, session, today, now):
    action = request.POST.get("action")
    if session is None or action not in ("open", "correct"):
        messages.error(request, "Choose a session and what to do.")
        return redirect(_page_url(course, session))
    if action == "open":
        if session not in today:
            messages.error(
                request,
                "A check-in is opened on the day of class; for another day add it in the admin.",
            )
            return redirect(_page_url(course, session))
        try:
            checkin_open(session=session, by=request.user)
        except AttendanceError as exc:
            messages.error(request, exc.message)
        return redirect(_page_url(course, session))
    checkin = _checkin_of(session)
    if checkin is None:
        messages.error(request, "This session has no check-in yet.")
        return redirect(_page_url(course, session))
    changes = {}
    for key, value in request.POST.items():
        if key.startswith("status-") and key[7:].isdigit():
            changes[int(key[7:])] = value
    try:
        changed = attendance_correct(checkin=checkin, changes=changes, by=request.user, now=now)
    except AttendanceError as exc:
        messages.error(request, exc.message)
    else:
        noun = "student" if changed == 1 else "students"
        messages.success(request, f"Saved: {changed} {noun} changed.")
    return redirect(_page_url(course, session))


urlpatterns = [path("attendance/", attendance, name="attendance")]
