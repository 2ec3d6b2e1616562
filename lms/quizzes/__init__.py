"""Quizzes: attempts, grading, history, GIFT import and question analysis."""
