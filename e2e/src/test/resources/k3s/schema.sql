-- K3sEndToEndIT: the tables examples/*-publication.yaml publish, in the example tenant's database.
-- Keep in step with examples/ (columns named in a publication must exist).
CREATE TABLE orders (
  id bigint PRIMARY KEY,
  customer_id bigint NOT NULL,
  status text NOT NULL DEFAULT 'draft',
  total numeric NOT NULL DEFAULT 0
);
CREATE TABLE messages (
  id bigserial PRIMARY KEY,
  room text NOT NULL DEFAULT 'lobby',
  author text NOT NULL,
  body text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
