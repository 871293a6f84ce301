package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"smslab/db"
	"smslab/lifecycle"
	"smslab/sms"
)

// datasetVersion changes whenever the generated tasks change shape, so that cached databases made
// by an older generator are not reused.
const datasetVersion = "2"

// The task population. Every property of task i is a pure function of i, so the load generator
// can address a task's own sub-tasks without asking the server.
var (
	// taskStates are the states of a wave under way, from the server's life cycle.
	taskStates = []string{lifecycle.Ready, lifecycle.Running, lifecycle.MigrateSuccess, lifecycle.MigrateFail, lifecycle.Syncing}
	// enterpriseProjects are the projects tasks belong to; "0" is the default project.
	enterpriseProjects = []string{
		"0",
		"5d5e7ce9-2f0a-4d4e-9a57-5b1c1a0e1001",
		"5d5e7ce9-2f0a-4d4e-9a57-5b1c1a0e1002",
		"5d5e7ce9-2f0a-4d4e-9a57-5b1c1a0e1003",
		"5d5e7ce9-2f0a-4d4e-9a57-5b1c1a0e1004",
	}
	// subTaskSets are the sub-tasks of a full migration by OS and migration type, as the
	// server's life cycle runs them; looked up once, as every drawn task needs its set.
	subTaskSets = map[[2]string][]string{}
)

func init() {
	for _, osType := range []string{"LINUX", "WINDOWS"} {
		for _, migType := range []string{"MIGRATE_BLOCK", "MIGRATE_FILE"} {
			seq, err := lifecycle.SequenceFor(migType, osType, false)
			if err != nil {
				panic(err) // the generator draws only kinds the life cycle knows
			}
			subTaskSets[[2]string{osType, migType}] = seq.Migration
		}
	}
}

// epoch is the create_date of task 0; later tasks were created one minute apart, going back.
const epoch = 1735689600000 // 2025-01-01T00:00:00Z in ms

// profile is what the load generator needs to know about task i.
type profile struct {
	id          string
	state       string
	osType      string
	migType     string
	project     string
	hasSubTasks bool
	subTasks    []string
}

// mix is a cheap, well-spread hash (splitmix64) that turns a task index into its properties.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// taskID is the id of task i, shaped like the service's UUIDs (36 characters).
func taskID(i int) string {
	h := mix(uint64(i) ^ 0xa5a5)
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", uint32(h>>32), uint16(h>>16), i>>24&0xfff, i>>12&0xfff, i)
}

func profileOf(i int) profile {
	h := mix(uint64(i))
	p := profile{
		id:          taskID(i),
		state:       taskStates[h%uint64(len(taskStates))],
		project:     enterpriseProjects[h>>8%uint64(len(enterpriseProjects))],
		hasSubTasks: h>>16&1 == 1,
		osType:      "LINUX",
		migType:     "MIGRATE_BLOCK",
	}
	switch h >> 20 % 4 {
	case 0:
		p.osType = "WINDOWS"
	case 1:
		p.migType = "MIGRATE_FILE"
	}
	p.subTasks = subTaskSets[[2]string{p.osType, p.migType}]
	return p
}

// reportable reports whether the task's state takes progress reports, by the server's state
// table: an agent reports only on tasks whose migration or synchronization runs.
func (p profile) reportable() bool {
	rule, _ := lifecycle.RuleFor(p.state)
	return rule.Migration.Next != "" || p.state == lifecycle.Syncing && rule.Sync.Next != ""
}

// reportSubTask is a sub-task a report on the task may name: its sync sub-task while it
// synchronizes, else one of its migration's.
func (p profile) reportSubTask(rng *rand.Rand) string {
	if rule, _ := lifecycle.RuleFor(p.state); rule.Migration.Next == "" {
		seq, _ := lifecycle.SequenceFor(p.migType, p.osType, true)
		return seq.Sync
	}
	return p.subTasks[rng.IntN(len(p.subTasks))]
}

// reportableTask draws a task whose state takes progress reports; draw gives candidates.
func reportableTask(draw func() int) profile {
	p := profileOf(draw())
	for range 1000 { // three tasks in five qualify
		if p.reportable() {
			break
		}
		p = profileOf(draw())
	}
	return p
}

func ptr[T any](v T) *T { return &v }

// taskAt builds task i as an export from the real service would show it.
func taskAt(i int) sms.Task {
	p := profileOf(i)
	h := mix(uint64(i) + 7)
	created := int64(epoch - int64(i)*60_000)
	n := strconv.Itoa(i)
	ip := fmt.Sprintf("10.%d.%d.%d", i>>16&0xff, i>>8&0xff, i&0xff)
	osVersion := "CENTOS_7_6_64BIT"
	if p.osType == "WINDOWS" {
		osVersion = "WINDOWS2016_64BIT"
	}
	t := sms.Task{
		ID:                &p.id,
		Name:              ptr("sms_task_" + n),
		Type:              &p.migType,
		OsType:            &p.osType,
		State:             &p.state,
		CreateDate:        &created,
		Priority:          ptr(int32(h % 3)),
		SpeedLimit:        ptr(int32(0)),
		MigrateSpeed:      ptr(0.0),
		StartTargetServer: ptr(true),
		ErrorJSON:         ptr(""),
		TotalTime:         ptr(int64(h % 20_000_000)),
		MigrationIP:       ptr(""),
		SourceServer: &sms.TaskSourceServer{
			ID: ptr(taskID(i + 1<<30)), IP: &ip, Name: ptr("lab-src-" + n), OsType: &p.osType,
			OsVersion: &osVersion, OemSystem: ptr(false), State: ptr("AVAILABLE"),
		},
		EnterpriseProjectID: &p.project,
		TargetServer: &sms.TaskTargetServer{
			ID: ptr(taskID(i + 2<<30)), VMID: ptr(taskID(i + 3<<30)), Name: ptr("lab-dst-" + n),
			IP: ptr(fmt.Sprintf("192.168.%d.%d", i>>8&0xff, i&0xff)), OsType: &p.osType, OsVersion: &osVersion,
		},
		LogCollectStatus: ptr("INIT"),
		Syncing:          ptr(p.state == lifecycle.Syncing),
	}
	switch p.state {
	case lifecycle.Running, lifecycle.Syncing:
		t.MigrateSpeed = ptr(float64(h%1000) / 10)
		t.CompressRate = ptr(float64(h%300) / 100)
		t.TotalCPUUsage = ptr(float64(h % 100))
		t.AgentCPUUsage = ptr(float64(h % 30))
		t.TotalMemUsage = ptr(float64(h % 16384))
		t.AgentMemUsage = ptr(float64(h % 512))
		t.TotalDiskIO = ptr(float64(h % 200))
		t.AgentDiskIO = ptr(float64(h % 100))
		t.EstimateCompleteTime = ptr(created + 3_600_000)
	case lifecycle.MigrateFail:
		t.ErrorJSON = ptr(`{"error_code":"SMS.1802","error_msg":"agent lost connection"}`)
	}
	if p.hasSubTasks {
		// How far the task got: finished tasks completed every sub-task.
		done := int(h>>12%7) + 1
		if p.state == lifecycle.MigrateSuccess {
			done = len(p.subTasks)
		}
		for j, name := range p.subTasks {
			st := sms.TaskSubTask{ID: ptr(int64(i*len(p.subTasks) + j + 1)), Name: ptr(name)}
			start := created + int64(j)*120_000
			switch {
			case j < done-1 || (j == done-1 && p.state == lifecycle.MigrateSuccess):
				st.Progress, st.StartDate, st.EndDate = ptr(int32(100)), &start, ptr(start+90_000)
			case j == done-1:
				st.Progress, st.StartDate = ptr(int32(h>>24%100)), &start
			default:
				st.Progress = ptr(int32(0))
			}
			st.ProcessTrace = ptr("")
			t.SubTasks = append(t.SubTasks, st)
		}
		t.SubtaskInfo = ptr(db.SubtaskInfo(p.subTasks[done-1], *t.SubTasks[done-1].Progress))
	}
	return t
}

// sourceAt builds the source server of task i as its agent registered it: the task's source id,
// name and address, two disks (the system disk with two partitions, a data disk) and a NIC.
func sourceAt(i int) sms.Source {
	p := profileOf(i)
	n := strconv.Itoa(i)
	ip := fmt.Sprintf("10.%d.%d.%d", i>>16&0xff, i>>8&0xff, i&0xff)
	const gib = int64(1) << 30
	h := mix(uint64(i) + 11)
	root, data := (40+int64(h%4)*20)*gib, (100+int64(h>>8%10)*100)*gib
	osVersion, sysDisk, dataDisk, part := "CENTOS_7_6_64BIT", "/dev/vda", "/dev/vdb", []string{"/dev/vda1", "/dev/vda2", "/dev/vdb1"}
	mounts, fs := []string{"/boot", "/", "/data"}, "xfs"
	if p.osType == "WINDOWS" {
		osVersion, sysDisk, dataDisk, part = "WINDOWS2016_64BIT", "Disk 0", "Disk 1", []string{"System Reserved", "C:", "D:"}
		mounts, fs = []string{"", "C:\\", "D:\\"}, "NTFS"
	}
	partition := func(j int, size, used int64) sms.SourcePartition {
		return sms.SourcePartition{Name: &part[j], MountPoint: &mounts[j], FileSystem: &fs, Index: ptr(int32(j % 2)),
			DeviceUse: ptr([]string{"BOOT", "OS", "NORMAL"}[j]), Size: &size, UsedSize: &used}
	}
	return sms.Source{
		ID: ptr(taskID(i + 1<<30)), Name: ptr("lab-src-" + n), Hostname: ptr("lab-src-" + n), IP: &ip,
		OsType: &p.osType, OsVersion: &osVersion, CPUQuantity: ptr(int32(2 << (h % 3))), Memory: ptr(int64(4096 << (h % 3))),
		AgentVersion: ptr("24.3.0"), Firmware: ptr("BIOS"), EnterpriseProjectID: &p.project, AddDate: ptr(int64(epoch - int64(i)*60_000 - 3_600_000)),
		Disks: []sms.SourceDisk{
			{Name: &sysDisk, DeviceUse: ptr("BOOT"), PartitionStyle: ptr("MBR"), Size: &root, UsedSize: ptr(root / 3), OsDisk: ptr(true),
				PhysicalVolumes: []sms.SourcePartition{partition(0, gib, gib/5), partition(1, root-gib, root/3)}},
			{Name: &dataDisk, DeviceUse: ptr("NORMAL"), PartitionStyle: ptr("GPT"), Size: &data, UsedSize: ptr(data / 2),
				PhysicalVolumes: []sms.SourcePartition{partition(2, data, data/2)}},
		},
		Networks: []sms.SourceNetwork{{Name: ptr("eth0"), IP: &ip, Netmask: ptr("255.255.0.0"), Gateway: ptr("10.0.0.1"),
			MTU: ptr(int32(1500)), MAC: ptr(fmt.Sprintf("fa:16:3e:%02x:%02x:%02x", i>>16&0xff, i>>8&0xff, i&0xff))}},
	}
}

// population is which generated tasks a database holds: tasks 0 to n-1 (a wave under way, in
// every state), or for the lab scenario the first n whose state is RUNNING, one for each agent.
type population struct {
	n   int
	lab bool
}

func (p population) String() string {
	if p.lab {
		return "lab"
	}
	return "tasks"
}

// indices are the generated tasks the population holds.
func (p population) indices() []int {
	idx := make([]int, 0, p.n)
	for i := 0; len(idx) < p.n; i++ {
		if !p.lab || profileOf(i).state == lifecycle.Running {
			idx = append(idx, i)
		}
	}
	return idx
}

// datasetKey names a cached database: it changes with the population, the generator and
// everything in the server's db package (schema, queries, how tasks are stored).
func datasetKey(moduleRoot string, pop population) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "v%s n%d\n", datasetVersion, pop.n)
	if pop.lab {
		fmt.Fprintln(h, "lab")
	}
	dir := filepath.Join(moduleRoot, "db")
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %d\n", path[len(dir):], len(data))
		h.Write(data)
		return nil
	})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s-%d-%s.db", pop, pop.n, hex.EncodeToString(h.Sum(nil))[:12]), nil
}

// dataset returns the path of a cached database holding a population of generated tasks,
// creating it first if the cache has none. The file must be copied before a server writes to it.
func dataset(ctx context.Context, moduleRoot, cacheDir string, pop population, log io.Writer) (string, error) {
	key, err := datasetKey(moduleRoot, pop)
	if err != nil {
		return "", err
	}
	path := filepath.Join(cacheDir, key)
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return "", err
	}
	start := time.Now()
	tmp := path + ".tmp"
	if err := createDB(ctx, tmp, pop.indices()); err != nil {
		os.Remove(tmp)
		return "", err
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", err
	}
	fmt.Fprintf(log, "generated %d tasks in %s: %s\n", pop.n, time.Since(start).Round(time.Millisecond), path)
	// Databases of this population made for an older db/ will not be used again.
	stale, _ := filepath.Glob(filepath.Join(cacheDir, fmt.Sprintf("%s-%d-*.db", pop, pop.n)))
	for _, p := range stale {
		if p != path {
			os.Remove(p)
		}
	}
	return path, nil
}

// createDB writes the generated tasks of the indices given and their source servers into a new
// database at path through the server's own store, in batches so that memory stays flat.
func createDB(ctx context.Context, path string, indices []int) error {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	store, err := db.Open(ctx, path)
	if err != nil {
		return err
	}
	const batch = 5000
	tasks := make([]sms.Task, 0, batch)
	sources := make([]sms.Source, 0, batch)
	for i := 0; i < len(indices); i += batch {
		tasks, sources = tasks[:0], sources[:0]
		for _, j := range indices[i:min(i+batch, len(indices))] {
			tasks = append(tasks, taskAt(j))
			sources = append(sources, sourceAt(j))
		}
		if err := store.ImportSeed(ctx, &sms.SeedFile{Sources: sources, Tasks: tasks}); err != nil {
			store.Close()
			return fmt.Errorf("import tasks %d-%d: %w", i, i+len(tasks)-1, err)
		}
	}
	// Close checkpoints the WAL, so the main file alone holds every task.
	return store.Close()
}

// copyFile copies the database at src to dst, replacing dst and any WAL files beside it.
func copyFile(src, dst string) error {
	for _, p := range []string{dst + "-wal", dst + "-shm"} {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
