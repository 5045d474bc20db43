"""Accounts: users, local passwords, personal API keys; site sessions and upstream OpenID Connect login."""
