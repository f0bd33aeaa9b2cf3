"""Site administration: organisations, programmes, users, grants, audit log, outbox."""
