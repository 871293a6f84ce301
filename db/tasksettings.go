package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"

	"smslab/certs"
	"smslab/sms"
)

// A task's settings are rows of their own, keyed by the task's id (migration 0009,
// queries/task_settings.sql): its speed-limit windows, the advanced migration options set over
// the API, and its keys. A trigger deletes them with the task. Each call reads the task first
// (GetTaskSettingsBase), in the same transaction, so that an unknown task is a *NotFoundError.

// loadSettingsBase reads what the settings calls need of the task, a *NotFoundError if there is
// no such task.
func loadSettingsBase(ctx context.Context, q *Queries, id string) (GetTaskSettingsBaseRow, error) {
	row, err := q.GetTaskSettingsBase(ctx, id)
	if errors.Is(err, sql.ErrNoRows) {
		return row, &NotFoundError{ID: id}
	}
	return row, err
}

// SpeedLimits returns the task's speed-limit windows in the order UpdateSpeed gave them; none
// (an empty slice) until it has given any.
func (s *Store) SpeedLimits(ctx context.Context, taskID string) ([]sms.SpeedWindow, error) {
	var windows []sms.SpeedWindow
	err := s.readTx(ctx, func(q *Queries) error {
		if _, err := loadSettingsBase(ctx, q, taskID); err != nil {
			return err
		}
		rows, err := q.ListTaskSpeedLimits(ctx, taskID)
		if err != nil {
			return err
		}
		windows = make([]sms.SpeedWindow, len(rows))
		for i, r := range rows {
			speed := int32(r.Speed)
			windows[i] = sms.SpeedWindow{Start: &r.StartTime, End: &r.EndTime, Speed: &speed,
				OverSpeedThreshold: r.OverSpeedThreshold}
		}
		return nil
	})
	return windows, err
}

// SetSpeedLimits replaces the task's speed-limit windows with windows, which the decoder has
// checked (sms.Decoder.DecodeUpdateSpeed); a window without a speed stores 0.
func (s *Store) SetSpeedLimits(ctx context.Context, taskID string, windows []sms.SpeedWindow) error {
	return s.committer.write(ctx, inSavepoint, func(ctx context.Context, tx *writeTx) error {
		if _, err := loadSettingsBase(ctx, tx.Queries, taskID); err != nil {
			return err
		}
		if err := tx.DeleteTaskSpeedLimits(ctx, taskID); err != nil {
			return err
		}
		for i, w := range windows {
			var speed int64
			if w.Speed != nil {
				speed = int64(*w.Speed)
			}
			err := tx.CreateTaskSpeedLimit(ctx, CreateTaskSpeedLimitParams{
				TaskID: taskID, Position: int64(i), StartTime: *w.Start, EndTime: *w.End,
				Speed: speed, OverSpeedThreshold: w.OverSpeedThreshold,
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// ConfigSettings returns the task's advanced migration options, by key, the one key asks for or
// all when key is nil: the options a seed file gave the task (special_config), each replaced by
// the option of its key set over the API, and the options set over the API. migrate_type
// follows from the task's OS (its own, else its source's) and type.
func (s *Store) ConfigSettings(ctx context.Context, taskID string, key *string) (sms.ConfigSettingResponse, error) {
	resp := sms.ConfigSettingResponse{TaskID: taskID}
	err := s.readTx(ctx, func(q *Queries) error {
		base, err := loadSettingsBase(ctx, q, taskID)
		if err != nil {
			return err
		}
		rows, err := q.ListTaskConfigurations(ctx, ListTaskConfigurationsParams{TaskID: taskID, ConfigKey: key})
		if err != nil {
			return err
		}
		var seeded []sms.ConfigBody
		var source sms.TaskSourceServer
		if err := firstError(loadJSON(base.SpecialConfig, &seeded), loadJSON(base.SourceServer, &source)); err != nil {
			return fmt.Errorf("task %s: %w", taskID, err)
		}
		byKey := make(map[string]sms.ConfigSetting)
		for _, c := range seeded {
			if c.ConfigKey != nil && (key == nil || *c.ConfigKey == *key) {
				value := deref(c.ConfigValue)
				byKey[*c.ConfigKey] = sms.ConfigSetting{ConfigKey: c.ConfigKey, ConfigValue: &value, ConfigStatus: c.ConfigStatus}
			}
		}
		for _, r := range rows {
			byKey[r.ConfigKey] = sms.ConfigSetting{ConfigKey: &r.ConfigKey, ConfigValue: &r.ConfigValue, ConfigStatus: r.ConfigStatus}
		}
		resp.Configurations = make([]sms.ConfigSetting, 0, len(byKey))
		for _, k := range slices.Sorted(maps.Keys(byKey)) {
			resp.Configurations = append(resp.Configurations, byKey[k])
		}
		osType := base.OsType
		if osType == nil {
			osType = source.OsType
		}
		if mt := sms.MigrateType(deref(osType), deref(base.Type)); mt != "" {
			resp.MigrateType = &mt
		}
		return nil
	})
	return resp, err
}

// MergeConfigSettings sets the task's advanced migration options: each replaces, whole, the
// option of its key; the task's other options stay.
func (s *Store) MergeConfigSettings(ctx context.Context, taskID string, settings []sms.ConfigSetting) error {
	return s.committer.write(ctx, inSavepoint, func(ctx context.Context, tx *writeTx) error {
		if _, err := loadSettingsBase(ctx, tx.Queries, taskID); err != nil {
			return err
		}
		for _, c := range settings {
			err := tx.UpsertTaskConfiguration(ctx, UpsertTaskConfigurationParams{
				TaskID: taskID, ConfigKey: *c.ConfigKey, ConfigValue: *c.ConfigValue, ConfigStatus: c.ConfigStatus,
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// TaskKeys returns the task's passphrase and TLS material. The first call for a task makes them
// (certs.ForTask) and stores them; every later one, after a restart too, answers the same. Two
// first calls at once make two, and both answer the one stored first.
func (s *Store) TaskKeys(ctx context.Context, taskID string) (TaskKey, error) {
	var keys TaskKey
	err := s.readTx(ctx, func(q *Queries) error {
		if _, err := loadSettingsBase(ctx, q, taskID); err != nil {
			return err
		}
		var err error
		keys, err = q.GetTaskKeys(ctx, taskID)
		return err
	})
	if !errors.Is(err, sql.ErrNoRows) {
		return keys, err
	}
	// Made outside the write: the key pairs take about a millisecond (certs' BenchmarkForTask)
	// that other writes need not wait for.
	now := s.Now()
	m, err := certs.ForTask(taskID, now)
	if err != nil {
		return TaskKey{}, fmt.Errorf("task %s: make keys: %w", taskID, err)
	}
	err = s.committer.write(ctx, inSavepoint, func(ctx context.Context, tx *writeTx) error {
		if _, err := loadSettingsBase(ctx, tx.Queries, taskID); err != nil {
			return err
		}
		err := tx.CreateTaskKeys(ctx, CreateTaskKeysParams{
			TaskID: taskID, Passphrase: m.Passphrase, Ca: m.CA,
			Cert: m.Source.Cert, PrivateKey: m.Source.Key,
			TargetMgmtCert: m.TargetMgmt.Cert, TargetMgmtPrivateKey: m.TargetMgmt.Key,
			TargetDataCert: m.TargetData.Cert, TargetDataPrivateKey: m.TargetData.Key,
			CreateDate: now.UnixMilli(),
		})
		if err != nil {
			return err
		}
		keys, err = tx.GetTaskKeys(ctx, taskID)
		return err
	})
	return keys, err
}
