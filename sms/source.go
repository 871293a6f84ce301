package sms

import "github.com/go-json-experiment/json/jsontext"

// The source-server side of SMS: what an agent registers (RegisterServer), what ShowServer and
// ListServers answer, and the bodies that change a source. The limits are the newest pages'
// (names 1 to 64, path ids 1 to 36, UpdateDiskInfo arrays 0 to 50); fields the pages leave
// unbounded get the API's usual ones (strings 0 to 255, arrays 0 to 65535, sizes 0 and up).

// RegisterServerRequest is the body of POST /v3/sources (PostSourceServerBody), what the agent
// reports about its server. ip or ipv6 must be given. The SDK always sends name, os_type,
// os_version and agent_version (empty when unset) and networks (null when unset).
type RegisterServerRequest struct {
	ID                 *string          `json:"id" validate:"omitnil,source_id"`
	IP                 *string          `json:"ip" validate:"required_without=IPv6,omitnil,max=255,ipv4"`
	IPv6               *string          `json:"ipv6" validate:"omitnil,max=255,ipv6"`
	Name               *string          `json:"name" validate:"required,min=1,max=64,text"`
	Hostname           *string          `json:"hostname" validate:"omitnil,min=1,max=64,text"`
	OsType             *string          `json:"os_type" validate:"required,os_type"`
	OsVersion          *string          `json:"os_version" validate:"required,max=255,text"`
	LinuxBlockCheck    *string          `json:"linux_block_check" validate:"omitnil,max=255,text"`
	Firmware           *string          `json:"firmware" validate:"omitnil,firmware"`
	CPUQuantity        *int32           `json:"cpu_quantity" validate:"omitnil,min=0,max=65535"`
	Memory             *int64           `json:"memory" validate:"omitnil,min=0"`
	Disks              []SourceDisk     `json:"disks" validate:"max=65535,dive"`
	BtrfsList          []SourceBtrfs    `json:"btrfs_list" validate:"max=65535,dive"`
	Networks           []SourceNetwork  `json:"networks" validate:"max=65535,dive"`
	DomainID           *string          `json:"domain_id" validate:"omitnil,max=255,text"`
	HasRsync           *bool            `json:"has_rsync"`
	Paravirtualization *bool            `json:"paravirtualization"`
	RawDevices         *string          `json:"raw_devices" validate:"omitnil,max=255,text"`
	DriverFiles        *bool            `json:"driver_files"`
	SystemServices     *bool            `json:"system_services"`
	AccountRights      *bool            `json:"account_rights"`
	BootLoader         *string          `json:"boot_loader" validate:"omitnil,boot_loader"`
	SystemDir          *string          `json:"system_dir" validate:"omitnil,max=255,text"`
	VolumeGroups       []SourceVolGroup `json:"volume_groups" validate:"max=65535,dive"`
	AgentVersion       *string          `json:"agent_version" validate:"omitnil,max=255,text"`
	KernelVersion      *string          `json:"kernel_version" validate:"omitnil,max=255,text"`
	MigrationCycle     *string          `json:"migration_cycle" validate:"omitnil,migration_cycle"`
	State              *string          `json:"state" validate:"omitnil,source_server_state"`
	OemSystem          *bool            `json:"oem_system"`
	StartType          *string          `json:"start_type" validate:"omitnil,max=255,text"` // "not validated", says the SDK
	IoReadWait         *float64         `json:"io_read_wait" validate:"omitnil,min=0,max=10000"`
	HasTc              *bool            `json:"has_tc"`
	Platform           *string          `json:"platform" validate:"omitnil,source_platform"`
	// Migprojectid, smslab's addition, names the project a new source joins (else the default).
	Migprojectid *string `json:"migprojectid" validate:"omitnil,task_id"`
}

// SourceDisk is a disk of a source server (ServerDisk). id is smslab's: set on every stored
// disk (a seed's or a request's is replaced), so that UpdateServerName's disks can name it.
type SourceDisk struct {
	ID              *string           `json:"id,omitzero" validate:"omitnil,max=255,text"`
	Name            *string           `json:"name,omitzero" validate:"omitnil,max=255,text"`
	PartitionStyle  *string           `json:"partition_style,omitzero" validate:"omitnil,max=255,text"`
	DeviceUse       *string           `json:"device_use,omitzero" validate:"omitnil,max=255,text"`
	Size            *int64            `json:"size,omitzero" validate:"omitnil,min=0"`
	UsedSize        *int64            `json:"used_size,omitzero" validate:"omitnil,min=0"`
	PhysicalVolumes []SourcePartition `json:"physical_volumes,omitzero" validate:"max=65535,dive"`
	OsDisk          *bool             `json:"os_disk,omitzero"`
	RelationName    *string           `json:"relation_name,omitzero" validate:"omitnil,max=255,text"`
	InodeSize       *int32            `json:"inode_size,omitzero" validate:"omitnil,min=0"`
}

// SourcePartition is a partition of a source disk (PhysicalVolume).
type SourcePartition struct {
	ID             *string `json:"id,omitzero" validate:"omitnil,max=255,text"`
	DeviceUse      *string `json:"device_use,omitzero" validate:"omitnil,max=255,text"`
	FileSystem     *string `json:"file_system,omitzero" validate:"omitnil,max=255,text"`
	Index          *int32  `json:"index,omitzero" validate:"omitnil,min=0"`
	MountPoint     *string `json:"mount_point,omitzero" validate:"omitnil,max=255,text"`
	Name           *string `json:"name,omitzero" validate:"omitnil,max=255,text"`
	Size           *int64  `json:"size,omitzero" validate:"omitnil,min=0"`
	UsedSize       *int64  `json:"used_size,omitzero" validate:"omitnil,min=0"`
	InodeSize      *int32  `json:"inode_size,omitzero" validate:"omitnil,min=0"`
	InodeNums      *int64  `json:"inode_nums,omitzero" validate:"omitnil,min=0"`
	UUID           *string `json:"uuid,omitzero" validate:"omitnil,max=255,text"`
	SizePerCluster *int32  `json:"size_per_cluster,omitzero" validate:"omitnil,min=0"`
}

// SourceVolGroup is an LVM volume group of a source server (VolumeGroups).
type SourceVolGroup struct {
	ID             *string            `json:"id,omitzero" validate:"omitnil,max=255,text"`
	Components     *string            `json:"components,omitzero" validate:"omitnil,max=255,text"`
	FreeSize       *int64             `json:"free_size,omitzero" validate:"omitnil,min=0"`
	LogicalVolumes []SourceLogicalVol `json:"logical_volumes,omitzero" validate:"max=65535,dive"`
	Name           *string            `json:"name,omitzero" validate:"omitnil,max=255,text"`
	Size           *int64             `json:"size,omitzero" validate:"omitnil,min=0"`
}

// SourceLogicalVol is an LVM logical volume (LogicalVolumes).
type SourceLogicalVol struct {
	ID         *string `json:"id,omitzero" validate:"omitnil,max=255,text"`
	BlockCount *int32  `json:"block_count,omitzero" validate:"omitnil,min=0"`
	BlockSize  *int64  `json:"block_size,omitzero" validate:"omitnil,min=0"`
	FileSystem *string `json:"file_system,omitzero" validate:"omitnil,max=255,text"`
	InodeSize  *int32  `json:"inode_size,omitzero" validate:"omitnil,min=0"`
	InodeNums  *int64  `json:"inode_nums,omitzero" validate:"omitnil,min=0"`
	DeviceUse  *string `json:"device_use,omitzero" validate:"omitnil,max=255,text"`
	MountPoint *string `json:"mount_point,omitzero" validate:"omitnil,max=255,text"`
	Name       *string `json:"name,omitzero" validate:"omitnil,max=255,text"`
	Size       *int64  `json:"size,omitzero" validate:"omitnil,min=0"`
	UsedSize   *int64  `json:"used_size,omitzero" validate:"omitnil,min=0"`
	FreeSize   *int64  `json:"free_size,omitzero" validate:"omitnil,min=0"`
}

// SourceBtrfs is a Btrfs file system of a source server (BtrfsFileSystem). Every field is
// optional, as in the SDK, which lacks global_reserve1.
type SourceBtrfs struct {
	Name                   *string             `json:"name,omitzero" validate:"omitnil,max=255,text"`
	Label                  *string             `json:"label,omitzero" validate:"omitnil,max=255,text"`
	UUID                   *string             `json:"uuid,omitzero" validate:"omitnil,max=255,text"`
	Device                 *string             `json:"device,omitzero" validate:"omitnil,max=255,text"`
	Size                   *int64              `json:"size,omitzero" validate:"omitnil,min=0"`
	Nodesize               *int64              `json:"nodesize,omitzero" validate:"omitnil,min=0"`
	Sectorsize             *int32              `json:"sectorsize,omitzero" validate:"omitnil,min=0"`
	DataProfile            *string             `json:"data_profile,omitzero" validate:"omitnil,max=255,text"`
	SystemProfile          *string             `json:"system_profile,omitzero" validate:"omitnil,max=255,text"`
	MetadataProfile        *string             `json:"metadata_profile,omitzero" validate:"omitnil,max=255,text"`
	GlobalReserve1         *string             `json:"global_reserve1,omitzero" validate:"omitnil,max=255,text"`
	GVolUsedSize           *int64              `json:"g_vol_used_size,omitzero" validate:"omitnil,min=0"`
	DefaultSubvolid        *string             `json:"default_subvolid,omitzero" validate:"omitnil,max=255,text"`
	DefaultSubvolName      *string             `json:"default_subvol_name,omitzero" validate:"omitnil,max=255,text"`
	DefaultSubvolMountpath *string             `json:"default_subvol_mountpath,omitzero" validate:"omitnil,max=255,text"`
	Subvolumn              []SourceBtrfsSubvol `json:"subvolumn,omitzero" validate:"max=65535,dive"`
}

// SourceBtrfsSubvol is a Btrfs subvolume (BtrfsSubvolumn; the API spells the list "subvolumn").
type SourceBtrfsSubvol struct {
	UUID            *string `json:"uuid,omitzero" validate:"omitnil,max=255,text"`
	IsSnapshot      *string `json:"is_snapshot,omitzero" validate:"omitnil,max=255,text"`
	SubvolID        *string `json:"subvol_id,omitzero" validate:"omitnil,max=255,text"`
	ParentID        *string `json:"parent_id,omitzero" validate:"omitnil,max=255,text"`
	SubvolName      *string `json:"subvol_name,omitzero" validate:"omitnil,max=255,text"`
	SubvolMountPath *string `json:"subvol_mount_path,omitzero" validate:"omitnil,max=255,text"`
}

// SourceNetwork is a NIC of a source server (NetWork). mac is the one value the SDK always
// sends; the docs ask a MAC of the first NIC (checked by RegisterServer).
type SourceNetwork struct {
	Name    *string `json:"name,omitzero" validate:"omitnil,max=255,text"`
	IP      *string `json:"ip,omitzero" validate:"omitnil,max=255,text"`
	IPv6    *string `json:"ipv6,omitzero" validate:"omitnil,max=255,text"`
	Netmask *string `json:"netmask,omitzero" validate:"omitnil,max=255,text"`
	Gateway *string `json:"gateway,omitzero" validate:"omitnil,max=255,text"`
	MTU     *int32  `json:"mtu,omitzero" validate:"omitnil,min=0"`
	MAC     *string `json:"mac,omitzero" validate:"omitnil,max=255,text"`
	ID      *string `json:"id,omitzero" validate:"omitnil,max=255,text"`
}

// Source is a source server as ShowServer answers it (ShowServerResponse), and as a seed
// file's sources hold it. Beyond the documented fields it carries everything RegisterServer
// stores (ipv6, the environment facts) and the id of its migration project, so that a source
// shown can be loaded again as it was. State, migration_cycle, checks, init_target_server,
// current_task, connected and the times are the server's view: a seed's state and
// migration_cycle are taken when given (any text, as real exports hold values outside the
// lists), the rest is worked out again.
type Source struct {
	ID                       *string            `json:"id,omitzero" validate:"required,source_id"`
	IP                       *string            `json:"ip,omitzero" validate:"omitnil,max=255,text"`
	IPv6                     *string            `json:"ipv6,omitzero" validate:"omitnil,max=255,text"`
	Name                     *string            `json:"name,omitzero" validate:"omitnil,max=255,text"`
	Hostname                 *string            `json:"hostname,omitzero" validate:"omitnil,max=255,text"`
	EnterpriseProjectID      *string            `json:"enterprise_project_id,omitzero" validate:"omitnil,max=255,text"`
	Migproject               *string            `json:"migproject,omitzero" validate:"omitnil,task_id"`
	AddDate                  *int64             `json:"add_date,omitzero" validate:"omitnil,min=0"`
	OsType                   *string            `json:"os_type,omitzero" validate:"omitnil,os_type"`
	OsVersion                *string            `json:"os_version,omitzero" validate:"omitnil,max=255,text"`
	OemSystem                *bool              `json:"oem_system,omitzero"`
	State                    *string            `json:"state,omitzero" validate:"omitnil,max=255,text"`
	Connected                *bool              `json:"connected,omitzero"`
	Firmware                 *string            `json:"firmware,omitzero" validate:"omitnil,firmware"`
	InitTargetServer         *InitTargetServer  `json:"init_target_server,omitzero"`
	CPUQuantity              *int32             `json:"cpu_quantity,omitzero" validate:"omitnil,min=0,max=65535"`
	Memory                   *int64             `json:"memory,omitzero" validate:"omitnil,min=0"`
	CurrentTask              *SourceTask        `json:"current_task,omitzero"`
	Disks                    []SourceDisk       `json:"disks,omitzero" validate:"max=65535,dive"`
	VolumeGroups             []SourceVolGroup   `json:"volume_groups,omitzero" validate:"max=65535,dive"`
	BtrfsList                []SourceBtrfs      `json:"btrfs_list,omitzero" validate:"max=65535,dive"`
	Networks                 []SourceNetwork    `json:"networks,omitzero" validate:"max=65535,dive"`
	Checks                   []EnvironmentCheck `json:"checks,omitzero"`
	MigrationCycle           *string            `json:"migration_cycle,omitzero" validate:"omitnil,max=255,text"`
	StateActionTime          *int64             `json:"state_action_time,omitzero" validate:"omitnil,min=0"`
	Replicatesize            *int64             `json:"replicatesize,omitzero"`
	Totalsize                *int64             `json:"totalsize,omitzero"`
	LastVisitTime            *int64             `json:"last_visit_time,omitzero" validate:"omitnil,min=0"`
	StageActionTime          *int64             `json:"stage_action_time,omitzero" validate:"omitnil,min=0"`
	AgentVersion             *string            `json:"agent_version,omitzero" validate:"omitnil,max=255,text"`
	HasTc                    *bool              `json:"has_tc,omitzero"`
	StartType                *string            `json:"start_type,omitzero" validate:"omitnil,max=255,text"`
	IsConsistencyResultExist *bool              `json:"is_consistency_result_exist,omitzero"`
	LinuxBlockCheck          *string            `json:"linux_block_check,omitzero" validate:"omitnil,max=255,text"`
	DomainID                 *string            `json:"domain_id,omitzero" validate:"omitnil,max=255,text"`
	HasRsync                 *bool              `json:"has_rsync,omitzero"`
	Paravirtualization       *bool              `json:"paravirtualization,omitzero"`
	RawDevices               *string            `json:"raw_devices,omitzero" validate:"omitnil,max=255,text"`
	DriverFiles              *bool              `json:"driver_files,omitzero"`
	SystemServices           *bool              `json:"system_services,omitzero"`
	AccountRights            *bool              `json:"account_rights,omitzero"`
	BootLoader               *string            `json:"boot_loader,omitzero" validate:"omitnil,max=255,text"`
	SystemDir                *string            `json:"system_dir,omitzero" validate:"omitnil,max=255,text"`
	KernelVersion            *string            `json:"kernel_version,omitzero" validate:"omitnil,max=255,text"`
	IoReadWait               *float64           `json:"io_read_wait,omitzero" validate:"omitnil,min=0,max=10000"`
	Platform                 *string            `json:"platform,omitzero" validate:"omitnil,max=255,text"`
}

// SourceListItem is a source server as ListServers lists it (SourceServersResponseBody): memory
// in bytes here (MB in ShowServer), plus agent_version, which Huawei's Terraform provider reads,
// and the id of its migration project. checks and init_target_server are stored JSON, copied.
type SourceListItem struct {
	ID                       string         `json:"id"`
	IP                       *string        `json:"ip,omitzero"`
	Name                     string         `json:"name"`
	EnterpriseProjectID      *string        `json:"enterprise_project_id,omitzero"`
	Migproject               string         `json:"migproject"`
	AddDate                  int64          `json:"add_date"`
	OsType                   *string        `json:"os_type,omitzero"`
	OsVersion                *string        `json:"os_version,omitzero"`
	OemSystem                *bool          `json:"oem_system,omitzero"`
	State                    string         `json:"state"`
	Connected                bool           `json:"connected"`
	CPUQuantity              *int32         `json:"cpu_quantity,omitzero"`
	Memory                   *int64         `json:"memory,omitzero"`
	CurrentTask              *SourceTask    `json:"current_task,omitzero"`
	Checks                   jsontext.Value `json:"checks"`             // []EnvironmentCheck
	InitTargetServer         jsontext.Value `json:"init_target_server"` // InitTargetServer
	Replicatesize            *int64         `json:"replicatesize,omitzero"`
	StageActionTime          int64          `json:"stage_action_time"`
	Totalsize                *int64         `json:"totalsize,omitzero"`
	LastVisitTime            *int64         `json:"last_visit_time,omitzero"`
	MigrationCycle           string         `json:"migration_cycle"`
	StateActionTime          int64          `json:"state_action_time"`
	IsConsistencyResultExist bool           `json:"is_consistency_result_exist"`
	HasTc                    *bool          `json:"has_tc,omitzero"`
	StartType                *string        `json:"start_type,omitzero"`
	AgentVersion             *string        `json:"agent_version,omitzero"`
}

// ListServersResponse is the body of GET /v3/sources.
type ListServersResponse struct {
	Count         int64            `json:"count"`
	SourceServers []SourceListItem `json:"source_servers"`
}

// SourceTask is a source server's task as ListServers and ShowServer show it
// (TaskByServerSources, of which ShowServer's TaskByServerSource is a part). target_server and
// clone_server are left out when empty: Huawei's Terraform provider reads them as lists.
type SourceTask struct {
	ID                   *string      `json:"id,omitzero"`
	Name                 *string      `json:"name,omitzero"`
	Type                 *string      `json:"type,omitzero"`
	State                *string      `json:"state,omitzero"`
	EstimateCompleteTime *int64       `json:"estimate_complete_time,omitzero"`
	StartDate            *int64       `json:"start_date,omitzero"`
	SpeedLimit           *int32       `json:"speed_limit,omitzero"`
	MigrateSpeed         *float64     `json:"migrate_speed,omitzero"`
	CompressRate         *float64     `json:"compress_rate,omitzero"`
	StartTargetServer    *bool        `json:"start_target_server,omitzero"`
	VMTemplateID         *string      `json:"vm_template_id,omitzero"`
	RegionID             *string      `json:"region_id,omitzero"`
	ProjectName          *string      `json:"project_name,omitzero"`
	ProjectID            *string      `json:"project_id,omitzero"`
	TargetServer         *TargetByID  `json:"target_server,omitzero"`
	LogCollectStatus     *string      `json:"log_collect_status,omitzero"`
	ExistServer          *bool        `json:"exist_server,omitzero"`
	UsePublicIP          *bool        `json:"use_public_ip,omitzero"`
	CloneServer          *CloneServer `json:"clone_server,omitzero"`
	RemainSeconds        *int64       `json:"remain_seconds,omitzero"`
	SubtaskInfo          *string      `json:"subtask_info,omitzero"`
}

// TargetByID is a task's target server as a source's current_task shows it (TargetServerById).
type TargetByID struct {
	VMID *string `json:"vm_id,omitzero"`
	Name *string `json:"name,omitzero"`
}

// EnvironmentCheck is one result of the checks SMS runs on a registered source.
type EnvironmentCheck struct {
	ID          int64    `json:"id"`
	Params      []string `json:"params"`
	Name        string   `json:"name"`
	Result      string   `json:"result"`
	ErrorCode   *string  `json:"error_code,omitzero"`
	ErrorOrWarn *string  `json:"error_or_warn,omitzero"`
	ErrorParams *string  `json:"error_params,omitzero"`
}

// InitTargetServer is the target layout SMS recommends for a source (InitTargetServer): one
// disk per source disk, and the volume groups. Beyond the SDK's fields every disk, partition,
// volume group and logical volume carries the id, adjust_size and need_migration that
// UpdateServerName sets and Huawei's Terraform provider reads.
type InitTargetServer struct {
	Disks        []InitTargetDisk `json:"disks"`
	VolumeGroups []InitTargetVG   `json:"volume_groups"`
}

// InitTargetDisk is a disk of the recommended target (DiskIntargetServer).
type InitTargetDisk struct {
	ID              *string               `json:"id,omitzero" validate:"omitnil,max=255,text"`
	Name            string                `json:"name" validate:"max=255,text"`
	Size            int64                 `json:"size" validate:"min=0"`
	DeviceUse       *string               `json:"device_use,omitzero" validate:"omitnil,max=255,text"`
	UsedSize        *int64                `json:"used_size,omitzero" validate:"omitnil,min=0"`
	PhysicalVolumes []InitTargetPartition `json:"physical_volumes" validate:"max=65535,dive"`
	AdjustSize      *int64                `json:"adjust_size,omitzero" validate:"omitnil,min=0"`
	NeedMigration   *bool                 `json:"need_migration,omitzero"`
}

// InitTargetPartition is a partition of a recommended target disk (PhysicalVolumes).
type InitTargetPartition struct {
	ID            *string `json:"id,omitzero" validate:"omitnil,max=255,text"`
	DeviceUse     *string `json:"device_use,omitzero" validate:"omitnil,max=255,text"`
	FileSystem    *string `json:"file_system,omitzero" validate:"omitnil,max=255,text"`
	Index         *int32  `json:"index,omitzero" validate:"omitnil,min=0"`
	MountPoint    *string `json:"mount_point,omitzero" validate:"omitnil,max=255,text"`
	Name          *string `json:"name,omitzero" validate:"omitnil,max=255,text"`
	Size          *int64  `json:"size,omitzero" validate:"omitnil,min=0"`
	InodeSize     *int64  `json:"inode_size,omitzero" validate:"omitnil,min=0"`
	UsedSize      *int64  `json:"used_size,omitzero" validate:"omitnil,min=0"`
	UUID          *string `json:"uuid,omitzero" validate:"omitnil,max=255,text"`
	AdjustSize    *int64  `json:"adjust_size,omitzero" validate:"omitnil,min=0"`
	NeedMigration *bool   `json:"need_migration,omitzero"`
}

// InitTargetVG is a volume group of the recommended target (VolumeGroups, with the ids and
// adjustments).
type InitTargetVG struct {
	ID             *string        `json:"id,omitzero" validate:"omitnil,max=255,text"`
	Components     *string        `json:"components,omitzero" validate:"omitnil,max=255,text"`
	FreeSize       *int64         `json:"free_size,omitzero" validate:"omitnil,min=0"`
	LogicalVolumes []InitTargetLV `json:"logical_volumes" validate:"max=65535,dive"`
	Name           *string        `json:"name,omitzero" validate:"omitnil,max=255,text"`
	Size           *int64         `json:"size,omitzero" validate:"omitnil,min=0"`
	AdjustSize     *int64         `json:"adjust_size,omitzero" validate:"omitnil,min=0"`
	NeedMigration  *bool          `json:"need_migration,omitzero"`
}

// InitTargetLV is a logical volume of the recommended target.
type InitTargetLV struct {
	ID            *string `json:"id,omitzero" validate:"omitnil,max=255,text"`
	FileSystem    *string `json:"file_system,omitzero" validate:"omitnil,max=255,text"`
	MountPoint    *string `json:"mount_point,omitzero" validate:"omitnil,max=255,text"`
	Name          *string `json:"name,omitzero" validate:"omitnil,max=255,text"`
	Size          *int64  `json:"size,omitzero" validate:"omitnil,min=0"`
	UsedSize      *int64  `json:"used_size,omitzero" validate:"omitnil,min=0"`
	FreeSize      *int64  `json:"free_size,omitzero" validate:"omitnil,min=0"`
	AdjustSize    *int64  `json:"adjust_size,omitzero" validate:"omitnil,min=0"`
	NeedMigration *bool   `json:"need_migration,omitzero"`
}

// UpdateServerNameRequest is the body of PUT /v3/sources/{source_id} (PutSourceServerBody):
// a new name, a new migration project, and adjustments of the recommended target's disks and
// volume groups (taken only while the source is waiting).
type UpdateServerNameRequest struct {
	Name         *string       `json:"name" validate:"omitnil,min=1,max=64,text"`
	Migprojectid *string       `json:"migprojectid" validate:"omitnil,task_id"`
	Disks        []PutDisk     `json:"disks" validate:"max=65535,dive"`
	VolumeGroups []PutVolGroup `json:"volume_groups" validate:"max=65535,dive"`
}

// PutDisk adjusts a disk of the recommended target, named by its id.
type PutDisk struct {
	NeedMigration   *bool       `json:"need_migration"`
	ID              *string     `json:"id" validate:"omitnil,max=255,text"`
	AdjustSize      *int64      `json:"adjust_size" validate:"omitnil,min=0"`
	PhysicalVolumes []PutVolume `json:"physical_volumes" validate:"max=65535,dive"`
}

// PutVolume adjusts a partition or a logical volume (PutVolume, PutLogicalVolume).
type PutVolume struct {
	ID            *string `json:"id" validate:"omitnil,max=255,text"`
	NeedMigration *bool   `json:"need_migration"`
	AdjustSize    *int64  `json:"adjust_size" validate:"omitnil,min=0"`
}

// PutVolGroup adjusts a volume group of the recommended target (PutVolumeGroups).
type PutVolGroup struct {
	LogicalVolumes []PutVolume `json:"logical_volumes" validate:"max=65535,dive"`
	ID             *string     `json:"id" validate:"omitnil,max=255,text"`
	NeedMigration  *bool       `json:"need_migration"`
	AdjustSize     *int64      `json:"adjust_size" validate:"omitnil,min=0"`
}

// UpdateCopyStateRequest is the body of PUT /v3/sources/{source_id}/changestate
// (PutCopyStateReq). Both values are case-insensitive (the SDK says so; older pages wrote them
// in capitals) and must go together by the SDK's combination rule (lifecycle.CheckCopyState).
type UpdateCopyStateRequest struct {
	Copystate      *string `json:"copystate" validate:"required,copystate"`
	Migrationcycle *string `json:"migrationcycle" validate:"required,copystate_cycle"`
}

// UpdateDiskInfoRequest is the body of PUT /v3/sources/{source_id}/diskinfo (PutDiskInfoReq):
// the disks, volume groups and Btrfs file systems that replace the source's (each array given
// replaces its own; one left out stays). Note volumegroups, without the underscore.
type UpdateDiskInfoRequest struct {
	Disks        []SourceDisk     `json:"disks" validate:"max=50,dive"`
	Volumegroups []SourceVolGroup `json:"volumegroups" validate:"max=50,dive"`
	BtrfsList    []SourceBtrfs    `json:"btrfs_list" validate:"max=65535,dive"`
}

// DeleteServersRequest is the body of POST /v3/sources/delete (DeleteIds): 1 to 50 ids.
type DeleteServersRequest struct {
	IDs []string `json:"ids" validate:"required,min=1,max=50,dive,task_id"`
}

func (*RegisterServerRequest) operation() string   { return "RegisterServer" }
func (*UpdateServerNameRequest) operation() string { return "UpdateServerName" }
func (*UpdateCopyStateRequest) operation() string  { return "UpdateCopyState" }
func (*UpdateDiskInfoRequest) operation() string   { return "UpdateDiskInfo" }
func (*DeleteServersRequest) operation() string    { return "DeleteServers" }

// ShowOverviewResponse is the body of GET /v3/sources/overview: how many sources are in each
// state, and how many have no task (unconfigured).
type ShowOverviewResponse struct {
	Waiting      int64 `json:"waiting"`
	Replicate    int64 `json:"replicate"`
	Syncing      int64 `json:"syncing"`
	Stopped      int64 `json:"stopped"`
	Deleting     int64 `json:"deleting"`
	Cutovering   int64 `json:"cutovering"`
	Unavailable  int64 `json:"unavailable"`
	Stopping     int64 `json:"stopping"`
	Skipping     int64 `json:"skipping"`
	Finished     int64 `json:"finished"`
	Initialize   int64 `json:"initialize"`
	Error        int64 `json:"error"`
	Cloning      int64 `json:"cloning"`
	Unconfigured int64 `json:"unconfigured"`
}

// MigrationError is a source whose migration failed, as ListErrorServers lists it.
type MigrationError struct {
	ErrorJSON *string `json:"error_json,omitzero"`
	HostName  *string `json:"host_name,omitzero"`
	Name      *string `json:"name,omitzero"`
	SourceID  *string `json:"source_id,omitzero"`
	SourceIP  *string `json:"source_ip,omitzero"`
	TargetIP  *string `json:"target_ip,omitzero"`
}

// ListErrorServersResponse is the body of GET /v3/errors.
type ListErrorServersResponse struct {
	Count           int64            `json:"count"`
	MigrationErrors []MigrationError `json:"migration_errors"`
}
