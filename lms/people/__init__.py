"""Areas (units), teams, people, roles and login."""
