"""The teams' field log: help given to residents at their door, confirmed by leaders, reported
to officers beside training, and counted in the teams' effectiveness."""
