"""Versioned schema. Each migration runs once, in order, inside one transaction.

Never edit a migration that has shipped: add a new one. PRAGMA user_version holds the version.
"""

from __future__ import annotations

# (version, description, SQL script)
MIGRATIONS: list[tuple[int, str, str]] = [
    (
        1,
        "core tables",
        """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE users (
  username TEXT PRIMARY KEY,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('clerk', 'supervisor', 'administrator')),
  password_hash TEXT NOT NULL,
  failed_attempts INTEGER NOT NULL DEFAULT 0,
  locked_until TEXT,
  locked INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL
);

CREATE TABLE catalogue (
  version TEXT PRIMARY KEY,
  imported_at TEXT NOT NULL,
  source TEXT NOT NULL,
  body TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE dossiers (
  rowid INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  code TEXT NOT NULL UNIQUE,
  procedure_code TEXT NOT NULL,
  procedure_name TEXT NOT NULL,
  applicant_name TEXT NOT NULL,
  citizen_id TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL DEFAULT '',
  channel TEXT NOT NULL,
  received_at TEXT NOT NULL,
  appointment_at TEXT,
  status INTEGER NOT NULL,
  clerk TEXT NOT NULL,
  data TEXT NOT NULL,
  search_text TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX dossiers_citizen_id ON dossiers (citizen_id);
CREATE INDEX dossiers_status_due ON dossiers (status, appointment_at);
CREATE INDEX dossiers_received ON dossiers (received_at);

CREATE TABLE events (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  dossier_id TEXT NOT NULL REFERENCES dossiers (id),
  type TEXT NOT NULL,
  occurred_at TEXT NOT NULL,
  origin TEXT NOT NULL CHECK (origin IN ('counter', 'province')),
  actor TEXT NOT NULL,
  payload BLOB NOT NULL,
  signature BLOB,
  recorded_at TEXT NOT NULL,
  synced_at TEXT
);
CREATE INDEX events_dossier ON events (dossier_id, occurred_at);
CREATE TRIGGER events_append_only BEFORE UPDATE OF
  id, dossier_id, type, occurred_at, origin, actor, payload, signature, recorded_at ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

CREATE TABLE attachments (
  dossier_id TEXT NOT NULL REFERENCES dossiers (id),
  sha256 TEXT NOT NULL,
  name TEXT NOT NULL,
  media_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  PRIMARY KEY (dossier_id, sha256)
);

CREATE TABLE outbox (
  seq INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL UNIQUE REFERENCES events (id),
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'parked')),
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  parked_reason TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT
);
CREATE INDEX outbox_state ON outbox (state, seq);

CREATE TABLE audit (
  seq INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  counter TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE TABLE code_sequences (day TEXT PRIMARY KEY, last INTEGER NOT NULL);

CREATE TABLE calendar_overrides (
  day TEXT PRIMARY KEY,
  working INTEGER NOT NULL CHECK (working IN (0, 1)),
  note TEXT NOT NULL DEFAULT ''
);

CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
""",
    ),
    (
        2,
        "full-text search over folded applicant name, citizen ID, phone and dossier code",
        """
CREATE VIRTUAL TABLE dossier_fts USING fts5(
  search_text, content='dossiers', content_rowid='rowid',
  tokenize="unicode61 remove_diacritics 2", prefix='3 4 5 6'
);
INSERT INTO dossier_fts (dossier_fts) VALUES ('rebuild');
CREATE TRIGGER dossiers_fts_insert AFTER INSERT ON dossiers BEGIN
  INSERT INTO dossier_fts (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER dossiers_fts_update AFTER UPDATE OF search_text ON dossiers BEGIN
  INSERT INTO dossier_fts (dossier_fts, rowid, search_text)
    VALUES ('delete', old.rowid, old.search_text);
  INSERT INTO dossier_fts (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER dossiers_fts_delete AFTER DELETE ON dossiers BEGIN
  INSERT INTO dossier_fts (dossier_fts, rowid, search_text)
    VALUES ('delete', old.rowid, old.search_text);
END;
""",
    ),
    (
        3,
        "RFC 3161 time-stamp tokens on events; certificates bound to clerk accounts",
        """
ALTER TABLE events ADD COLUMN tst BLOB;
CREATE TRIGGER events_tst_once BEFORE UPDATE OF tst ON events WHEN old.tst IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a time-stamp token is written once'); END;

CREATE TABLE user_certs (
  seq INTEGER PRIMARY KEY,
  username TEXT NOT NULL REFERENCES users (username),
  sha256 TEXT NOT NULL,
  subject TEXT NOT NULL,
  serial TEXT NOT NULL,
  not_after TEXT NOT NULL,
  bound_at TEXT NOT NULL,
  bound_by TEXT NOT NULL,
  unbound_at TEXT,
  unbound_by TEXT
);
CREATE INDEX user_certs_user ON user_certs (username, sha256);
CREATE TRIGGER user_certs_fixed BEFORE UPDATE OF
  seq, username, sha256, subject, serial, not_after, bound_at, bound_by ON user_certs
BEGIN SELECT RAISE(ABORT, 'certificate bindings are append-only'); END;
CREATE TRIGGER user_certs_unbind_once BEFORE UPDATE OF unbound_at, unbound_by ON user_certs
  WHEN old.unbound_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'certificate bindings are append-only'); END;
CREATE TRIGGER user_certs_no_delete BEFORE DELETE ON user_certs
BEGIN SELECT RAISE(ABORT, 'certificate bindings are append-only'); END;
""",
    ),
    (
        4,
        "pulled events waiting for their dossier (the pull cursor never skips them)",
        """
CREATE TABLE pulled_waiting (
  event_id TEXT PRIMARY KEY,
  dossier_id TEXT NOT NULL,
  event TEXT NOT NULL,
  source TEXT NOT NULL,
  held_at TEXT NOT NULL
);
CREATE INDEX pulled_waiting_dossier ON pulled_waiting (dossier_id);
""",
    ),
    (
        5,
        "search index rebuilt: phones in national form (0 / +84 / 84 typed alike); "
        "scans looked up by hash (check reports unreferenced ones)",
        # motcua_search_text is registered on every connection (store.register_functions).
        """
UPDATE dossiers SET search_text = motcua_search_text(applicant_name, citizen_id, phone, code)
  WHERE search_text IS NOT motcua_search_text(applicant_name, citizen_id, phone, code);
INSERT INTO dossier_fts (dossier_fts) VALUES ('rebuild');
CREATE INDEX IF NOT EXISTS attachments_sha256 ON attachments (sha256);
""",
    ),
    (
        6,
        "pulled events refused here, kept signed so they are checked again after a trust "
        "change (append-only: the envelope and the first refusal never change)",
        """
CREATE TABLE pulled_refused (
  seq INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL UNIQUE,
  dossier_id TEXT NOT NULL,
  dossier_code TEXT NOT NULL,
  type TEXT NOT NULL,
  origin TEXT NOT NULL,
  event TEXT NOT NULL,
  tst TEXT,
  source TEXT NOT NULL,
  reason TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '',
  refused_at TEXT NOT NULL,
  final INTEGER NOT NULL DEFAULT 0 CHECK (final IN (0, 1)),
  last_reason TEXT NOT NULL,
  last_detail TEXT NOT NULL DEFAULT '',
  checked_at TEXT NOT NULL,
  checks INTEGER NOT NULL DEFAULT 1,
  resolved_at TEXT,
  resolution TEXT
);
CREATE INDEX pulled_refused_open ON pulled_refused (resolved_at, final, seq);
CREATE TRIGGER pulled_refused_fixed BEFORE UPDATE OF
  seq, event_id, dossier_id, dossier_code, type, origin, event, tst, source, reason, detail,
  refused_at ON pulled_refused
BEGIN SELECT RAISE(ABORT, 'refused pulled events are append-only'); END;
CREATE TRIGGER pulled_refused_final_stays BEFORE UPDATE OF final ON pulled_refused
  WHEN old.final = 1 AND new.final IS NOT 1
BEGIN SELECT RAISE(ABORT, 'a refusal for good stays final'); END;
CREATE TRIGGER pulled_refused_resolve_once BEFORE UPDATE OF resolved_at, resolution
  ON pulled_refused WHEN old.resolved_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a refused pulled event is resolved once'); END;
CREATE TRIGGER pulled_refused_no_delete BEFORE DELETE ON pulled_refused
BEGIN SELECT RAISE(ABORT, 'refused pulled events are append-only'); END;
""",
    ),
]

LATEST_VERSION = MIGRATIONS[-1][0]
