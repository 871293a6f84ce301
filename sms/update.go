package sms

// UpdateTaskRequest is the body of PUT /v3/tasks/{task_id}: the union of the seed's PutTaskReq and
// the fields the official Go SDK's newer PutTaskReq sends. Every field is optional; Fields records
// which ones the body named, so that an absent field is left alone and a null one is cleared.
type UpdateTaskRequest struct {
	Name                 *string       `json:"name" validate:"omitnil,max=255,text"`
	Type                 *string       `json:"type" validate:"omitnil,task_type"`
	OsType               *string       `json:"os_type" validate:"omitnil,os_type"`
	ID                   *string       `json:"id" validate:"omitnil,task_id"`
	Priority             *int32        `json:"priority" validate:"omitnil,min=0,max=2"`
	RegionID             *string       `json:"region_id" validate:"omitnil,max=255,text"`
	StartTargetServer    *bool         `json:"start_target_server"`
	EnterpriseProjectID  *string       `json:"enterprise_project_id" validate:"omitnil,max=255,text"`
	ExistServer          *bool         `json:"exist_server"`
	MigrationIP          *string       `json:"migration_ip" validate:"omitnil,max=255,text"`
	RegionName           *string       `json:"region_name" validate:"omitnil,max=255,text"`
	SpeedLimit           *int32        `json:"speed_limit" validate:"omitnil,min=0,max=10000"`
	ProjectName          *string       `json:"project_name" validate:"omitnil,max=255,text"`
	ProjectID            *string       `json:"project_id" validate:"omitnil,max=255,text"`
	VMTemplateID         *string       `json:"vm_template_id" validate:"omitnil,max=255,text"`
	SourceServer         *SourceServer `json:"source_server"`
	TargetServer         *TargetServer `json:"target_server"`
	State                *string       `json:"state" validate:"omitnil,task_state"`
	EstimateCompleteTime *int64        `json:"estimate_complete_time" validate:"omitnil,min=0"`
	Connected            *bool         `json:"connected"`
	CreateDate           *int64        `json:"create_date" validate:"omitnil,min=0"`
	StartDate            *int64        `json:"start_date" validate:"omitnil,min=0"`
	FinishDate           *int64        `json:"finish_date" validate:"omitnil,min=0"`
	MigrateSpeed         *float64      `json:"migrate_speed" validate:"omitnil,min=0,max=10000"`
	ErrorJSON            *string       `json:"error_json" validate:"omitnil,max=1024,text"`
	TotalTime            *int64        `json:"total_time" validate:"omitnil,min=0"`
	FloatIP              *string       `json:"float_ip" validate:"omitnil,max=255,text"`
	RemainSeconds        *int64        `json:"remain_seconds" validate:"omitnil,min=0"`
	TargetSnapshotID     *string       `json:"target_snapshot_id" validate:"omitnil,max=255,text"`
	CloneServer          *CloneServer  `json:"clone_server"`
	SubTasks             []SubTask     `json:"sub_tasks" validate:"max=65535,dive"`

	// Sent by the official Go SDK since 0.1.186.
	UseIPv6              *bool   `json:"use_ipv6"`
	UsePublicIP          *bool   `json:"use_public_ip"`
	EnterpriseProject    *string `json:"enterprise_project" validate:"omitnil,max=255,text"`
	ImageDiskID          *string `json:"image_disk_id" validate:"omitnil,max=255,text"`
	TargetDiskIDs        *string `json:"target_disk_ids" validate:"omitnil,max=255,text"`
	SnapshotIDs          *string `json:"snapshot_ids" validate:"omitnil,max=255,text"`
	CutoveredSnapshotIDs *string `json:"cutovered_snapshot_ids" validate:"omitnil,max=255,text"`

	// Fields holds the names of the top-level fields the body contained.
	Fields map[string]bool `json:"-"`
}

// Has reports whether the body named the field, with a value or with null.
func (r *UpdateTaskRequest) Has(field string) bool { return r.Fields[field] }

// SourceServer is PostSourceServerBody: the source server of a task as UpdateTask accepts it.
type SourceServer struct {
	ID                 *string           `json:"id,omitzero" validate:"omitnil,max=255,text"`
	IP                 *string           `json:"ip,omitzero" validate:"omitnil,max=255,text"`
	Name               *string           `json:"name,omitzero" validate:"omitnil,max=255,text"`
	Hostname           *string           `json:"hostname,omitzero" validate:"omitnil,max=255,text"`
	OsType             *string           `json:"os_type,omitzero" validate:"omitnil,os_type"`
	OsVersion          *string           `json:"os_version,omitzero" validate:"omitnil,max=255,text"`
	VirtualizationType *string           `json:"virtualization_type,omitzero" validate:"omitnil,max=255,text"`
	LinuxBlockCheck    *string           `json:"linux_block_check,omitzero" validate:"omitnil,max=255,text"`
	Firmware           *string           `json:"firmware,omitzero" validate:"omitnil,firmware"`
	CPUQuantity        *int32            `json:"cpu_quantity,omitzero" validate:"omitnil,min=0,max=65535"`
	Memory             *int64            `json:"memory,omitzero" validate:"omitnil,min=0"`
	Disks              []ServerDisk      `json:"disks,omitzero" validate:"max=65535,dive"`
	BtrfsList          []BtrfsFileSystem `json:"btrfs_list,omitzero" validate:"max=65535,dive"`
	Networks           []Network         `json:"networks,omitzero" validate:"max=65535,dive"`
	DomainID           *string           `json:"domain_id,omitzero" validate:"omitnil,max=255,text"`
	HasRsync           *bool             `json:"has_rsync,omitzero"`
	Paravirtualization *bool             `json:"paravirtualization,omitzero"`
	RawDevices         *string           `json:"raw_devices,omitzero" validate:"omitnil,max=255,text"`
	DriverFiles        *bool             `json:"driver_files,omitzero"`
	SystemServices     *bool             `json:"system_services,omitzero"`
	AccountRights      *bool             `json:"account_rights,omitzero"`
	BootLoader         *string           `json:"boot_loader,omitzero" validate:"omitnil,boot_loader"`
	SystemDir          *string           `json:"system_dir,omitzero" validate:"omitnil,max=255,text"`
	VolumeGroups       []VolumeGroup     `json:"volume_groups,omitzero" validate:"max=65535,dive"`
	AgentVersion       *string           `json:"agent_version,omitzero" validate:"omitnil,max=255,text"`
	KernelVersion      *string           `json:"kernel_version,omitzero" validate:"omitnil,max=255,text"`
	MigrationCycle     *string           `json:"migration_cycle,omitzero" validate:"omitnil,migration_cycle"`
	State              *string           `json:"state,omitzero" validate:"omitnil,source_server_state"`
	OemSystem          *bool             `json:"oem_system,omitzero"`
	StartType          *string           `json:"start_type,omitzero" validate:"omitnil,start_type"`
	IoReadWait         *float64          `json:"io_read_wait,omitzero" validate:"omitnil,min=0,max=10000"`
	HasTc              *bool             `json:"has_tc,omitzero"`
	Platform           *string           `json:"platform,omitzero" validate:"omitnil,platform"`
}

// ServerDisk is a disk of the source server.
type ServerDisk struct {
	Name            *string          `json:"name,omitzero" validate:"required,max=255,text"`
	PartitionStyle  *string          `json:"partition_style,omitzero" validate:"omitnil,partition_style"`
	DeviceUse       *string          `json:"device_use,omitzero" validate:"required,disk_device_use"`
	Size            *int64           `json:"size,omitzero" validate:"required,min=0"`
	UsedSize        *int64           `json:"used_size,omitzero" validate:"required,min=0"`
	PhysicalVolumes []PhysicalVolume `json:"physical_volumes" validate:"required,max=65535,dive"`
	OsDisk          *bool            `json:"os_disk,omitzero"`
	RelationName    *string          `json:"relation_name,omitzero" validate:"omitnil,max=255,text"`
	InodeSize       *int32           `json:"inode_size,omitzero" validate:"omitnil,min=0"`
}

// PhysicalVolume is a partition of a source server disk.
type PhysicalVolume struct {
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

// TargetServer is the target server of a task as UpdateTask accepts it. The seed marks ip and
// os_type mandatory "for registration and optional for updates", so here they are optional.
type TargetServer struct {
	ID                   *string           `json:"id,omitzero" validate:"omitnil,max=255,text"`
	IP                   *string           `json:"ip,omitzero" validate:"omitnil,max=255,text"`
	Name                 *string           `json:"name,omitzero" validate:"required,max=255,text"`
	Hostname             *string           `json:"hostname,omitzero" validate:"omitnil,max=255,text"`
	OsType               *string           `json:"os_type,omitzero" validate:"omitnil,os_type"`
	OsVersion            *string           `json:"os_version,omitzero" validate:"omitnil,max=255,text"`
	Firmware             *string           `json:"firmware,omitzero" validate:"omitnil,firmware"`
	CPUQuantity          *int32            `json:"cpu_quantity,omitzero" validate:"omitnil,min=0,max=65535"`
	Memory               *int64            `json:"memory,omitzero" validate:"omitnil,min=0"`
	BtrfsList            []BtrfsFileSystem `json:"btrfs_list,omitzero" validate:"max=65535,dive"`
	Networks             []Network         `json:"networks,omitzero" validate:"max=65535,dive"`
	DomainID             *string           `json:"domain_id,omitzero" validate:"omitnil,max=255,text"`
	HasRsync             *bool             `json:"has_rsync,omitzero"`
	Paravirtualization   *bool             `json:"paravirtualization,omitzero"`
	RawDevices           *string           `json:"raw_devices,omitzero" validate:"omitnil,max=255,text"`
	DriverFiles          *bool             `json:"driver_files,omitzero"`
	SystemServices       *bool             `json:"system_services,omitzero"`
	AccountRights        *bool             `json:"account_rights,omitzero"`
	BootLoader           *string           `json:"boot_loader,omitzero" validate:"omitnil,boot_loader"`
	SystemDir            *string           `json:"system_dir,omitzero" validate:"omitnil,max=255,text"`
	VolumeGroups         []VolumeGroup     `json:"volume_groups,omitzero" validate:"max=65535,dive"`
	VMID                 *string           `json:"vm_id,omitzero" validate:"omitnil,max=255,text"`
	Flavor               *string           `json:"flavor,omitzero" validate:"omitnil,max=255,text"`
	Disks                []TargetDisk      `json:"disks" validate:"required,max=65535,dive"`
	ImageDiskID          *string           `json:"image_disk_id,omitzero" validate:"omitnil,max=255,text"`
	SnapshotIDs          *string           `json:"snapshot_ids,omitzero" validate:"omitnil,max=255,text"`
	CutoveredSnapshotIDs *string           `json:"cutovered_snapshot_ids,omitzero" validate:"omitnil,max=255,text"`
}

// TargetDisk is a disk of the target server.
type TargetDisk struct {
	ID              *int64                 `json:"id,omitzero" validate:"omitnil,min=0"`
	DeviceUse       *string                `json:"device_use,omitzero" validate:"omitnil,volume_device_use"`
	DiskID          *string                `json:"disk_id,omitzero" validate:"omitnil,max=255,text"`
	Name            *string                `json:"name,omitzero" validate:"omitnil,max=255,text"`
	PhysicalVolumes []TargetPhysicalVolume `json:"physical_volumes,omitzero" validate:"max=65535,dive"`
	Size            *int64                 `json:"size,omitzero" validate:"omitnil,min=0"`
	UsedSize        *int64                 `json:"used_size,omitzero" validate:"omitnil,min=0"`
	DiskIndex       *string                `json:"disk_index,omitzero" validate:"omitnil,max=255,text"`
	OsDisk          *bool                  `json:"os_disk,omitzero"`
	PartitionStyle  *string                `json:"partition_style,omitzero" validate:"omitnil,partition_style"`
	RelationName    *string                `json:"relation_name,omitzero" validate:"omitnil,max=255,text"`
}

// TargetPhysicalVolume is a partition of a target server disk.
type TargetPhysicalVolume struct {
	ID           *int64  `json:"id,omitzero" validate:"omitnil,min=0"`
	DeviceUse    *string `json:"device_use,omitzero" validate:"omitnil,volume_device_use"`
	FileSystem   *string `json:"file_system,omitzero" validate:"omitnil,max=255,text"`
	Index        *int32  `json:"index,omitzero" validate:"omitnil,min=0"`
	MountPoint   *string `json:"mount_point,omitzero" validate:"omitnil,max=255,text"`
	Name         *string `json:"name,omitzero" validate:"omitnil,max=255,text"`
	Size         *int64  `json:"size,omitzero" validate:"omitnil,min=0"`
	UsedSize     *int64  `json:"used_size,omitzero" validate:"omitnil,min=0"`
	UUID         *string `json:"uuid,omitzero" validate:"omitnil,max=255,text"`
	RelationName *string `json:"relation_name,omitzero" validate:"omitnil,max=255,text"`
	FreeSize     *int64  `json:"free_size,omitzero" validate:"omitnil,min=0"`
}

// BtrfsFileSystem is a Btrfs file system of a server; every field is mandatory.
type BtrfsFileSystem struct {
	Name                   *string          `json:"name" validate:"required,max=255,text"`
	Label                  *string          `json:"label" validate:"required,max=255,text"`
	UUID                   *string          `json:"uuid" validate:"required,max=255,text"`
	Device                 *string          `json:"device" validate:"required,max=255,text"`
	Size                   *int64           `json:"size" validate:"required,min=0"`
	Nodesize               *int64           `json:"nodesize" validate:"required,min=0"`
	Sectorsize             *int32           `json:"sectorsize" validate:"required,min=0"`
	DataProfile            *string          `json:"data_profile" validate:"required,max=255,text"`
	SystemProfile          *string          `json:"system_profile" validate:"required,max=255,text"`
	MetadataProfile        *string          `json:"metadata_profile" validate:"required,max=255,text"`
	GlobalReserve1         *string          `json:"global_reserve1" validate:"required,max=255,text"`
	GVolUsedSize           *int64           `json:"g_vol_used_size" validate:"required,min=0"`
	DefaultSubvolid        *string          `json:"default_subvolid" validate:"required,max=255,text"`
	DefaultSubvolName      *string          `json:"default_subvol_name" validate:"required,max=255,text"`
	DefaultSubvolMountpath *string          `json:"default_subvol_mountpath" validate:"required,max=255,text"`
	Subvolumn              []BtrfsSubvolume `json:"subvolumn" validate:"required,max=65535,dive"`
}

// BtrfsSubvolume is a Btrfs subvolume (the API spells the list "subvolumn").
type BtrfsSubvolume struct {
	UUID            *string `json:"uuid" validate:"required,max=255,text"`
	IsSnapshot      *string `json:"is_snapshot" validate:"required,max=255,text"`
	SubvolID        *string `json:"subvol_id" validate:"required,max=255,text"`
	ParentID        *string `json:"parent_id" validate:"required,max=255,text"`
	SubvolName      *string `json:"subvol_name" validate:"required,max=255,text"`
	SubvolMountPath *string `json:"subvol_mount_path" validate:"required,max=255,text"`
}

// Network is a NIC of a server.
type Network struct {
	Name    *string `json:"name,omitzero" validate:"required,max=255,text"`
	IP      *string `json:"ip,omitzero" validate:"required,max=255,text"`
	IPv6    *string `json:"ipv6,omitzero" validate:"omitnil,max=255,text"`
	Netmask *string `json:"netmask,omitzero" validate:"required,max=255,text"`
	Gateway *string `json:"gateway,omitzero" validate:"required,max=255,text"`
	MTU     *int32  `json:"mtu,omitzero" validate:"omitnil,min=0"`
	MAC     *string `json:"mac,omitzero" validate:"required,max=255,text"`
	ID      *string `json:"id,omitzero" validate:"omitnil,max=255,text"`
}

// VolumeGroup is an LVM volume group of a server.
type VolumeGroup struct {
	Components     *string         `json:"components,omitzero" validate:"omitnil,max=255,text"`
	FreeSize       *int64          `json:"free_size,omitzero" validate:"omitnil,min=0"`
	LogicalVolumes []LogicalVolume `json:"logical_volumes,omitzero" validate:"max=65535,dive"`
	Name           *string         `json:"name,omitzero" validate:"omitnil,max=255,text"`
	Size           *int64          `json:"size,omitzero" validate:"omitnil,min=0"`
}

// LogicalVolume is an LVM logical volume.
type LogicalVolume struct {
	BlockCount *int32  `json:"block_count,omitzero" validate:"omitnil,min=0"`
	BlockSize  *int64  `json:"block_size,omitzero" validate:"omitnil,min=0,max=1048576"`
	FileSystem *string `json:"file_system,omitzero" validate:"required,max=255,text"`
	InodeSize  *int32  `json:"inode_size,omitzero" validate:"required,min=0"`
	InodeNums  *int64  `json:"inode_nums,omitzero" validate:"omitnil,min=0"`
	DeviceUse  *string `json:"device_use,omitzero" validate:"omitnil,max=255,text"`
	MountPoint *string `json:"mount_point,omitzero" validate:"required,max=255,text"`
	Name       *string `json:"name,omitzero" validate:"required,max=255,text"`
	Size       *int64  `json:"size,omitzero" validate:"required,min=0"`
	UsedSize   *int64  `json:"used_size,omitzero" validate:"required,min=0"`
	FreeSize   *int64  `json:"free_size,omitzero" validate:"required,min=0"`
}

// CloneServer is the cloned server as UpdateTask accepts it.
type CloneServer struct {
	VMID       *string `json:"vm_id,omitzero" validate:"omitnil,max=255,text"`
	Name       *string `json:"name,omitzero" validate:"omitnil,max=255,text"`
	CloneError *string `json:"clone_error,omitzero" validate:"omitnil,max=255,text"`
	CloneState *string `json:"clone_state,omitzero" validate:"omitnil,max=255,text"`
	ErrorMsg   *string `json:"error_msg,omitzero" validate:"omitnil,max=255,text"`
}

// SubTask is a sub-task as UpdateTask accepts it and as smslab stores it.
type SubTask struct {
	ID           *int64   `json:"id,omitzero" validate:"omitnil,min=0"`
	Name         *string  `json:"name,omitzero" validate:"omitnil,max=255,text"`
	Progress     *int32   `json:"progress" validate:"required,min=0,max=100"`
	StartDate    *int64   `json:"start_date,omitzero" validate:"omitnil,min=0"`
	EndDate      *int64   `json:"end_date,omitzero" validate:"omitnil,min=0"`
	MigrateSpeed *float64 `json:"migrate_speed,omitzero" validate:"omitnil,min=0,max=10000"`
	UserOp       *string  `json:"user_op,omitzero" validate:"omitnil,max=255,text"`
	ProcessTrace *string  `json:"process_trace,omitzero" validate:"omitnil,max=2048,text"`
}
