"""In-person classes: scheduling, rosters, attendance sheets and paper-quiz scores."""
