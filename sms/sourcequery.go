package sms

import (
	"maps"
	"slices"
	"strings"
)

// ListServersQuery holds the query parameters of GET /v3/sources. Filters are exact matches
// that combine with AND; a nil filter, or an empty text one, does not filter.
type ListServersQuery struct {
	State                    *string `json:"state" validate:"omitnil,source_state_filter"`
	Name                     *string `json:"name" validate:"omitnil,max=255,text"`
	ID                       *string `json:"id" validate:"omitnil,max=255,text"`
	IP                       *string `json:"ip" validate:"omitnil,max=255,text"`
	IPv6                     *string `json:"ipv6" validate:"omitnil,max=255,text"`
	Migproject               *string `json:"migproject" validate:"omitnil,max=255,text"`
	Limit                    int32   `json:"limit" validate:"min=0,max=200"`
	Offset                   int32   `json:"offset" validate:"min=0,max=65535"`
	MigrationCycle           *string `json:"migration_cycle" validate:"omitnil,migration_cycle"`
	Connected                *bool   `json:"connected"`
	EnterpriseProjectID      *string `json:"enterprise_project_id" validate:"omitnil,max=255,text"`
	IsConsistencyResultExist *bool   `json:"is_consistency_result_exist"`
	VMID                     *string `json:"vm_id" validate:"omitnil,max=255,text"`
}

// DefaultServersLimit is ListServers' page size when the query gives none, or 0 ("0 means the
// default 200").
const DefaultServersLimit = 200

// DecodeListServersQuery parses and validates the query of GET /v3/sources. Unknown and
// repeated parameters are refused, as for ListTasks.
func (d *Decoder) DecodeListServersQuery(rawQuery string) (*ListServersQuery, error) {
	params, err := QueryParams(rawQuery, "ListServers", "state", "name", "id", "ip", "ipv6",
		"migproject", "limit", "offset", "migration_cycle", "connected", "enterprise_project_id",
		"is_consistency_result_exist", "vm_id")
	if err != nil {
		return nil, err
	}
	q := &ListServersQuery{}
	text := map[string]**string{"name": &q.Name, "id": &q.ID, "ip": &q.IP, "ipv6": &q.IPv6,
		"migproject": &q.Migproject, "enterprise_project_id": &q.EnterpriseProjectID, "vm_id": &q.VMID}
	for _, name := range slices.Sorted(maps.Keys(params)) {
		val := params[name]
		switch name {
		case "state":
			q.State = &val
		case "migration_cycle":
			q.MigrationCycle = &val
		case "connected":
			if q.Connected, err = parseBool(name, val); err != nil {
				return nil, err
			}
		case "is_consistency_result_exist":
			if q.IsConsistencyResultExist, err = parseBool(name, val); err != nil {
				return nil, err
			}
		default:
			if dst, ok := text[name]; ok {
				*dst = nonEmpty(val)
			}
		}
	}
	if err := setInt32s(params, map[string]*int32{"limit": &q.Limit, "offset": &q.Offset}); err != nil {
		return nil, err
	}
	if err := d.Validate(q); err != nil {
		return nil, err
	}
	if q.Limit == 0 {
		q.Limit = DefaultServersLimit
	}
	return q, nil
}

// ListErrorServersQuery holds the query parameters of GET /v3/errors. offset is mandatory, as
// the page says (the SDK always sends it).
type ListErrorServersQuery struct {
	Limit               int32   `json:"limit" validate:"min=0,max=100"`
	Offset              *int32  `json:"offset" validate:"required,min=0,max=65535"`
	EnterpriseProjectID *string `json:"enterprise_project_id" validate:"omitnil,max=255,text"`
}

// DecodeListErrorServersQuery parses and validates the query of GET /v3/errors.
func (d *Decoder) DecodeListErrorServersQuery(rawQuery string) (*ListErrorServersQuery, error) {
	params, err := QueryParams(rawQuery, "ListErrorServers", "limit", "offset", "enterprise_project_id")
	if err != nil {
		return nil, err
	}
	q := &ListErrorServersQuery{Limit: DefaultPageLimit, EnterpriseProjectID: nonEmpty(params["enterprise_project_id"])}
	var offset int32
	if err := setInt32s(params, map[string]*int32{"limit": &q.Limit, "offset": &offset}); err != nil {
		return nil, err
	}
	if _, ok := params["offset"]; ok {
		q.Offset = &offset
	}
	return q, d.Validate(q)
}

// DecodeUpdateCopyState parses an UpdateCopyState body. Both values are taken in any case and
// answered in lower case; the copystate init is the state initialize.
func (d *Decoder) DecodeUpdateCopyState(data []byte) (*UpdateCopyStateRequest, error) {
	var req UpdateCopyStateRequest
	if err := d.Decode(data, &req); err != nil {
		return nil, err
	}
	*req.Copystate = strings.ToLower(*req.Copystate)
	*req.Migrationcycle = strings.ToLower(*req.Migrationcycle)
	return &req, nil
}
