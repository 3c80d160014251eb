-- What the running app (gunicorn) may do in Tsunagu's PostgreSQL database: docs/deploy.md, step 5.
--
-- Run as the owner role (the one that runs `migrate`), in Tsunagu's database, after every `migrate`:
--   psql -v app=tsunagu_app -v owner=tsunagu -d tsunagu -f audit/sql/app_role.sql
-- It can be run again and again. tests/audit/test_app_role.py runs this very file.
--
-- The app role owns nothing, so it can never ALTER TABLE (nor DISABLE TRIGGER), DROP TRIGGER or
-- TRUNCATE; only the owner can. On the access log it may read and append, nothing else.

-- PostgreSQL 15 and later already refuse this; older versions let every role create tables here.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"app";

-- Every table and sequence there is now: read, write and number rows.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app";

-- The access log: SELECT and INSERT only. The one column it may update is user_id, which Django
-- sets to NULL when a user account is deleted (the append-only trigger refuses any other change).
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_accessevent FROM :"app";
GRANT UPDATE (user_id) ON audit_accessevent TO :"app";

-- The app never migrates.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON django_migrations FROM :"app";

-- Tables and sequences that later migrations create (run this file again after each `migrate`
-- all the same: a new table of the access log's kind would need the lines above).
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO :"app";
