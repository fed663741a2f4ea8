-- File transfer progress (the seed's "File Sharing: real-time file transfer progress"): one row per
-- upload, updated by the upload handler as bytes arrive. Tidewire captures it as an owned table
-- (owner = user_id), so its owner gets a live `row.uploads` event for every change.
-- REPLICA IDENTITY FULL, as for every captured table (see V1).

CREATE TABLE uploads (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    file_name       text NOT NULL,
    content_type    text,
    size_bytes      bigint NOT NULL CHECK (size_bytes >= 0),
    received_bytes  bigint NOT NULL DEFAULT 0 CHECK (received_bytes >= 0),
    status          text NOT NULL DEFAULT 'uploading'
                    CHECK (status IN ('uploading', 'completed', 'failed', 'cancelled')),
    error           text,
    url             text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT uploads_received_within_size CHECK (received_bytes <= size_bytes)
);
CREATE INDEX uploads_user_idx ON uploads (user_id);

ALTER TABLE uploads REPLICA IDENTITY FULL;
