package sms

// ProgressReport is the body of PUT /v3/tasks/{task_id}/progress (UpdateTaskSpeedReq): what the
// migration agent reports. Mandatory fields must be present; zero is a value like any other.
type ProgressReport struct {
	SubtaskName       *string  `json:"subtask_name" validate:"required,subtask_name"`
	Progress          *int32   `json:"progress" validate:"required,min=0,max=100"`
	Replicatesize     *int64   `json:"replicatesize" validate:"required,min=0"`
	Totalsize         *int64   `json:"totalsize" validate:"required,min=0"`
	ProcessTrace      *string  `json:"process_trace" validate:"required,max=2048,text"`
	MigrateSpeed      *float64 `json:"migrate_speed" validate:"omitnil,min=0,max=10000"`
	CompressRate      *float64 `json:"compress_rate" validate:"omitnil,min=0,max=10000"`
	RemainTime        *int64   `json:"remain_time" validate:"omitnil,min=0,max=2147483647"`
	TotalCPUUsage     *float64 `json:"total_cpu_usage" validate:"omitnil,min=0,max=100"`
	AgentCPUUsage     *float64 `json:"agent_cpu_usage" validate:"omitnil,min=0,max=100"`
	TotalMemUsage     *float64 `json:"total_mem_usage" validate:"omitnil,min=0,max=1048576"`
	AgentMemUsage     *float64 `json:"agent_mem_usage" validate:"omitnil,min=0,max=1048576"`
	TotalDiskIO       *float64 `json:"total_disk_io" validate:"omitnil,min=0,max=10000"`
	AgentDiskIO       *float64 `json:"agent_disk_io" validate:"omitnil,min=0,max=10000"`
	NeedMigrationTest *bool    `json:"need_migration_test"`
	AgentTime         *string  `json:"agent_time" validate:"omitnil,max=30,text"`
}
