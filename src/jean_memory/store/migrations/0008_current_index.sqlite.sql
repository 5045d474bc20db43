-- The user's current memories (live, not a document chunk, not replaced), with what counting them and grouping
-- them by app needs: the dashboard's total and its app filter read this index alone instead of every row with
-- its text and embedding (at 11k memories on SQLite: count 26 ms and apps 34 ms a page view before).
CREATE INDEX memories_current ON memories(user_id, client_id, expires_at)
    WHERE deleted_at IS NULL AND document_id IS NULL AND superseded_by IS NULL;
