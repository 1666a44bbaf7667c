"""Server plumbing around the Dash app: sign-in and roles, security headers."""
