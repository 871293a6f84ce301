package sms

import (
	"unicode"
)

// CreateMigprojectRequest is the body of POST /v3/migprojects (PostMigProjectBody), with the
// newest page's limits: name, region and type are mandatory, the rest take their defaults.
type CreateMigprojectRequest struct {
	Name              *string `json:"name" validate:"required,min=1,max=100,project_name"`
	Description       *string `json:"description" validate:"omitnil,max=255,text"`
	Isdefault         *bool   `json:"isdefault"`
	Region            *string `json:"region" validate:"required,max=100,text"`
	StartTargetServer *bool   `json:"start_target_server"`
	SpeedLimit        *int32  `json:"speed_limit" validate:"omitnil,min=0,max=1000"`
	UsePublicIP       *bool   `json:"use_public_ip"`
	ExistServer       *bool   `json:"exist_server"`
	Type              *string `json:"type" validate:"required,task_type"`
	EnterpriseProject *string `json:"enterprise_project" validate:"omitnil,max=255,text"`
	Syncing           *bool   `json:"syncing"`
	StartNetworkCheck *bool   `json:"start_network_check"`
}

// UpdateMigprojectRequest is the body of PUT /v3/migprojects/{mig_project_id} (MigProject):
// every field optional, a field absent (or null) left as it is.
type UpdateMigprojectRequest struct {
	Name              *string `json:"name" validate:"omitnil,min=1,max=100,project_name"`
	Description       *string `json:"description" validate:"omitnil,max=255,text"`
	Isdefault         *bool   `json:"isdefault"`
	Region            *string `json:"region" validate:"omitnil,max=255,text"`
	StartTargetServer *bool   `json:"start_target_server"`
	SpeedLimit        *int32  `json:"speed_limit" validate:"omitnil,min=0,max=1000"`
	UsePublicIP       *bool   `json:"use_public_ip"`
	ExistServer       *bool   `json:"exist_server"`
	Type              *string `json:"type" validate:"omitnil,task_type"`
	EnterpriseProject *string `json:"enterprise_project" validate:"omitnil,max=255,text"`
	Syncing           *bool   `json:"syncing"`
	StartNetworkCheck *bool   `json:"start_network_check"`
}

// UpdateDefaultMigprojectRequest is the body PUT /v3/migprojects/{mig_project_id}/default may
// carry: none, or {} (Terraform's).
type UpdateDefaultMigprojectRequest struct{}

func (*CreateMigprojectRequest) operation() string        { return "CreateMigproject" }
func (*UpdateMigprojectRequest) operation() string        { return "UpdateMigproject" }
func (*UpdateDefaultMigprojectRequest) operation() string { return "UpdateDefaultMigproject" }

// Migproject is a migration project as ListMigprojects and ShowMigproject answer it
// (MigprojectsResponseBody; ShowMigproject's newest page leaves out id, which smslab keeps), and
// as a seed file's migprojects hold it. Every field but id has a value.
type Migproject struct {
	ID                *string `json:"id,omitzero" validate:"required,task_id"`
	Name              *string `json:"name,omitzero" validate:"required,min=1,max=100,project_name"`
	Description       *string `json:"description,omitzero" validate:"omitnil,max=255,text"`
	Isdefault         *bool   `json:"isdefault,omitzero"`
	Region            *string `json:"region,omitzero" validate:"omitnil,max=255,text"`
	StartTargetServer *bool   `json:"start_target_server,omitzero"`
	// SpeedLimit keeps the list item's older bound, 10000, so that an export loads.
	SpeedLimit        *int32  `json:"speed_limit,omitzero" validate:"omitnil,min=0,max=10000"`
	UsePublicIP       *bool   `json:"use_public_ip,omitzero"`
	ExistServer       *bool   `json:"exist_server,omitzero"`
	Type              *string `json:"type,omitzero" validate:"omitnil,task_type"`
	EnterpriseProject *string `json:"enterprise_project,omitzero" validate:"omitnil,max=255,text"`
	Syncing           *bool   `json:"syncing,omitzero"`
	StartNetworkCheck *bool   `json:"start_network_check,omitzero"`
}

// ListMigprojectsResponse is the body of GET /v3/migprojects.
type ListMigprojectsResponse struct {
	Count       int64        `json:"count"`
	Migprojects []Migproject `json:"migprojects"`
}

// PageQuery is the limit and offset of a list whose documented bounds are limit 0 to 100
// (default 50) and offset 0 to 65535 (ListMigprojects, ListErrorServers).
type PageQuery struct {
	Limit  int32 `json:"limit" validate:"min=0,max=100"`
	Offset int32 `json:"offset" validate:"min=0,max=65535"`
}

// DefaultPageLimit is the limit of ListMigprojects and ListErrorServers when the query gives none.
const DefaultPageLimit = 50

// DecodeListMigprojectsQuery parses and validates the query of GET /v3/migprojects.
func (d *Decoder) DecodeListMigprojectsQuery(rawQuery string) (*PageQuery, error) {
	params, err := QueryParams(rawQuery, "ListMigprojects", "limit", "offset")
	if err != nil {
		return nil, err
	}
	q := &PageQuery{Limit: DefaultPageLimit}
	if err := setInt32s(params, map[string]*int32{"limit": &q.Limit, "offset": &q.Offset}); err != nil {
		return nil, err
	}
	return q, d.Validate(q)
}

// isProjectName reports whether a project name holds only letters, digits, '_' and '-', as the
// newest ShowMigproject and UpdateMigproject pages say (letters of any script: the SDK's own
// text allows Chinese characters).
func isProjectName(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' && r != '-' {
			return false
		}
	}
	return true
}
