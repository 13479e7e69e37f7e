-- One role per service, each owning its schema and able to touch nothing else (ADR 0014).
-- Run once by CloudNativePG at the cluster's bootstrap, in database smsgw, as the superuser;
-- the managed roles of cluster.yaml then give the roles LOGIN and their passwords. Each
-- service's migrations (its init container) create its tables in its own schema.
REVOKE CREATE ON DATABASE smsgw FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

CREATE ROLE ingress NOLOGIN;
CREATE ROLE pricing NOLOGIN;
CREATE ROLE connector NOLOGIN;
CREATE ROLE dispatcher NOLOGIN;
CREATE ROLE event_store NOLOGIN;
CREATE ROLE console NOLOGIN;
CREATE ROLE smpp_server NOLOGIN;
CREATE ROLE inbound NOLOGIN;
CREATE ROLE routing NOLOGIN;

CREATE SCHEMA ingress AUTHORIZATION ingress;
CREATE SCHEMA pricing AUTHORIZATION pricing;
CREATE SCHEMA connector AUTHORIZATION connector;
CREATE SCHEMA dispatcher AUTHORIZATION dispatcher;
CREATE SCHEMA event_store AUTHORIZATION event_store;
CREATE SCHEMA console AUTHORIZATION console;
CREATE SCHEMA smpp_server AUTHORIZATION smpp_server;
CREATE SCHEMA inbound AUTHORIZATION inbound;
CREATE SCHEMA routing AUTHORIZATION routing;

-- Through the pooler the search_path a client asks for is ignored (pooler.yaml): each role
-- finds its tables by its own default.
ALTER ROLE ingress SET search_path = ingress, public;
ALTER ROLE pricing SET search_path = pricing, public;
ALTER ROLE connector SET search_path = connector, public;
ALTER ROLE dispatcher SET search_path = dispatcher, public;
ALTER ROLE event_store SET search_path = event_store, public;
ALTER ROLE console SET search_path = console, public;
ALTER ROLE smpp_server SET search_path = smpp_server, public;
ALTER ROLE inbound SET search_path = inbound, public;
ALTER ROLE routing SET search_path = routing, public;

-- The message read model (packages/message-read-model): the API's status queries and the
-- console's message log read the event store's projection, pricing's sweep which charges
-- were accepted (ADR 0024), and routing whether a later attempt of a message shows before it
-- publishes a redelivered failure (ADR 0009, amendment), and the SMPP server a customer's
-- query_sm and cancel_sm (ADR 0012, amendment); none writes it.
GRANT USAGE ON SCHEMA event_store TO ingress, console, pricing, routing, smpp_server;
ALTER DEFAULT PRIVILEGES FOR ROLE event_store IN SCHEMA event_store
  GRANT SELECT ON TABLES TO ingress, console, pricing, routing, smpp_server;
