-- A task's own settings, which its small calls read and write (docs/api.md#task-settings): the
-- speed-limit windows (UpdateSpeed), the advanced migration options (configuration-setting) and
-- the passphrase and TLS material of its secure channel. Keyed by the task's id; a task's rows
-- go with it (the trigger below), whichever write deletes it.

-- The windows of UpdateSpeed, in the order given; a task without rows has none.
CREATE TABLE task_speed_limits (
    task_id               TEXT    NOT NULL,
    position              INTEGER NOT NULL,
    -- As given: "H:MM" or "HH:MM".
    start_time            TEXT    NOT NULL,
    end_time              TEXT    NOT NULL,
    speed                 INTEGER NOT NULL,
    over_speed_threshold  REAL,
    PRIMARY KEY (task_id, position)
) WITHOUT ROWID;

-- The options UploadSpecialConfigurationSetting set, one row per key: a new value replaces the
-- key's row whole.
CREATE TABLE task_configurations (
    task_id        TEXT NOT NULL,
    config_key     TEXT NOT NULL,
    config_value   TEXT NOT NULL,
    config_status  TEXT,
    PRIMARY KEY (task_id, config_key)
) WITHOUT ROWID;

-- The passphrase and PEM certificates and keys of ShowPassphrase and ShowCertKey, made together
-- on the first ask of either and kept for the life of the task. Secrets: never logged.
CREATE TABLE task_keys (
    task_id                  TEXT    NOT NULL PRIMARY KEY,
    passphrase               TEXT    NOT NULL,
    ca                       TEXT    NOT NULL,
    cert                     TEXT    NOT NULL,
    private_key              TEXT    NOT NULL,
    target_mgmt_cert         TEXT    NOT NULL,
    target_mgmt_private_key  TEXT    NOT NULL,
    target_data_cert         TEXT    NOT NULL,
    target_data_private_key  TEXT    NOT NULL,
    create_date              INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TRIGGER tasks_deleted_settings AFTER DELETE ON tasks
BEGIN
    DELETE FROM task_speed_limits WHERE task_id = old.id;
    DELETE FROM task_configurations WHERE task_id = old.id;
    DELETE FROM task_keys WHERE task_id = old.id;
END;
