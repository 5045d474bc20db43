"""Spaces (issue 21): memories per project or life area, connections that see only the spaces they were given,
and spaces shared with other accounts as reader or writer.

``reach``: what one request may read and write (``Reach``), built fresh from the database on every request by
``resolve``; ``manage``: creating, renaming, deleting and sharing spaces (``SpaceService``). The memory service takes
a ``Reach`` wherever it takes a user.
"""
