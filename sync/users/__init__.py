"""The admin app's people: users, sessions, API tokens and the login rate limit."""
