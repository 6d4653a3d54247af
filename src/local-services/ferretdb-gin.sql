-- GIN companions for FerretDB's indexes on PostgreSQL.
--
-- FerretDB 1.24 pushes an equality filter down as `_jsonb -> 'field' @> value`, while the indexes
-- it creates are B-trees on `(_jsonb -> 'field')`, which cannot serve `@>`: without more, every
-- query reads its whole table, a lookup by _id included. This gives each of FerretDB's B-tree
-- indexes a GIN index over the same top-level fields (jsonb_path_ops serves `@>`), named after it
-- with `_gin`: now for the indexes already there, and from then on whenever FerretDB creates one.
-- It is dropped with its index. PostgreSQL uses these only with parameters planned as values
-- (`plan_cache_mode = force_custom_plan`: FerretDB passes the field name as a parameter).
--
-- The local-services code runs this file at every start of the PostgreSQL it manages; it changes
-- nothing the second time. For a PostgreSQL of your own under FerretDB, run it once with psql.

SET client_min_messages = warning;

CREATE OR REPLACE FUNCTION ferretdb_gin_companion(idx oid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  ix pg_index;
  index_name text;
  schema_name text;
  table_name text;
  cols text[] := '{}';
  expr text;
BEGIN
  SELECT * INTO ix FROM pg_index WHERE indexrelid = idx;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  SELECT c.relname, n.nspname INTO index_name, schema_name
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.oid = idx AND c.relam = (SELECT oid FROM pg_am WHERE amname = 'btree');
  SELECT relname INTO table_name FROM pg_class WHERE oid = ix.indrelid;
  -- Only B-trees on FerretDB's tables (not its own catalogue, not PostgreSQL's).
  IF index_name IS NULL OR table_name LIKE '\_ferretdb\_%' OR schema_name LIKE 'pg\_%'
     OR schema_name = 'information_schema' THEN
    RETURN;
  END IF;
  FOR k IN 1 .. ix.indnkeyatts LOOP
    expr := pg_get_indexdef(idx, k, true);
    -- A top-level field, the only kind FerretDB pushes down with `->`.
    IF expr ~ '^\(?_jsonb -> ''([^'']|'''')*''::text\)?$' THEN
      cols := cols || ('(' || expr || ') jsonb_path_ops');
    END IF;
  END LOOP;
  IF cardinality(cols) > 0 THEN
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I.%I USING gin (%s)',
      left(index_name, 59) || '_gin', schema_name, table_name, array_to_string(cols, ', '));
  END IF;
END $$;

CREATE OR REPLACE FUNCTION ferretdb_gin_on_create() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT objid FROM pg_event_trigger_ddl_commands() WHERE object_type = 'index' LOOP
    BEGIN
      PERFORM ferretdb_gin_companion(r.objid);
    EXCEPTION WHEN OTHERS THEN
      -- FerretDB's own index stands; only the companion is missing.
      RAISE WARNING 'no GIN companion for index %: %', r.objid, SQLERRM;
    END;
  END LOOP;
END $$;

CREATE OR REPLACE FUNCTION ferretdb_gin_on_drop() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT schema_name, object_name FROM pg_event_trigger_dropped_objects()
           WHERE object_type = 'index' AND original AND object_name NOT LIKE '%\_gin' LOOP
    EXECUTE format('DROP INDEX IF EXISTS %I.%I', r.schema_name, left(r.object_name, 59) || '_gin');
  END LOOP;
END $$;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname = 'ferretdb_gin_on_create') THEN
    CREATE EVENT TRIGGER ferretdb_gin_on_create ON ddl_command_end WHEN TAG IN ('CREATE INDEX')
      EXECUTE FUNCTION ferretdb_gin_on_create();
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname = 'ferretdb_gin_on_drop') THEN
    CREATE EVENT TRIGGER ferretdb_gin_on_drop ON sql_drop WHEN TAG IN ('DROP INDEX')
      EXECUTE FUNCTION ferretdb_gin_on_drop();
  END IF;
END $$;

-- Indexes made before this file was first run (PostgreSQL's own catalogue left out).
DO $$
BEGIN
  PERFORM ferretdb_gin_companion(i.indexrelid)
    FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
    WHERE c.relnamespace <> 'pg_catalog'::regnamespace;
END $$;
