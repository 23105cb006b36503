-- One name per concept: a person's secret is a passphrase, never a password; a role given to
-- a user in a partnership is a role assignment, never a "grant" (which Accord does not use).
ALTER TABLE users RENAME COLUMN password_hash TO passphrase_hash;
ALTER TABLE users RENAME COLUMN password_changed_at TO passphrase_changed_at;
ALTER TABLE password_resets RENAME TO passphrase_resets;
ALTER TABLE grants RENAME TO role_assignments;
