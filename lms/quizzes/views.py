"""Taking the final quiz: landing page, one page per attempt, result, history."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from lms.auth import roles_required
from lms.certification import quiz_flow
from lms.certification.completion import all_lessons_done
from lms.certification.models import Certificate, Completion
from lms.clock import utc_now
from lms.courses import services as course_services
from lms.courses.forms import ActionForm
from lms.courses.models import Course
from lms.errors import LmsError, NotFound
from lms.extensions import db, limiter
from lms.offline.queue import queueable
from lms.people.models import Role
from lms.quizzes import services
from lms.quizzes.analysis import question_analysis
from lms.quizzes.forms import attempt_form, field_name
from lms.quizzes.models import Attempt
from lms.quizzes.question_types import TAMPERED
from lms.quizzes.result import result_items
from lms.quizzes.services import Responses
from lms.security import SAVE_PER_PERSON, SUBMIT_PER_PERSON, person_key
from lms.transaction import all_or_nothing

bp = Blueprint("quizzes", __name__, template_folder="templates")


def _course_with_quiz(slug: str) -> Course:
    try:
        course = course_services.get_course(slug)
    except NotFound:
        abort(404)
    if course.quiz is None or not course.quiz.questions:
        abort(404)
    return course


def _own_attempt(attempt_id: int) -> Attempt:
    try:
        return quiz_flow.own_attempt(current_user, attempt_id)
    except NotFound:
        abort(404)


@bp.get("/courses/<slug>/quiz")
@login_required
def quiz_page(slug: str) -> str:
    """The rules of the final quiz, attempts left, and past attempts."""
    course = _course_with_quiz(slug)
    return render_template(
        "quizzes/quiz.html", course=course, quiz=course.quiz, form=ActionForm(),
        pass_mark=services.pass_mark_of(course), history=services.history(current_user, course),
        attempts_left=services.attempts_left(current_user, course),
        open_attempt=services.open_attempt(current_user, course),
        question_count=min(course.quiz.draw or len(course.quiz.questions),
                           len(course.quiz.questions)))


@bp.post("/courses/<slug>/quiz/start")
@login_required
def start(slug: str) -> Response:
    """Start (or resume) an attempt and open it."""
    course = _course_with_quiz(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        with all_or_nothing():
            attempt = quiz_flow.start_quiz(current_user, course, utc_now())
    except LmsError as error:
        db.session.commit()  # what stands: an overdue attempt closed on the way (writes_stand)
        flash(str(error.message), "error")
        return redirect(url_for("quizzes.quiz_page", slug=slug))
    db.session.commit()
    return redirect(url_for("quizzes.attempt_page", attempt_id=attempt.id))


@bp.get("/attempts/<int:attempt_id>")
@login_required
def attempt_page(attempt_id: int) -> str:
    """The questions of an unfinished attempt, or the result of a finished one."""
    attempt = _own_attempt(attempt_id)
    course = attempt.course
    if quiz_flow.finish_if_overdue(current_user, attempt, utc_now()):
        db.session.commit()
        flash(_("The time for this attempt ran out. The answers saved in time were graded."),
              "warning")
    if attempt.submitted:
        return _result(attempt, course)
    if not _one_per_screen(course):
        return render_template("quizzes/attempt.html", attempt=attempt, course=course,
                               form=attempt_form(attempt), field_name=field_name)
    left = services.unanswered(attempt)
    if request.args.get("review"):
        return render_template("quizzes/review.html", attempt=attempt, course=course,
                               form=ActionForm(), unanswered=left)
    total = len(attempt.questions)
    position = request.args.get("q", type=int)
    if position is None:  # resuming: the first question without an answer
        if not left:
            return redirect(url_for("quizzes.attempt_page", attempt_id=attempt_id, review=1))
        position = left[0]
    position = min(max(position, 1), total)
    return render_template("quizzes/step.html", attempt=attempt, course=course,
                           form=attempt_form(attempt), field_name=field_name, position=position,
                           question=attempt.questions[position - 1], total=total,
                           answered=total - len(left))


def _one_per_screen(course: Course) -> bool:
    return course.quiz is None or course.quiz.layout != "one_page"


def _shown_questions(attempt: Attempt) -> set[int] | None:
    """The questions (ids) the posted screen showed; None for a form from before screens."""
    if "shown" not in request.form:
        return None
    return {int(v) for v in request.form.getlist("shown") if v.isascii() and v.isdigit()}


def _step_target(attempt_id: int, action: str, position: int | None, total: int) -> str | None:
    """Where a one-question screen's button leads once its answer is saved."""
    if action == "review" or (action == "next" and position == total):
        return url_for("quizzes.attempt_page", attempt_id=attempt_id, review=1)
    if action in ("next", "previous") and position:
        step = 1 if action == "next" else -1
        return url_for("quizzes.attempt_page", attempt_id=attempt_id,
                       q=min(max(position + step, 1), total))
    return None


def _saving_only() -> bool:
    """A screen's answer saved on the way to another question, not a submission."""
    return request.form.get("action") in ("next", "previous", "review", "autosave", "save")


def _responses(attempt: Attempt) -> tuple[Responses, set[int] | None] | None:
    """The answers posted for the attempt and the questions the screen showed; None (with a
    message) when the form expired or was tampered with."""
    form = attempt_form(attempt, request.form)
    if not form.validate_on_submit():
        if form.errors.keys() - {"csrf_token"}:
            flash(str(TAMPERED), "error")
        else:
            flash(_("The form has expired. Please try again."), "error")
        return None
    shown = _shown_questions(attempt)
    if shown is not None and not shown <= {q.id for q in attempt.questions}:
        flash(str(TAMPERED), "error")
        return None
    return form.responses(attempt, shown), shown


def _save_instead(attempt: Attempt, responses: Responses, shown: set[int] | None,
                  now: datetime) -> str | Response | tuple[str, int] | None:
    """Save the answers when the member moves between screens, saves for later or has left
    questions unanswered (then asks her to confirm); None: submit them."""
    attempt_id, course = attempt.id, attempt.course
    action = request.form.get("action", "submit")
    target = _step_target(attempt_id, action, request.form.get("position", type=int),
                          len(attempt.questions))
    if target or action == "autosave":
        services.save_responses(attempt, responses, now)
        db.session.commit()
        return ("", 204) if action == "autosave" else redirect(target)
    if action == "save":
        services.save_responses(attempt, responses, now)
        quiz_url = url_for("quizzes.quiz_page", slug=course.slug)  # before the commit
        db.session.commit()
        flash(_("Your answers are saved. You can come back and finish later."), "success")
        return redirect(quiz_url)
    unanswered = services.unanswered_count(attempt, responses)
    if not unanswered or request.form.get("confirm") or attempt.submitted:
        return None
    services.save_responses(attempt, responses, now)
    db.session.commit()
    if _one_per_screen(course) and shown is not None:
        return redirect(url_for("quizzes.attempt_page", attempt_id=attempt_id, review=1))
    flash(ngettext("%(num)d question has no answer yet.",
                   "%(num)d questions have no answer yet.", unanswered), "warning")
    return render_template("quizzes/attempt.html", attempt=attempt, course=course,
                           form=attempt_form(attempt), field_name=field_name,
                           confirm_unanswered=True)


@bp.post("/attempts/<int:attempt_id>")
@queueable
@login_required
@limiter.limit(SUBMIT_PER_PERSON, key_func=person_key, exempt_when=_saving_only)
@limiter.limit(SAVE_PER_PERSON, key_func=person_key)
def attempt_submit(attempt_id: int) -> str | Response | tuple[str, int]:
    """Save the answers for later, or submit them for grading (once)."""
    attempt = _own_attempt(attempt_id)
    # By `attempt_id`: after the commit, `attempt.id` would load the whole attempt again.
    here = url_for("quizzes.attempt_page", attempt_id=attempt_id)
    if (posted := _responses(attempt)) is None:
        return redirect(here)
    now = utc_now()
    try:
        with all_or_nothing():
            if (saved := _save_instead(attempt, *posted, now)) is not None:
                return saved
            outcome = quiz_flow.submit_and_certify(current_user, attempt, posted[0], now)
    except services.AttemptClosed as error:
        outcome = quiz_flow.closed(current_user, attempt, now, error)
    except LmsError as error:
        flash(str(error.message), "error")
        return redirect(here)
    db.session.commit()
    if outcome.message:
        flash(*outcome.message)
    if outcome.certificate_id:  # a pass that earned the certificate: the congratulation first
        return redirect(url_for("certification.certificate_page",
                                certificate_id=outcome.certificate_id, new=1, attempt=attempt_id))
    return redirect(here)


@bp.get("/courses/<slug>/quiz/analysis")
@roles_required(Role.TRAINER, Role.ADMIN)
def analysis(slug: str) -> str:
    """Per question: share right, favourite wrong answer, discrimination; misses flagged."""
    course = _course_with_quiz(slug)
    attempts, stats = question_analysis(course)
    return render_template("quizzes/analysis.html", course=course, attempts=attempts,
                           stats=stats)


def _lesson_url(slug: str) -> Callable[[str, str], str]:
    def url(lesson_slug: str, anchor: str) -> str:
        return url_for("courses.lesson_page", slug=slug, lesson_slug=lesson_slug,
                       _anchor=anchor or None)
    return url


def _result(attempt: Attempt, course: Course) -> str:
    completion = db.session.scalar(db.select(Completion).where(
        Completion.attempt_id == attempt.id))
    certificate = db.session.scalar(db.select(Certificate).where(
        Certificate.completion_id == completion.id)) if completion else None
    items = result_items(attempt, course.slug, _lesson_url(course.slug))
    wrong = [item for item in items if not item.question.correct]
    return render_template(
        "quizzes/result.html", attempt=attempt, course=course, completion=completion,
        completion_url=url_for("certification.certificate_page", certificate_id=certificate.id)
        if certificate else None,
        lessons_done=all_lessons_done(current_user, course, attempt),
        attempts_left=services.attempts_left(current_user, course),
        wrong=wrong, right=items[len(wrong):],
        wrong_explained=any(item.explained for item in wrong),
        wrong_linked=any(item.lesson for item in wrong))
