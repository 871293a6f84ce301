package db

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"

	"smslab/sms"
)

// settingsTask is a READY task of source src, which DeleteSources may delete with it.
func settingsTask(id, src string) sms.Task {
	return sms.Task{ID: ptr(id), Name: ptr(id), State: ptr("READY"), OsType: ptr("LINUX"), Type: ptr("MIGRATE_FILE"),
		SourceServer: &sms.TaskSourceServer{ID: ptr(src)}}
}

// giveSettings stores windows, an option and keys for the task id.
func giveSettings(t *testing.T, store *Store, id string) TaskKey {
	t.Helper()
	ctx := context.Background()
	windows := []sms.SpeedWindow{{Start: ptr("0:00"), End: ptr("8:00"), Speed: ptr[int32](20), OverSpeedThreshold: ptr(5.5)}}
	if err := store.SetSpeedLimits(ctx, id, windows); err != nil {
		t.Fatal(err)
	}
	settings := []sms.ConfigSetting{{ConfigKey: ptr("DYNAMIC_PORT"), ConfigValue: ptr("9000"), ConfigStatus: ptr("s")}}
	if err := store.MergeConfigSettings(ctx, id, settings); err != nil {
		t.Fatal(err)
	}
	keys, err := store.TaskKeys(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// settingRows counts the rows of the task id in each settings table.
func settingRows(t *testing.T, store *Store, id string) [3]int {
	t.Helper()
	var n [3]int
	for i, table := range []string{"task_speed_limits", "task_configurations", "task_keys"} {
		if err := store.reader.QueryRow("SELECT count(*) FROM "+table+" WHERE task_id = ?", id).Scan(&n[i]); err != nil {
			t.Fatal(err)
		}
	}
	return n
}

// A task's settings are stored: they survive closing and opening the store again, and the keys
// made on the first ask are the keys every later ask answers.
func TestTaskSettingsSurviveReopening(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "settings.db")
	store := mustOpen(t, path)
	if err := store.Import(ctx, []sms.Task{settingsTask("t1", "s1")}); err != nil {
		t.Fatal(err)
	}
	keys := giveSettings(t, store, "t1")
	store.Close()

	store = mustOpen(t, path)
	defer store.Close()
	windows, err := store.SpeedLimits(ctx, "t1")
	if err != nil {
		t.Fatal(err)
	}
	if len(windows) != 1 || *windows[0].Start != "0:00" || *windows[0].End != "8:00" || *windows[0].Speed != 20 ||
		*windows[0].OverSpeedThreshold != 5.5 {
		t.Errorf("windows after reopening: %+v", windows)
	}
	config, err := store.ConfigSettings(ctx, "t1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(config.Configurations) != 1 || *config.Configurations[0].ConfigValue != "9000" || *config.Configurations[0].ConfigStatus != "s" {
		t.Errorf("options after reopening: %+v", config)
	}
	again, err := store.TaskKeys(ctx, "t1")
	if err != nil {
		t.Fatal(err)
	}
	if again != keys {
		t.Error("the keys changed when the store was opened again")
	}
}

// Deleting a task deletes its settings, and only its own; a task stored later under the same id
// starts without any.
func TestTaskSettingsGoWithTheTask(t *testing.T) {
	ctx := context.Background()
	store := mustOpenStore(t)
	if err := store.Import(ctx, []sms.Task{settingsTask("t1", "s1"), settingsTask("t2", "s2")}); err != nil {
		t.Fatal(err)
	}
	keys1 := giveSettings(t, store, "t1")
	giveSettings(t, store, "t2")
	if got := settingRows(t, store, "t1"); got != [3]int{1, 1, 1} {
		t.Fatalf("t1's rows before the delete: %v", got)
	}
	// An import replacing the task keeps them: the task was not deleted.
	if err := store.Import(ctx, []sms.Task{settingsTask("t1", "s1")}); err != nil {
		t.Fatal(err)
	}
	if got := settingRows(t, store, "t1"); got != [3]int{1, 1, 1} {
		t.Fatalf("t1's rows after an import replaced it: %v", got)
	}

	if err := store.DeleteSources(ctx, []string{"s1"}); err != nil {
		t.Fatal(err)
	}
	if got := settingRows(t, store, "t1"); got != [3]int{} {
		t.Errorf("t1's rows after its delete: %v, want none", got)
	}
	if got := settingRows(t, store, "t2"); got != [3]int{1, 1, 1} {
		t.Errorf("t2's rows after t1's delete: %v", got)
	}
	if _, err := store.SpeedLimits(ctx, "t1"); !errors.Is(err, ErrTaskNotFound) {
		t.Errorf("SpeedLimits of a deleted task: %v", err)
	}

	if err := store.Import(ctx, []sms.Task{settingsTask("t1", "s1")}); err != nil {
		t.Fatal(err)
	}
	windows, err := store.SpeedLimits(ctx, "t1")
	if err != nil || len(windows) != 0 {
		t.Errorf("windows of a new t1: %v (%v)", windows, err)
	}
	keys, err := store.TaskKeys(ctx, "t1")
	if err != nil {
		t.Fatal(err)
	}
	if keys.Passphrase == keys1.Passphrase || keys.PrivateKey == keys1.PrivateKey {
		t.Error("a new task under a deleted one's id got its keys")
	}
}

// Writes on an unknown task store nothing.
func TestTaskSettingsOfAnUnknownTask(t *testing.T) {
	ctx := context.Background()
	store := mustOpenStore(t)
	windows := []sms.SpeedWindow{{Start: ptr("0:00"), End: ptr("8:00")}}
	settings := []sms.ConfigSetting{{ConfigKey: ptr("DYNAMIC_PORT"), ConfigValue: ptr("9000")}}
	var notFound *NotFoundError
	for name, err := range map[string]error{
		"SetSpeedLimits":      store.SetSpeedLimits(ctx, "nope", windows),
		"MergeConfigSettings": store.MergeConfigSettings(ctx, "nope", settings),
		"TaskKeys":            func() error { _, err := store.TaskKeys(ctx, "nope"); return err }(),
	} {
		if !errors.As(err, &notFound) || notFound.ID != "nope" {
			t.Errorf("%s: %v, want a *NotFoundError for nope", name, err)
		}
	}
	if got := settingRows(t, store, "nope"); got != [3]int{} {
		t.Errorf("rows of an unknown task: %v", got)
	}
}

// Asks that race to make a task's keys all answer the keys stored.
func TestTaskKeysMadeOnce(t *testing.T) {
	ctx := context.Background()
	store := mustOpenStore(t)
	if err := store.Import(ctx, []sms.Task{settingsTask("t1", "s1")}); err != nil {
		t.Fatal(err)
	}
	const asks = 8
	var wg sync.WaitGroup
	got := make([]TaskKey, asks)
	errs := make([]error, asks)
	for i := range asks {
		wg.Go(func() { got[i], errs[i] = store.TaskKeys(ctx, "t1") })
	}
	wg.Wait()
	for i := range asks {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if got[i] != got[0] {
			t.Errorf("ask %d got other keys than ask 0", i)
		}
	}
	stored, err := store.TaskKeys(ctx, "t1")
	if err != nil || stored != got[0] {
		t.Errorf("the keys stored are not those answered (%v)", err)
	}
}
