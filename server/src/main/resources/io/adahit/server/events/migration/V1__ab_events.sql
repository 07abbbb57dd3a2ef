-- A/B test events. One schema for SQLite and PostgreSQL (portable types only; ids are made by the
-- server, so no dialect-specific auto-increment). Times are Unix epoch milliseconds.

-- Experiments as defined (from the server config or the admin API), so reports and new replicas
-- know the variants and their adapter directories.
CREATE TABLE ab_experiments (
  name        VARCHAR(64)  NOT NULL PRIMARY KEY,
  skill       VARCHAR(128) NOT NULL,
  definition  TEXT         NOT NULL,   -- the Experiment as JSON
  source      VARCHAR(16)  NOT NULL,   -- 'config' or 'admin'
  active      INTEGER      NOT NULL,   -- 1 running, 0 stopped
  updated_at  BIGINT       NOT NULL
);

-- Which variant serves a conversation. Written once (the assignment is a pure function of the
-- conversation id and the experiment name, so a repeated insert is a no-op).
CREATE TABLE ab_assignments (
  conversation_id VARCHAR(128) NOT NULL,
  experiment      VARCHAR(64)  NOT NULL,
  variant         VARCHAR(64)  NOT NULL,
  skill           VARCHAR(128) NOT NULL,
  transport       VARCHAR(32)  NOT NULL,
  replica         VARCHAR(128) NOT NULL,
  created_at      BIGINT       NOT NULL,
  PRIMARY KEY (conversation_id, experiment)
);
CREATE INDEX ab_assignments_variant ON ab_assignments (experiment, variant);

-- A client's rating of a conversation (turn null) or of one bot turn.
CREATE TABLE ab_feedback (
  event_id        VARCHAR(36)  NOT NULL PRIMARY KEY,
  conversation_id VARCHAR(128) NOT NULL,
  experiment      VARCHAR(64),            -- null: the conversation is in no experiment
  variant         VARCHAR(64),
  skill           VARCHAR(128) NOT NULL,
  episode         INTEGER      NOT NULL,
  turn            INTEGER,
  rating          INTEGER,
  thumbs_up       INTEGER,
  created_at      BIGINT       NOT NULL,
  CHECK (rating IS NULL OR (rating >= 1 AND rating <= 5)),
  CHECK (thumbs_up IS NULL OR thumbs_up IN (0, 1)),
  CHECK (rating IS NOT NULL OR thumbs_up IS NOT NULL)
);
CREATE INDEX ab_feedback_variant ON ab_feedback (experiment, variant);
CREATE INDEX ab_feedback_conversation ON ab_feedback (conversation_id);

-- A finished episode and its length in exchanges (user turn + bot reply).
CREATE TABLE ab_episodes (
  event_id        VARCHAR(36)  NOT NULL PRIMARY KEY,
  conversation_id VARCHAR(128) NOT NULL,
  experiment      VARCHAR(64),
  variant         VARCHAR(64),
  skill           VARCHAR(128) NOT NULL,
  episode         INTEGER      NOT NULL,
  turns           INTEGER      NOT NULL,
  created_at      BIGINT       NOT NULL
);
CREATE INDEX ab_episodes_variant ON ab_episodes (experiment, variant);
