"""The OAuth 2.1 authorization server for the MCP endpoint (see shared docs/mcp-oauth.md)."""
