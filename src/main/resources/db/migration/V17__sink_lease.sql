-- One deliverer per sink: the process delivering the staged leads holds a lease on its sink's row — who (an owner id
-- per delivery, host, pid), since when, its last heartbeat and when it expires — as a pull holds its job's (V6).
-- Taken before a delivery reads anything, renewed while it runs, released when it ends. (IF NOT EXISTS: safe to re-run.)
CREATE TABLE IF NOT EXISTS sink_lease (
    sink               VARCHAR(64) NOT NULL PRIMARY KEY,
    lease_owner        VARCHAR(64),
    lease_host         VARCHAR(255),
    lease_pid          BIGINT,
    lease_since        TIMESTAMP WITH TIME ZONE,
    lease_heartbeat_at TIMESTAMP WITH TIME ZONE,
    lease_expires_at   TIMESTAMP WITH TIME ZONE
);
