// Package sms holds the wire types of the Huawei Cloud SMS v3 API as the seeds and the API pages
// document them, the limits on their fields (validator tags), and the decoding that enforces them.
package sms

// ListTasksResponse is the body of GET /v3/tasks (a seed file is a SeedFile).
type ListTasksResponse struct {
	Count int64  `json:"count"`
	Tasks []Task `json:"tasks" validate:"max=65535,dive"`
}

// Task is TasksResponseBody: a migration task as ListTasks shows it. A seed file holds these, so
// the tags are the response table's limits, except for the few fields only a response carries
// (source server state, log collect status, network check result): real exports hold values the
// docs do not list, and an import must load them.
type Task struct {
	ID                   *string           `json:"id,omitzero" validate:"required,task_id"`
	Name                 *string           `json:"name,omitzero" validate:"omitnil,max=255,text"`
	Type                 *string           `json:"type,omitzero" validate:"omitnil,task_type"`
	OsType               *string           `json:"os_type,omitzero" validate:"omitnil,os_type"`
	State                *string           `json:"state,omitzero" validate:"required,task_state"`
	EstimateCompleteTime *int64            `json:"estimate_complete_time,omitzero" validate:"omitnil,min=0"`
	CreateDate           *int64            `json:"create_date,omitzero" validate:"omitnil,min=0"`
	Priority             *int32            `json:"priority,omitzero" validate:"omitnil,min=0,max=2"`
	SpeedLimit           *int32            `json:"speed_limit,omitzero" validate:"omitnil,min=0,max=65535"`
	MigrateSpeed         *float64          `json:"migrate_speed,omitzero" validate:"omitnil,min=0,max=10000"`
	CompressRate         *float64          `json:"compress_rate,omitzero" validate:"omitnil,min=0,max=10000"`
	StartTargetServer    *bool             `json:"start_target_server,omitzero"`
	ErrorJSON            *string           `json:"error_json,omitzero" validate:"omitnil,max=1024,text"`
	TotalTime            *int64            `json:"total_time,omitzero" validate:"omitnil,min=0"`
	MigrationIP          *string           `json:"migration_ip,omitzero" validate:"omitnil,max=255,text"`
	SubTasks             []TaskSubTask     `json:"sub_tasks,omitzero" validate:"max=65535,dive"`
	SourceServer         *TaskSourceServer `json:"source_server,omitzero"`
	EnterpriseProjectID  *string           `json:"enterprise_project_id,omitzero" validate:"omitnil,max=255,text"`
	TargetServer         *TaskTargetServer `json:"target_server,omitzero"`
	LogCollectStatus     *string           `json:"log_collect_status,omitzero" validate:"omitnil,max=255,text"`
	CloneServer          *CloneServerBrief `json:"clone_server,omitzero"`
	Syncing              *bool             `json:"syncing,omitzero"`
	NetworkCheckInfo     *NetworkCheckInfo `json:"network_check_info,omitzero"`
	SpecialConfig        []ConfigBody      `json:"special_config,omitzero" validate:"max=1000,dive"`
	TotalCPUUsage        *float64          `json:"total_cpu_usage,omitzero" validate:"omitnil,min=0,max=100"`
	AgentCPUUsage        *float64          `json:"agent_cpu_usage,omitzero" validate:"omitnil,min=0,max=100"`
	TotalMemUsage        *float64          `json:"total_mem_usage,omitzero" validate:"omitnil,min=0,max=1048576"`
	AgentMemUsage        *float64          `json:"agent_mem_usage,omitzero" validate:"omitnil,min=0,max=1048576"`
	TotalDiskIO          *float64          `json:"total_disk_io,omitzero" validate:"omitnil,min=0,max=10000"`
	AgentDiskIO          *float64          `json:"agent_disk_io,omitzero" validate:"omitnil,min=0,max=10000"`
	NeedMigrationTest    *bool             `json:"need_migration_test,omitzero"`
	SubtaskInfo          *string           `json:"subtask_info,omitzero" validate:"omitnil,max=255,text"`
}

// TaskSubTask is SubTaskAssociatedWithTask: a sub-task as ListTasks shows it.
type TaskSubTask struct {
	ID           *int64  `json:"id,omitzero" validate:"omitnil,min=0"`
	Name         *string `json:"name,omitzero" validate:"omitnil,max=255,text"`
	Progress     *int32  `json:"progress,omitzero" validate:"omitnil,min=0,max=100"`
	StartDate    *int64  `json:"start_date,omitzero" validate:"omitnil,min=0"`
	EndDate      *int64  `json:"end_date,omitzero" validate:"omitnil,min=0"`
	ProcessTrace *string `json:"process_trace,omitzero" validate:"omitnil,max=2048,text"`
}

// TaskSourceServer is SourceServerAssociatedWithTask: the task's source server as ListTasks shows
// it.
type TaskSourceServer struct {
	ID        *string `json:"id,omitzero" validate:"omitnil,max=255,text"`
	IP        *string `json:"ip,omitzero" validate:"omitnil,max=255,text"`
	Name      *string `json:"name,omitzero" validate:"omitnil,max=255,text"`
	OsType    *string `json:"os_type,omitzero" validate:"omitnil,os_type"`
	OsVersion *string `json:"os_version,omitzero" validate:"omitnil,max=255,text"`
	OemSystem *bool   `json:"oem_system,omitzero"`
	State     *string `json:"state,omitzero" validate:"omitnil,max=255,text"`
}

// TaskTargetServer is TargetServerAssociatedWithTask: the task's target server as ListTasks shows
// it.
type TaskTargetServer struct {
	ID        *string `json:"id,omitzero" validate:"omitnil,max=255,text"`
	VMID      *string `json:"vm_id,omitzero" validate:"omitnil,max=255,text"`
	Name      *string `json:"name,omitzero" validate:"omitnil,max=255,text"`
	IP        *string `json:"ip,omitzero" validate:"omitnil,max=255,text"`
	OsType    *string `json:"os_type,omitzero" validate:"omitnil,os_type"`
	OsVersion *string `json:"os_version,omitzero" validate:"omitnil,max=255,text"`
}

// CloneServerBrief is the cloned server as ListTasks shows it.
type CloneServerBrief struct {
	VMID *string `json:"vm_id,omitzero" validate:"omitnil,max=255,text"`
	Name *string `json:"name,omitzero" validate:"omitnil,max=255,text"`
}

// NetworkCheckInfo is NetworkCheckInfoRequestBody: the network measurement results.
type NetworkCheckInfo struct {
	DomainConnectivity      *bool    `json:"domain_connectivity,omitzero"`
	DestinationConnectivity *bool    `json:"destination_connectivity,omitzero"`
	NetworkDelay            *float64 `json:"network_delay,omitzero" validate:"omitnil,min=0,max=10000"`
	NetworkJitter           *float64 `json:"network_jitter,omitzero" validate:"omitnil,min=0,max=10000"`
	MigrationSpeed          *float64 `json:"migration_speed,omitzero" validate:"omitnil,min=0,max=10000"`
	LossPercentage          *float64 `json:"loss_percentage,omitzero" validate:"omitnil,min=0,max=100"`
	CPUUsage                *float64 `json:"cpu_usage,omitzero" validate:"omitnil,min=0,max=100"`
	MemUsage                *float64 `json:"mem_usage,omitzero" validate:"omitnil,min=0,max=100"`
	// EvaluationResult is documented as 5 to 9 characters; exports also carry an empty one.
	EvaluationResult *string `json:"evaluation_result,omitzero" validate:"omitnil,max=9,text"`
}

// ConfigBody is one advanced migration option.
type ConfigBody struct {
	ConfigKey    *string `json:"config_key,omitzero" validate:"omitnil,config_key"`
	ConfigValue  *string `json:"config_value,omitzero" validate:"omitnil,max=1024,text"`
	ConfigStatus *string `json:"config_status,omitzero" validate:"omitnil,max=255,text"`
}
