-- The seed app's tables, as listed in ARCHITECTURE.md. Tidewire captures their changes.
-- REPLICA IDENTITY FULL makes updates and deletes carry the whole old row ("before"), which the
-- stream processor needs to see transitions (private -> public) and to undo counts on delete.

CREATE TABLE users (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email        text UNIQUE,
    display_name text,
    credits      bigint NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE generation_jobs (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        text NOT NULL DEFAULT 'image' CHECK (kind IN ('image', 'video')),
    status      text NOT NULL DEFAULT 'waiting'
                CHECK (status IN ('waiting', 'active', 'completed', 'failed')),
    progress    integer NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    prompt      text,
    error       text,
    result_url  text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX generation_jobs_user_idx ON generation_jobs (user_id);

CREATE TABLE training_jobs (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status       text NOT NULL DEFAULT 'waiting'
                 CHECK (status IN ('waiting', 'active', 'completed', 'failed')),
    step         integer NOT NULL DEFAULT 0 CHECK (step >= 0),
    total_steps  integer NOT NULL DEFAULT 0 CHECK (total_steps >= 0),
    error        text,
    model_id     text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX training_jobs_user_idx ON training_jobs (user_id);

CREATE TABLE credit_transactions (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    amount      bigint NOT NULL,
    reason      text,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX credit_transactions_user_idx ON credit_transactions (user_id, created_at);

CREATE TABLE videos (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    is_public   boolean NOT NULL DEFAULT false,
    url         text,
    caption     text,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX videos_user_idx ON videos (user_id);

CREATE TABLE images (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    is_public   boolean NOT NULL DEFAULT false,
    url         text,
    caption     text,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX images_user_idx ON images (user_id);

CREATE TABLE likes (
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    content_type  text NOT NULL CHECK (content_type IN ('video', 'image')),
    content_id    uuid NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, content_type, content_id)
);
CREATE INDEX likes_content_idx ON likes (content_type, content_id);

CREATE TABLE comments (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    content_type  text NOT NULL CHECK (content_type IN ('video', 'image')),
    content_id    uuid NOT NULL,
    body          text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX comments_content_idx ON comments (content_type, content_id);

ALTER TABLE users               REPLICA IDENTITY FULL;
ALTER TABLE generation_jobs     REPLICA IDENTITY FULL;
ALTER TABLE training_jobs       REPLICA IDENTITY FULL;
ALTER TABLE credit_transactions REPLICA IDENTITY FULL;
ALTER TABLE videos              REPLICA IDENTITY FULL;
ALTER TABLE images              REPLICA IDENTITY FULL;
ALTER TABLE likes               REPLICA IDENTITY FULL;
ALTER TABLE comments            REPLICA IDENTITY FULL;
