-- The audit chain is sealed at commit time. Before, RecordAudit took the
-- chain's advisory lock in the middle of a transaction that then went on
-- locking rows (a CSV of mappings, say), which could deadlock with a
-- transaction locking those rows first and then auditing. Now an entry is
-- inserted plain, and a deferred trigger, run when its transaction commits
-- and touching nothing but audit_entries, takes the lock, links it to the
-- last sealed entry and writes its hash. Entries are chained in seal order
-- (seq), which is commit order.
--
-- The hash is computed here, in one SQL function that verification uses too:
-- sha256 over length-prefixed fields, the JSON as PostgreSQL's canonical jsonb text.

-- +goose Up
ALTER TABLE audit_entries ADD COLUMN seq BIGINT UNIQUE;
ALTER TABLE audit_entries ALTER COLUMN prev_hash DROP NOT NULL, ALTER COLUMN hash DROP NOT NULL;
CREATE SEQUENCE audit_entries_seq;

-- +goose StatementBegin
CREATE FUNCTION audit_entry_hash(prev TEXT, e audit_entries) RETURNS TEXT
LANGUAGE sql IMMUTABLE AS $$
    SELECT encode(sha256(convert_to(string_agg(length(v)::text || ':' || v, '|' ORDER BY n), 'UTF8')), 'hex')
    FROM unnest(ARRAY[prev, to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), COALESCE(e.actor_id::text, ''),
        e.actor, e.action, e.entity_type, e.entity_id, e.reason, COALESCE(e.before::text, ''), COALESCE(e.after::text, '')])
        WITH ORDINALITY AS f(v, n)
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION seal_audit_entry() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    prev TEXT;
    e audit_entries;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('audit_entries.chain'));
    SELECT hash INTO prev FROM audit_entries WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1;
    prev := COALESCE(prev, 'genesis');
    SELECT * INTO e FROM audit_entries WHERE id = NEW.id;
    UPDATE audit_entries SET seq = nextval('audit_entries_seq'), prev_hash = prev, hash = audit_entry_hash(prev, e)
    WHERE id = NEW.id;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE CONSTRAINT TRIGGER audit_entries_seal AFTER INSERT ON audit_entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION seal_audit_entry();

-- Re-seal what is there with the SQL hash, in the order it was written.
-- +goose StatementBegin
DO $$
DECLARE
    r audit_entries;
    prev TEXT := 'genesis';
BEGIN
    FOR r IN SELECT * FROM audit_entries ORDER BY id LOOP
        UPDATE audit_entries SET seq = nextval('audit_entries_seq'), prev_hash = prev, hash = audit_entry_hash(prev, r)
        WHERE id = r.id RETURNING hash INTO prev;
    END LOOP;
END;
$$;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER audit_entries_seal ON audit_entries;
DROP FUNCTION seal_audit_entry();
DROP FUNCTION audit_entry_hash(TEXT, audit_entries);
DROP SEQUENCE audit_entries_seq;
ALTER TABLE audit_entries DROP COLUMN seq;
