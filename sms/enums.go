package sms

import "smslab/lifecycle"

// The enumerations of the seeds, registered as validator aliases by NewDecoder. Each alias is a
// oneof over the values listed here.
var enums = map[string][]string{
	// Every state a task can be in, so that each can also be filtered on; the life cycle owns
	// the list, with a rule for each.
	"task_state": lifecycle.States(),
	"task_type":  {"MIGRATE_FILE", "MIGRATE_BLOCK"},
	"os_type":    {"WINDOWS", "LINUX"},
	"subtask_name": {
		"CREATE_CLOUD_SERVER", "SSL_CONFIG", "ATTACH_AGENT_IMAGE", "DETTACH_AGENT_IMAGE",
		"FORMAT_DISK_LINUX", "FORMAT_DISK_LINUX_FILE", "FORMAT_DISK_LINUX_BLOCK",
		"FORMAT_DISK_WINDOWS", "MIGRATE_LINUX_FILE", "MIGRATE_LINUX_BLOCK", "MIGRATE_WINDOWS_BLOCK",
		"CLONE_VM", "SYNC_LINUX_FILE", "SYNC_LINUX_BLOCK", "SYNC_WINDOWS_BLOCK", "CONFIGURE_LINUX",
		"CONFIGURE_LINUX_BLOCK", "CONFIGURE_LINUX_FILE", "CONFIGURE_WINDOWS",
	},
	"firmware":          {"BIOS", "UEFI"},
	"boot_loader":       {"GRUB", "LILO"},
	"partition_style":   {"MBR", "GPT"},
	"disk_device_use":   {"BOOT", "OS", "NORMAL"},
	"volume_device_use": {"NORMAL", "OS", "BOOT"},
	// The source server's states and cycles; the life cycle owns them, with the table that
	// ties them to the task's state.
	"migration_cycle":     lifecycle.MigrationCycles(),
	"source_server_state": lifecycle.SourceStates(),
	"source_state_filter": lifecycle.SourceStateFilters(),
	// A template's is_template, a String in responses and seed files.
	"is_template": {"true", "false"},
	// The seed lists MANUAL, MGC and the empty string.
	"start_type": {"MANUAL", "MGC", ""},
	"platform":   {"hw", "ali", "aws", "azure", "gcp", "tencent", "vmware", "hyperv", "other"},
	// RegisterServer's platform enum adds default.
	"source_platform": {"hw", "ali", "aws", "azure", "gcp", "tencent", "vmware", "hyperv", "other", "default"},
	// UpdateTaskStatus' operations, and the commands and results an agent reports; the life
	// cycle owns them.
	"task_operation": lifecycle.Operations(),
	"result_command": lifecycle.ResultCommands,
	"command_result": {"success", "fail"},
	// The 16 values of the pages and the SDK's enumeration, and INSTALL_PWD_AGENT, which the
	// SDK's comment adds ("true" installs the password-reset plug-in).
	"config_key": {
		"MIGRATE_EXCLUDE_DIR", "SYNC_EXCLUDE_DIR", "ONLY_SYNC_DIR", "CONSISTENCY_DIR",
		"CONSISTENCY_DIR_ILLEGAL", "LINUX_BLOCK_COMPRESS_THREAD_NUM", "MIGRATE_DST_IP",
		"LINUX_BLOCK_CACHE_SIZE", "LINUX_CPU_LIMIT", "LINUX_MEM_LIMIT", "LINUX_IO_LIMIT",
		"NUM_PROCESS_MIGRATE", "NUM_PROCESS_SYNC", "CONSISTENCY_RECHECK", "CONSISTENCY_MODE",
		"DYNAMIC_PORT", "INSTALL_PWD_AGENT",
	},
}

// foldedEnums are enumerations whose values are taken in any case: UpdateCopyState's, which the
// SDK calls case-insensitive and older pages wrote in capitals.
var foldedEnums = map[string][]string{
	"copystate":       lifecycle.CopyStates(),
	"copystate_cycle": lifecycle.CopyStateCycles(),
}
