package sms

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// The settings of a task that its small calls read and write: speed-limit windows (ShowsSpeedLimits,
// UpdateSpeed), advanced migration options (ShowConfigSetting, UploadSpecialConfigurationSetting),
// the passphrase (ShowPassphrase) and the TLS material (ShowCertKey). docs/api.md#task-settings
// says what smslab decided where the pages are silent.

// MaxSpeedWindows is how many windows UpdateSpeed takes (the newest pages' 0-5 items).
const MaxSpeedWindows = 5

// SpeedLimitRequest is UpdateSpeed's body (SpeedLimit): it replaces the task's windows.
type SpeedLimitRequest struct {
	SpeedLimit []SpeedWindow `json:"speed_limit" validate:"required,max=5,dive"`
}

// SpeedWindow is SpeedLimitlJson: a time-of-day window and the speed limit in it. In a request
// start and end are required; speed, optional in the newest pages and the SDK, is 0 when absent.
type SpeedWindow struct {
	Start *string `json:"start,omitzero" validate:"required,clock"`
	End   *string `json:"end,omitzero" validate:"required,clock"`
	// Speed is in Mbit/s.
	Speed *int32 `json:"speed,omitzero" validate:"omitnil,min=0,max=1000"`
	// OverSpeedThreshold is a percentage over the limit at which the task stops.
	OverSpeedThreshold *float64 `json:"over_speed_threshold,omitzero" validate:"omitnil,min=0,max=100"`
}

// ShowsSpeedLimitsResponse is ShowsSpeedLimits' answer: [] for a task without windows.
type ShowsSpeedLimitsResponse struct {
	SpeedLimit []SpeedWindow `json:"speed_limit"`
}

func (*SpeedWindow) arrayItem()              {}
func (*SpeedLimitRequest) operation() string { return "UpdateSpeed" }

// clockPattern is a time of day as the pages write it, "XX:XX", whose example also writes the
// hour in one digit ("0:00"): 0:00 to 23:59.
var clockPattern = regexp.MustCompile(`^([01]?[0-9]|2[0-3]):[0-5][0-9]$`)

// clockRule is what the clock tag says a time must be.
const clockRule = "must be a time of day from 00:00 to 23:59, as HH:MM or H:MM"

// minuteOfDay is the minute of the day a time that keeps clockPattern names.
func minuteOfDay(s string) int {
	h, m, _ := strings.Cut(s, ":")
	hours, _ := strconv.Atoi(h)
	minutes, _ := strconv.Atoi(m)
	return hours*60 + minutes
}

// DecodeUpdateSpeed parses and validates an UpdateSpeed body: each window ends after it starts
// (a window does not cross midnight: two windows do), and no two overlap, though one may end
// when the next starts.
func (d *Decoder) DecodeUpdateSpeed(data []byte) (*SpeedLimitRequest, error) {
	var req SpeedLimitRequest
	if err := d.Decode(data, &req); err != nil {
		return nil, err
	}
	type span struct{ i, start, end int }
	spans := make([]span, len(req.SpeedLimit))
	for i, w := range req.SpeedLimit {
		spans[i] = span{i, minuteOfDay(*w.Start), minuteOfDay(*w.End)}
		if spans[i].end <= spans[i].start {
			return nil, &InvalidError{Field: fmt.Sprintf("speed_limit[%d].end", i),
				Rule: fmt.Sprintf("(%s) must be after start (%s): a window ends the day it starts; split one that crosses midnight in two", *w.End, *w.Start)}
		}
	}
	slices.SortStableFunc(spans, func(a, b span) int { return a.start - b.start })
	for k := 1; k < len(spans); k++ {
		prev, cur := spans[k-1], spans[k]
		if cur.start < prev.end {
			a, b := min(prev.i, cur.i), max(prev.i, cur.i)
			wa, wb := req.SpeedLimit[a], req.SpeedLimit[b]
			return nil, &InvalidError{Field: fmt.Sprintf("speed_limit[%d]", b),
				Rule: fmt.Sprintf("(%s-%s) overlaps speed_limit[%d] (%s-%s): windows may meet but not overlap",
					*wb.Start, *wb.End, a, *wa.Start, *wa.End)}
		}
	}
	return &req, nil
}

// MaxConfigSettings is how many options one UploadSpecialConfigurationSetting takes (0-10 items).
const MaxConfigSettings = 10

// ConfigurationRequest is UploadSpecialConfigurationSetting's body (ConfigurationRequestBody):
// each option replaces the task's option of the same key; the others stay.
type ConfigurationRequest struct {
	Configurations []ConfigSetting `json:"configurations" validate:"required,max=10,dive"`
}

// ConfigSetting is ConfigBody as UploadSpecialConfigurationSetting takes it and ShowConfigSetting
// answers it: a key of the documented enumeration and its value, both required in a request.
type ConfigSetting struct {
	ConfigKey    *string `json:"config_key,omitzero" validate:"required,config_key"`
	ConfigValue  *string `json:"config_value,omitzero" validate:"required,max=1024,text"`
	ConfigStatus *string `json:"config_status,omitzero" validate:"omitnil,max=255,text"`
}

func (*ConfigSetting) arrayItem()               {}
func (*ConfigurationRequest) operation() string { return "UploadSpecialConfigurationSetting" }

// DecodeConfigurations parses and validates an UploadSpecialConfigurationSetting body. A key may
// appear once: two values for it in one request leave which one wins unclear.
func (d *Decoder) DecodeConfigurations(data []byte) (*ConfigurationRequest, error) {
	var req ConfigurationRequest
	if err := d.Decode(data, &req); err != nil {
		return nil, err
	}
	for i, c := range req.Configurations {
		first := slices.IndexFunc(req.Configurations[:i], func(o ConfigSetting) bool { return *o.ConfigKey == *c.ConfigKey })
		if first >= 0 {
			return nil, &InvalidError{Field: fmt.Sprintf("configurations[%d].config_key", i),
				Rule: fmt.Sprintf("(%s) is configurations[%d]'s too: a key may appear once in a request", *c.ConfigKey, first)}
		}
	}
	return &req, nil
}

// ConfigSettingResponse is ShowConfigSetting's answer.
type ConfigSettingResponse struct {
	TaskID string `json:"task_id"`
	// MigrateType is left out for a task whose OS or migration type is not known.
	MigrateType    *string         `json:"migrate_type,omitzero"`
	Configurations []ConfigSetting `json:"configurations"`
}

// configSettingQuery holds ShowConfigSetting's query parameters.
type configSettingQuery struct {
	ConfigKey *string `json:"config_key" validate:"omitnil,config_key"`
}

// DecodeConfigSettingQuery parses ShowConfigSetting's raw query string: the one key it asks for,
// nil for all. A key outside the enumeration is refused, as UploadSpecialConfigurationSetting
// refuses it.
func (d *Decoder) DecodeConfigSettingQuery(rawQuery string) (*string, error) {
	params, err := QueryParams(rawQuery, "ShowConfigSetting", "config_key")
	if err != nil {
		return nil, err
	}
	var q configSettingQuery
	if key, ok := params["config_key"]; ok {
		q.ConfigKey = &key
	}
	if err := d.Validate(&q); err != nil {
		return nil, err
	}
	return q.ConfigKey, nil
}

// The migration methods ShowConfigSetting's migrate_type names.
const (
	WindowsMigrateBlock = "WINDOWS_MIGRATE_BLOCK"
	LinuxMigrateFile    = "LINUX_MIGRATE_FILE"
	LinuxMigrateBlock   = "LINUX_MIGRATE_BLOCK"
)

// MigrateType is the migration method of a task of the OS and type given: Windows migrates by
// block only; Linux by file or block as the task's type says. "" when it cannot tell.
func MigrateType(osType, taskType string) string {
	switch {
	case osType == "WINDOWS":
		return WindowsMigrateBlock
	case osType == "LINUX" && taskType == "MIGRATE_FILE":
		return LinuxMigrateFile
	case osType == "LINUX" && taskType == "MIGRATE_BLOCK":
		return LinuxMigrateBlock
	}
	return ""
}

// PassphraseResponse is ShowPassphrase's answer.
type PassphraseResponse struct {
	TaskID     string `json:"task_id"`
	Passphrase string `json:"passphrase"`
}

// CertKeyResponse is ShowCertKey's answer: PEM certificates and PKCS #8 private keys. CA is
// left out unless the query asks for it (enable_ca_cert=true).
type CertKeyResponse struct {
	Cert                 string  `json:"cert"`
	PrivateKey           string  `json:"private_key"`
	CA                   *string `json:"ca,omitzero"`
	TargetMgmtCert       string  `json:"target_mgmt_cert"`
	TargetMgmtPrivateKey string  `json:"target_mgmt_private_key"`
	TargetDataCert       string  `json:"target_data_cert"`
	TargetDataPrivateKey string  `json:"target_data_private_key"`
}

// DecodeCertKeyQuery parses ShowCertKey's raw query string: whether it asks for the CA
// certificate (enable_ca_cert, a Boolean, false when absent, as the newest pages default it).
func (d *Decoder) DecodeCertKeyQuery(rawQuery string) (enableCA bool, err error) {
	params, err := QueryParams(rawQuery, "ShowCertKey", "enable_ca_cert")
	if err != nil {
		return false, err
	}
	switch v, ok := params["enable_ca_cert"]; {
	case !ok || v == "false":
		return false, nil
	case v == "true":
		return true, nil
	}
	return false, &InvalidError{Field: "enable_ca_cert", Rule: "must be true or false"}
}
