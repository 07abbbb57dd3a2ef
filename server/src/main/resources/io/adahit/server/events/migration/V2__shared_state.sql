-- State shared by replicas on one database (PostgreSQL; SQLite for a single process).

-- A gRPC Act conversation's state (conversations.shared: true): any replica continues it. The row
-- is read at the start of a turn and written after it with a version check (optimistic
-- concurrency): "UPDATE ... WHERE version = <the version read>"; a turn whose write finds another
-- version lost a race with a turn of the same conversation on another replica and fails ABORTED.
CREATE TABLE conversation_state (
  conversation_id VARCHAR(128) NOT NULL PRIMARY KEY,
  version         BIGINT       NOT NULL,   -- 1 on insert, +1 per saved operation
  skill           VARCHAR(128) NOT NULL,
  transport       VARCHAR(32)  NOT NULL,
  state           TEXT         NOT NULL,   -- ConversationState as JSON (persona, assignment, episode, exchanges)
  replica         VARCHAR(128) NOT NULL,   -- the replica that saved it last
  updated_at      BIGINT       NOT NULL    -- epoch ms of the last save: idle expiry reads it
);
CREATE INDEX conversation_state_updated ON conversation_state (updated_at);

-- Desired state of admin changes (adapters, experiments), recorded once by the replica that took
-- the call; every replica applies rows newer than the last version it applied.
CREATE TABLE admin_desired (
  kind        VARCHAR(16)  NOT NULL,   -- 'adapter' or 'experiment'
  name        VARCHAR(128) NOT NULL,   -- skill or experiment name
  spec        TEXT         NOT NULL,   -- JSON: adapter {"dir", "fingerprint"} or {"unloaded": true};
                                       -- experiment {"definition", "active"}
  version     BIGINT       NOT NULL,   -- global order of changes, 1, 2, ...
  replica     VARCHAR(128) NOT NULL,
  updated_at  BIGINT       NOT NULL,
  PRIMARY KEY (kind, name)
);
CREATE UNIQUE INDEX admin_desired_version ON admin_desired (version);
