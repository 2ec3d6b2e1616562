"""Rebuilding every certification standing in the background, course by course."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.certification import standings
from lms.certification.models import CourseStanding
from lms.courses.models import Course
from lms.extensions import db
from lms.jobs.models import Job
from lms.jobs.progress import Progress
from lms.jobs.runner import Outcome


def run(job: Job, progress: Progress) -> Outcome:
    """Recompute the standings of every course (one transaction: readers see old or new)."""
    course_ids = list(db.session.scalars(select(Course.id).order_by(Course.id)))
    progress.start(len(course_ids))
    for course_id in course_ids:
        standings.refresh(course_id=course_id)
        progress.advance()
    people = db.session.scalar(select(func.count(func.distinct(CourseStanding.person_id))))
    return Outcome(summary={"people": people or 0, "courses": len(course_ids)})
