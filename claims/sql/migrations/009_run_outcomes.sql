-- A run works on a copy of the database and publishes it by renaming it into place, so the
-- published runs table holds finished runs only. A run whose process died before recording
-- its outcome (killed, out of memory, the machine stopped) is recorded by the next run, as
-- abandoned; so are the 'running' rows older versions left behind when their runs died.
COMMENT ON COLUMN runs.status IS 'published (the gate passed and the tables were replaced); skipped (nothing to validate: nothing changed, or no document was read); gate_failed (nothing published); failed (an error, see error); abandoned (its process died before recording an outcome, killed or out of memory; the next run records it). Databases written by older versions may show running for a run in progress; the next run marks those abandoned.';
COMMENT ON COLUMN runs.error IS 'What went wrong when status is failed or abandoned; NULL otherwise.';
