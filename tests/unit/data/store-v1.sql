-- A lease store as schema version 1 wrote it (frozen: never edit; the
-- migration test opens it with the current code).
PRAGMA application_id = 1146703427;
PRAGMA user_version = 1;
CREATE TABLE leases (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  mount TEXT NOT NULL,
  role TEXT NOT NULL,
  type INTEGER NOT NULL,
  user_name TEXT NOT NULL,
  access_key_id TEXT NOT NULL,
  arn TEXT NOT NULL,
  issued_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  max_expires_at INTEGER NOT NULL,
  renewable INTEGER NOT NULL,
  state INTEGER NOT NULL,
  due_at INTEGER NOT NULL,
  revoke_attempts INTEGER NOT NULL,
  last_error TEXT NOT NULL
);
CREATE INDEX leases_by_due_at ON leases (due_at);
CREATE TABLE roles (
  mount TEXT NOT NULL,
  name TEXT NOT NULL,
  json TEXT NOT NULL,
  PRIMARY KEY (mount, name)
) WITHOUT ROWID;
CREATE TABLE config (
  mount TEXT NOT NULL,
  key TEXT NOT NULL,
  json TEXT NOT NULL,
  PRIMARY KEY (mount, key)
) WITHOUT ROWID;
INSERT INTO leases VALUES (1, 'aws/creds/deploy/0191aa0000000000000000000000000a', 'aws', 'deploy', 0, 'vault-token-deploy-1', 'AKIAOLDSTOREEXAMPLE1',
  'arn:aws:iam::123456789012:user/vault-token-deploy-1', 1800000000000000000, 1800003600000000000, 1802764800000000000, 1, 0,
  1800003600000000000, 0, '');
INSERT INTO leases VALUES (2, 'aws/creds/deploy/0191aa0000000000000000000000000b', 'aws', 'deploy', 0, 'vault-token-deploy-2', 'AKIAOLDSTOREEXAMPLE2',
  'arn:aws:iam::123456789012:user/vault-token-deploy-2', 1800000000000000000, 1800000600000000000, 1802764800000000000, 1, 1,
  1800086400000000000, 6, 'AccessDenied');
INSERT INTO roles VALUES ('aws', 'deploy', '{"credential_type":"iam_user","policy_arns":["arn:aws:iam::aws:policy/ReadOnlyAccess"]}');
INSERT INTO config VALUES ('aws', 'config/lease', '{"lease":"1h","lease_max":"768h"}');
