package db

import (
	"strconv"
	"strings"

	"github.com/google/uuid"

	"smslab/sms"
)

// What SMS works out from a source's registered facts: ids for its disks, partitions, volume
// groups and logical volumes, the recommended target (init_target_server), and the environment
// checks. docs/api.md ("Source servers") says what each holds.

// factIDSpace is the UUID namespace of the ids of a source's disks and volumes. An id is made
// from the source's id and the names on the way to the disk or volume, so that the same disk
// reported again (the agent restarted, UpdateDiskInfo) keeps its id and its adjustments.
var factIDSpace = uuid.MustParse("6f1c2a4e-3b5d-4e8f-9a0b-1c2d3e4f5a6b")

// namer makes the ids of one list of disks or volumes: two of the same name (or both without
// one) are told apart by their rank among those of that name.
type namer struct {
	parent string
	seen   map[string]int
}

func newNamer(parent string) *namer { return &namer{parent: parent, seen: map[string]int{}} }

func (n *namer) id(kind string, name *string) (id, key string) {
	key = n.parent + "\x00" + kind + "\x00" + valueOf(name)
	n.seen[key]++
	if k := n.seen[key]; k > 1 {
		key += "\x00" + strconv.Itoa(k)
	}
	return uuid.NewSHA1(factIDSpace, []byte(key)).String(), key
}

// assignFactIDs sets the id of every disk, partition, volume group and logical volume of the
// source with the given id, replacing any given.
func assignFactIDs(sourceID string, disks []sms.SourceDisk, vgs []sms.SourceVolGroup) {
	diskNames := newNamer(sourceID)
	for i := range disks {
		d := &disks[i]
		id, key := diskNames.id("disk", d.Name)
		d.ID = &id
		partNames := newNamer(key)
		for j := range d.PhysicalVolumes {
			pid, _ := partNames.id("partition", d.PhysicalVolumes[j].Name)
			d.PhysicalVolumes[j].ID = &pid
		}
	}
	vgNames := newNamer(sourceID)
	for i := range vgs {
		vg := &vgs[i]
		id, key := vgNames.id("vg", vg.Name)
		vg.ID = &id
		lvNames := newNamer(key)
		for j := range vg.LogicalVolumes {
			lid, _ := lvNames.id("lv", vg.LogicalVolumes[j].Name)
			vg.LogicalVolumes[j].ID = &lid
		}
	}
}

// initTarget is the recommended target of a source with these disks and volume groups (whose
// ids are assigned): one target disk per source disk, of the same name, size, used size, use
// and partitions, and the volume groups. Adjustments (adjust_size, need_migration) that old, the
// source's former recommendation, made to a disk or volume still there are kept.
func initTarget(disks []sms.SourceDisk, vgs []sms.SourceVolGroup, old *sms.InitTargetServer) sms.InitTargetServer {
	type adjustment struct {
		size *int64
		need *bool
	}
	kept := map[string]adjustment{}
	keep := func(id *string, size *int64, need *bool) {
		if id != nil && (size != nil || need != nil) {
			kept[*id] = adjustment{size, need}
		}
	}
	if old != nil {
		for _, d := range old.Disks {
			keep(d.ID, d.AdjustSize, d.NeedMigration)
			for _, p := range d.PhysicalVolumes {
				keep(p.ID, p.AdjustSize, p.NeedMigration)
			}
		}
		for _, vg := range old.VolumeGroups {
			keep(vg.ID, vg.AdjustSize, vg.NeedMigration)
			for _, lv := range vg.LogicalVolumes {
				keep(lv.ID, lv.AdjustSize, lv.NeedMigration)
			}
		}
	}
	adjusted := func(id *string) (*int64, *bool) {
		if id == nil {
			return nil, nil
		}
		a := kept[*id]
		return a.size, a.need
	}
	t := sms.InitTargetServer{Disks: []sms.InitTargetDisk{}, VolumeGroups: []sms.InitTargetVG{}}
	for _, d := range disks {
		td := sms.InitTargetDisk{ID: d.ID, Name: valueOf(d.Name), Size: valueOf(d.Size), DeviceUse: d.DeviceUse,
			UsedSize: d.UsedSize, PhysicalVolumes: []sms.InitTargetPartition{}}
		td.AdjustSize, td.NeedMigration = adjusted(d.ID)
		for _, p := range d.PhysicalVolumes {
			tp := sms.InitTargetPartition{ID: p.ID, DeviceUse: p.DeviceUse, FileSystem: p.FileSystem,
				Index: p.Index, MountPoint: p.MountPoint, Name: p.Name, Size: p.Size, UsedSize: p.UsedSize, UUID: p.UUID}
			if p.InodeSize != nil {
				tp.InodeSize = new(int64(*p.InodeSize))
			}
			tp.AdjustSize, tp.NeedMigration = adjusted(p.ID)
			td.PhysicalVolumes = append(td.PhysicalVolumes, tp)
		}
		t.Disks = append(t.Disks, td)
	}
	for _, vg := range vgs {
		tvg := sms.InitTargetVG{ID: vg.ID, Components: vg.Components, FreeSize: vg.FreeSize, Name: vg.Name,
			Size: vg.Size, LogicalVolumes: []sms.InitTargetLV{}}
		tvg.AdjustSize, tvg.NeedMigration = adjusted(vg.ID)
		for _, lv := range vg.LogicalVolumes {
			tlv := sms.InitTargetLV{ID: lv.ID, FileSystem: lv.FileSystem, MountPoint: lv.MountPoint,
				Name: lv.Name, Size: lv.Size, UsedSize: lv.UsedSize, FreeSize: lv.FreeSize}
			tlv.AdjustSize, tlv.NeedMigration = adjusted(lv.ID)
			tvg.LogicalVolumes = append(tvg.LogicalVolumes, tlv)
		}
		t.VolumeGroups = append(t.VolumeGroups, tvg)
	}
	return t
}

// The results of an environment check.
const (
	checkOK    = "OK"
	checkWarn  = "WARN"
	checkError = "ERROR"
)

// environmentChecks are the checks SMS runs on the facts a source reported: all OK but for what a
// fact says otherwise. An ERROR makes a source without a task unavailable.
func environmentChecks(s *Source, disks []sms.SourceDisk) []sms.EnvironmentCheck {
	var checks []sms.EnvironmentCheck
	add := func(name, result, why string) {
		c := sms.EnvironmentCheck{ID: int64(len(checks) + 1), Params: []string{}, Name: name, Result: result}
		if why != "" {
			c.ErrorOrWarn = &why
		}
		checks = append(checks, c)
	}
	add("OS_VERSION", checkOK, "")
	add("CPU", checkOK, "")
	add("MEMORY", checkOK, "")
	add("FIRMWARE", checkOK, "")
	if len(disks) == 0 {
		add("DISK_INFO", checkWarn, "The agent reported no disk.")
	} else {
		add("DISK_INFO", checkOK, "")
	}
	if valueOf(s.OsType) == "WINDOWS" {
		add("DRIVER_FILE", result(!valueOf(s.DriverFiles), checkWarn), why(valueOf(s.DriverFiles), "Driver files are missing."))
		add("SERVICE", result(!valueOf(s.SystemServices), checkWarn), why(valueOf(s.SystemServices), "Some system services are abnormal."))
		denied := s.AccountRights != nil && !*s.AccountRights
		add("ACCOUNT_RIGHTS", result(!denied, checkError), why(denied, "The agent's account lacks the rights a migration needs."))
		return checks
	}
	lilo := s.BootLoader != nil && *s.BootLoader != "GRUB"
	add("BOOT_LOADER", result(!lilo, checkError), why(lilo, "Only the GRUB boot loader is supported."))
	noRsync := s.HasRsync != nil && !*s.HasRsync
	add("RSYNC", result(!noRsync, checkWarn), why(noRsync, "rsync is not installed: a file-level migration needs it."))
	return checks
}

func result(ok bool, otherwise string) string {
	if ok {
		return checkOK
	}
	return otherwise
}

func why(failed bool, text string) string {
	if failed {
		return text
	}
	return ""
}

// checksFailed reports whether the stored checks (JSON) hold an ERROR.
func checksFailed(checks string) bool {
	return strings.Contains(checks, `"result":"`+checkError+`"`)
}
