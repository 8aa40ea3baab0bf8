"""Who is calling and what they may do: principals, credentials, the permission table."""
