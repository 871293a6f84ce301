package agent

import (
	"fmt"
	"math/rand/v2"

	"smslab/sms"
)

// FreshSource is the registration of the i-th new source server a run brings in
// (Config.Register): a plausible Linux or Windows server with its disks and NIC, all drawn from
// the seed, so that the same seed registers the same sources again rather than new ones.
func FreshSource(seed int64, i int) *sms.RegisterServerRequest {
	rng := rand.New(rand.NewPCG(uint64(seed), hashString(fmt.Sprintf("fresh source %d", i))))
	id := fmt.Sprintf("%08x-%04x-4%03x-a%03x-%012x", rng.Uint32(), rng.Uint32()&0xffff, rng.Uint32()&0xfff,
		rng.Uint32()&0xfff, rng.Uint64()&0xffffffffffff)
	roles := []string{"web", "app", "db", "cache", "mq", "batch", "file", "api"}
	name := fmt.Sprintf("lab-%s-%03d", roles[rng.IntN(len(roles))], i+1)
	ip := fmt.Sprintf("10.%d.%d.%d", 20+rng.IntN(10), rng.IntN(256), 2+rng.IntN(250))
	mac := fmt.Sprintf("fa:16:3e:%02x:%02x:%02x", rng.IntN(256), rng.IntN(256), rng.IntN(256))
	osType, firmware := "LINUX", "BIOS"
	linux := []string{"CENTOS_7_9_64BIT", "UBUNTU_22_04_64BIT", "EULEROS_2_9_64BIT", "DEBIAN_11_64BIT"}
	osVersion := linux[rng.IntN(len(linux))]
	osDisk, dataDisk, mount := "/dev/vda", "/dev/vdb", "/data"
	if rng.IntN(4) == 0 {
		osType, osVersion, firmware = "WINDOWS", []string{"WINDOWS2016_64BIT", "WINDOWS2019_64BIT"}[rng.IntN(2)], "UEFI"
		osDisk, dataDisk, mount = "Disk 0", "Disk 1", "D:"
	}
	disk := func(name, use, mount string, gib int64) sms.SourceDisk {
		size := gib << 30
		used := size * int64(20+rng.IntN(60)) / 100
		return sms.SourceDisk{Name: ptr(name), DeviceUse: ptr(use), Size: ptr(size), UsedSize: ptr(used),
			PhysicalVolumes: []sms.SourcePartition{{Name: ptr(name + "1"), MountPoint: ptr(mount), Size: ptr(size - 1<<20), UsedSize: ptr(used)}}}
	}
	root := "/"
	if osType == "WINDOWS" {
		root = "C:"
	}
	reg := &sms.RegisterServerRequest{
		ID: &id, Name: &name, IP: &ip, OsType: &osType, OsVersion: &osVersion, Firmware: &firmware,
		CPUQuantity: ptr(int32(2 << rng.IntN(4))), Memory: ptr(int64(4096 << rng.IntN(4))),
		Disks: []sms.SourceDisk{
			disk(osDisk, "OS", root, 40+int64(rng.IntN(3))*20),
			disk(dataDisk, "NORMAL", mount, 100+int64(rng.IntN(8))*50),
		},
		Networks:     []sms.SourceNetwork{{Name: ptr("eth0"), IP: &ip, MAC: &mac}},
		AgentVersion: ptr(AgentVersion),
	}
	if osType == "LINUX" {
		reg.BootLoader, reg.HasRsync = ptr("GRUB"), ptr(true)
	} else {
		reg.DriverFiles, reg.SystemServices, reg.AccountRights = ptr(true), ptr(true), ptr(true)
	}
	return reg
}
