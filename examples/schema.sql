-- The example tenant's database: run as a superuser in database "app" (psql -d app -f schema.sql)
-- on a server with wal_level = logical (and max_replication_slots, max_wal_senders above zero).

-- The role the operator and the runtime connect as (Secret acme-db): REPLICATION to stream from
-- a slot, CREATE on the database for publications.
CREATE ROLE slipstream LOGIN REPLICATION PASSWORD 'change-me';
GRANT CREATE ON DATABASE app TO slipstream;

CREATE TABLE orders (
  id          bigint PRIMARY KEY,
  customer_id bigint NOT NULL,
  status      text NOT NULL DEFAULT 'new',
  total       numeric(12, 2) NOT NULL
);

CREATE TABLE messages (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  room         text NOT NULL,
  author       text NOT NULL,
  author_email text,
  body         text NOT NULL,
  sent_at      timestamptz NOT NULL DEFAULT now()
);

-- A FOR TABLE publication and REPLICA IDENTITY FULL need the table's owner.
ALTER TABLE orders OWNER TO slipstream;
ALTER TABLE messages OWNER TO slipstream;
