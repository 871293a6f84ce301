package sms

import "github.com/go-json-experiment/json/jsontext"

// CreateTaskRequest is PostTask, the body of POST /v3/tasks (CreateTask), with the newest page's
// limits but priority's, which is ListTasks' 0-2 (a stored task must list; the page's 0-65535
// is noted in docs/api.md). The SDK always sends name, type and the four region and project
// fields, and source_server and target_server even when unset (null).
type CreateTaskRequest struct {
	Name                   *string             `json:"name" validate:"required,min=1,max=64,template_name"`
	Type                   *string             `json:"type" validate:"required,task_type"`
	StartTargetServer      *bool               `json:"start_target_server"`
	AutoStart              *bool               `json:"auto_start"`
	OsType                 *string             `json:"os_type" validate:"omitnil,os_type"`
	SourceServer           *TaskSourceRef      `json:"source_server" validate:"required"`
	TargetServer           *CreateTargetServer `json:"target_server" validate:"required"`
	MigrationIP            *string             `json:"migration_ip" validate:"omitnil,max=255,text"`
	RegionName             *string             `json:"region_name" validate:"required,max=255,text"`
	RegionID               *string             `json:"region_id" validate:"required,max=255,text"`
	ProjectName            *string             `json:"project_name" validate:"required,max=255,text"`
	ProjectID              *string             `json:"project_id" validate:"required,max=255,text"`
	Priority               *int32              `json:"priority" validate:"omitnil,min=0,max=2"`
	VMTemplateID           *string             `json:"vm_template_id" validate:"omitnil,max=255,text"`
	ClonevmTemplateID      *string             `json:"clonevm_template_id" validate:"omitnil,max=255,text"`
	UsePublicIP            *bool               `json:"use_public_ip"`
	UseIPv6                *bool               `json:"use_ipv6"`
	Syncing                *bool               `json:"syncing"`
	ExistServer            *bool               `json:"exist_server"`
	StartNetworkCheck      *bool               `json:"start_network_check"`
	SpeedLimit             *int32              `json:"speed_limit" validate:"omitnil,min=0,max=65535"`
	OverSpeedThreshold     *float64            `json:"over_speed_threshold" validate:"omitnil,min=0,max=100"`
	IsNeedConsistencyCheck *bool               `json:"is_need_consistency_check"`
	NeedMigrationTest      *bool               `json:"need_migration_test"`
}

// TaskSourceRef is SourceServerByTask: the registered source server a new task migrates.
type TaskSourceRef struct {
	ID *string `json:"id" validate:"required,source_id"`
}

// CreateTargetServer is TargetServerByTask: the target server of a new task. name and vm_id are
// empty for a target SMS creates from the template; disks left out are the source's recommended
// target disks (init_target_server).
type CreateTargetServer struct {
	Name         *string           `json:"name" validate:"omitnil,max=255,text"`
	VMID         *string           `json:"vm_id" validate:"omitnil,max=255,text"`
	Disks        []TargetDisk      `json:"disks" validate:"max=65535,dive"`
	VolumeGroups []VolumeGroup     `json:"volume_groups" validate:"max=65535,dive"`
	BtrfsList    []BtrfsFileSystem `json:"btrfs_list" validate:"max=65535,dive"`
}

// UpdateTaskStatusRequest is UpdateTaskStatusReq, the body of POST /v3/tasks/{task_id}/action.
type UpdateTaskStatusRequest struct {
	Operation              *string `json:"operation" validate:"required,task_operation"`
	TemplateID             *string `json:"template_id" validate:"omitnil,max=255,text"`
	SwitchHCE              *bool   `json:"switch_hce"`
	IsNeedConsistencyCheck *bool   `json:"is_need_consistency_check"`
}

// DeleteTasksRequest is DeleteTasksReq, the body of POST /v3/tasks/delete.
type DeleteTasksRequest struct {
	IDs []string `json:"ids" validate:"required,min=1,max=65535,dive,task_id"`
}

// CollectLogRequest is UploadLogRequestBody, the body of POST /v3/tasks/{task_id}/log.
type CollectLogRequest struct {
	LogBucket *string `json:"log_bucket" validate:"required,min=1,max=255,text"`
}

// CommandResultRequest is CommandBody, the body of POST /v3/sources/{server_id}/command_result.
// result_detail is any JSON (stored as it came, at most MaxResultDetail bytes); the SDK sends
// null when it is not set, and Terraform leaves it out, so it may be null or absent.
type CommandResultRequest struct {
	CommandName  *string        `json:"command_name" validate:"required,result_command"`
	Result       *string        `json:"result" validate:"required,command_result"`
	ResultDetail jsontext.Value `json:"result_detail"`
}

// MaxResultDetail is the longest result_detail UpdateCommandResult stores, in bytes of JSON.
const MaxResultDetail = 65535

// Command is ShowCommandResponse: a command for the agent, or an answer with nothing to do.
type Command struct {
	CommandName  string        `json:"command_name,omitzero"`
	CommandParam *CommandParam `json:"command_param,omitzero"`
}

// CommandParam is the command's parameters: the task, or the bucket of UPLOAD_LOG.
type CommandParam struct {
	TaskID *string `json:"task_id,omitzero"`
	Bucket *string `json:"bucket,omitzero"`
}

// TimelineEvent is one event of a task's timeline, ShowTask's extension field.
type TimelineEvent struct {
	Time   int64  `json:"time"`
	Event  string `json:"event"`
	Name   string `json:"name"`
	Detail string `json:"detail,omitzero"`
}

func (*CreateTaskRequest) operation() string       { return "CreateTask" }
func (*UpdateTaskStatusRequest) operation() string { return "UpdateTaskStatus" }
func (*DeleteTasksRequest) operation() string      { return "DeleteTasks" }
func (*CollectLogRequest) operation() string       { return "CollectLog" }
func (*CommandResultRequest) operation() string    { return "UpdateCommandResult" }

// ShowTask is ShowTaskResponse: one task as GET /v3/tasks/{task_id} shows it, with the fields
// Huawei's Terraform provider reads beyond the SDK's model (use_public_ip, syncing, use_ipv6),
// log_collect_status, and smslab's timeline, which the SDK ignores.
type ShowTask struct {
	Name                 *string           `json:"name,omitzero"`
	Type                 *string           `json:"type,omitzero"`
	OsType               *string           `json:"os_type,omitzero"`
	ID                   *string           `json:"id,omitzero"`
	Priority             *int32            `json:"priority,omitzero"`
	SpeedLimit           *int32            `json:"speed_limit,omitzero"`
	RegionID             *string           `json:"region_id,omitzero"`
	StartTargetServer    *bool             `json:"start_target_server,omitzero"`
	EnterpriseProjectID  *string           `json:"enterprise_project_id,omitzero"`
	MigrationIP          *string           `json:"migration_ip,omitzero"`
	RegionName           *string           `json:"region_name,omitzero"`
	ProjectName          *string           `json:"project_name,omitzero"`
	ProjectID            *string           `json:"project_id,omitzero"`
	VMTemplateID         *string           `json:"vm_template_id,omitzero"`
	SourceServer         *ShowTaskSource   `json:"source_server,omitzero"`
	TargetServer         *ShowTaskTarget   `json:"target_server,omitzero"`
	State                *string           `json:"state,omitzero"`
	EstimateCompleteTime *int64            `json:"estimate_complete_time,omitzero"`
	Connected            *bool             `json:"connected,omitzero"`
	CreateDate           *int64            `json:"create_date,omitzero"`
	StartDate            *int64            `json:"start_date,omitzero"`
	FinishDate           *int64            `json:"finish_date,omitzero"`
	MigrateSpeed         *float64          `json:"migrate_speed,omitzero"`
	CompressRate         *float64          `json:"compress_rate,omitzero"`
	ErrorJSON            *string           `json:"error_json,omitzero"`
	TotalTime            *int64            `json:"total_time,omitzero"`
	FloatIP              *string           `json:"float_ip,omitzero"`
	RemainSeconds        *int64            `json:"remain_seconds,omitzero"`
	TargetSnapshotID     *string           `json:"target_snapshot_id,omitzero"`
	CloneServer          *CloneServer      `json:"clone_server,omitzero"`
	SubTasks             []SubTask         `json:"sub_tasks,omitzero"`
	NetworkCheckInfo     *NetworkCheckInfo `json:"network_check_info,omitzero"`
	TotalCPUUsage        *float64          `json:"total_cpu_usage,omitzero"`
	AgentCPUUsage        *float64          `json:"agent_cpu_usage,omitzero"`
	TotalMemUsage        *float64          `json:"total_mem_usage,omitzero"`
	AgentMemUsage        *float64          `json:"agent_mem_usage,omitzero"`
	TotalDiskIO          *float64          `json:"total_disk_io,omitzero"`
	AgentDiskIO          *float64          `json:"agent_disk_io,omitzero"`
	NeedMigrationTest    *bool             `json:"need_migration_test,omitzero"`
	SubtaskInfo          *string           `json:"subtask_info,omitzero"`
	UsePublicIP          *bool             `json:"use_public_ip,omitzero"`
	Syncing              *bool             `json:"syncing,omitzero"`
	UseIPv6              *bool             `json:"use_ipv6,omitzero"`
	LogCollectStatus     *string           `json:"log_collect_status,omitzero"`
	Timeline             []TimelineEvent   `json:"timeline"`
}

// ShowTaskSource is SourceServerResponse: the task's source server, as it is now. ip, name and
// os_type are always sent (the SDK expects them).
type ShowTaskSource struct {
	ID             *string `json:"id,omitzero"`
	IP             string  `json:"ip"`
	Name           string  `json:"name"`
	OsType         string  `json:"os_type"`
	OsVersion      *string `json:"os_version,omitzero"`
	OemSystem      *bool   `json:"oem_system,omitzero"`
	State          *string `json:"state,omitzero"`
	MigrationCycle *string `json:"migration_cycle,omitzero"`
}

// ShowTaskTarget is TaskTargetServer: the task's target server. btrfs_list is the file systems'
// names (the SDK's model is a list of strings here); disks and btrfs_list are [] when empty.
type ShowTaskTarget struct {
	ID                   *string       `json:"id,omitzero"`
	VMID                 *string       `json:"vm_id,omitzero"`
	Name                 *string       `json:"name,omitzero"`
	IP                   *string       `json:"ip,omitzero"`
	OsType               *string       `json:"os_type,omitzero"`
	OsVersion            *string       `json:"os_version,omitzero"`
	SystemDir            *string       `json:"system_dir,omitzero"`
	Disks                []TargetDisk  `json:"disks"`
	VolumeGroups         []VolumeGroup `json:"volume_groups,omitzero"`
	BtrfsList            []string      `json:"btrfs_list"`
	ImageDiskID          *string       `json:"image_disk_id,omitzero"`
	CutoveredSnapshotIDs *string       `json:"cutovered_snapshot_ids,omitzero"`
}
