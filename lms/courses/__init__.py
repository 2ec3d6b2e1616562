"""Courses: content format, lessons, quizzes and progress."""
