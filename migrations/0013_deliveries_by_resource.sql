-- A chat click decides a gate only through a service its approval request was sent to:
-- deliveries are looked up by resource (the request) and service.
CREATE INDEX notification_deliveries_by_resource ON notification_deliveries (resource, service);
