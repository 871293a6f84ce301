package sms

import (
	"errors"
	"maps"
	"slices"
	"strconv"
	"unicode"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// TemplateRequest is the API's TemplateRequest: a server template (the target server SMS creates) as
// CreateTemplate and UpdateTemplate take it, with the newest limits: only name is mandatory.
// Fields records which members the body named, so that UpdateTemplate leaves the others alone.
type TemplateRequest struct {
	Name             *string         `json:"name" validate:"required,min=1,max=64,template_name"`
	IsTemplate       *bool           `json:"is_template"`
	Region           *string         `json:"region" validate:"omitnil,max=255,text"`
	Projectid        *string         `json:"projectid" validate:"omitnil,max=255,text"`
	TargetServerName *string         `json:"target_server_name" validate:"omitnil,max=255,text"`
	AvailabilityZone *string         `json:"availability_zone" validate:"omitnil,max=255,text"`
	Volumetype       *string         `json:"volumetype" validate:"omitnil,max=255,text"`
	Flavor           *string         `json:"flavor" validate:"omitnil,max=255,text"`
	Vpc              *VpcObject      `json:"vpc"`
	Nics             []Nic           `json:"nics" validate:"max=65535,dive"`
	SecurityGroups   []SecurityGroup `json:"security_groups" validate:"max=65535,dive"`
	Publicip         *PublicIP       `json:"publicip"`
	Disk             []TemplateDisk  `json:"disk" validate:"max=65535,dive"`
	DataVolumeType   *string         `json:"data_volume_type" validate:"omitnil,max=255,text"`
	TargetPassword   *string         `json:"target_password" validate:"omitnil,max=255,text"`
	ImageID          *string         `json:"image_id" validate:"omitnil,max=255,text"`

	// Fields holds the names of the members the template object contained.
	Fields map[string]bool `json:"-"`
}

// Has reports whether the template object named the field, with a value or with null.
func (r *TemplateRequest) Has(field string) bool { return r.Fields[field] }

// CreateTemplateRequest is the body of POST /v3/vm/templates (CreateTemplateReq).
type CreateTemplateRequest struct {
	Template *TemplateRequest `json:"template" validate:"required"`
}

// UpdateTemplateRequest is the body of PUT /v3/vm/templates/{id} (UpdateTemplateReq). The
// template is optional: without one nothing changes.
type UpdateTemplateRequest struct {
	Template *TemplateRequest `json:"template"`
}

// DeleteTemplatesRequest is the body of POST /v3/vm/templates/delete (DeletetemplatesReq).
type DeleteTemplatesRequest struct {
	IDs []string `json:"ids" validate:"required,min=1,max=50,dive,task_id"`
}

// Template is TemplateResponseBody: a server template as ShowTemplate and ListTemplates show it,
// and as a seed file holds it. is_template is a String here, "true" or "false", where requests
// send a Boolean. A seed file's templates keep the response's limits (names of 1 to 255
// characters of any text), so that templates exported from the real service load.
type Template struct {
	ID               *string         `json:"id,omitzero" validate:"required,task_id"`
	Name             *string         `json:"name,omitzero" validate:"required,min=1,max=255,text"`
	IsTemplate       *string         `json:"is_template,omitzero" validate:"omitnil,is_template"`
	Region           *string         `json:"region,omitzero" validate:"omitnil,max=255,text"`
	Projectid        *string         `json:"projectid,omitzero" validate:"omitnil,max=255,text"`
	TargetServerName *string         `json:"target_server_name,omitzero" validate:"omitnil,max=255,text"`
	AvailabilityZone *string         `json:"availability_zone,omitzero" validate:"omitnil,max=255,text"`
	Volumetype       *string         `json:"volumetype,omitzero" validate:"omitnil,max=255,text"`
	Flavor           *string         `json:"flavor,omitzero" validate:"omitnil,max=255,text"`
	Vpc              *VpcObject      `json:"vpc,omitzero"`
	Nics             []Nic           `json:"nics,omitzero" validate:"max=65535,dive"`
	SecurityGroups   []SecurityGroup `json:"security_groups,omitzero" validate:"max=65535,dive"`
	Publicip         *PublicIP       `json:"publicip,omitzero"`
	Disk             []TemplateDisk  `json:"disk,omitzero" validate:"max=65535,dive"`
	DataVolumeType   *string         `json:"data_volume_type,omitzero" validate:"omitnil,max=255,text"`
	TargetPassword   *string         `json:"target_password,omitzero" validate:"omitnil,max=255,text"`
	ImageID          *string         `json:"image_id,omitzero" validate:"omitnil,max=255,text"`
}

// VpcObject is the template's VPC; an id of "autoCreate" asks SMS to create one.
type VpcObject struct {
	ID   *string `json:"id,omitzero" validate:"omitnil,max=255,text"`
	Name *string `json:"name,omitzero" validate:"omitnil,max=255,text"`
	Cidr *string `json:"cidr,omitzero" validate:"omitnil,max=255,text"`
}

// Nic is Nics: a subnet of the template; an id of "autoCreate" asks SMS to create one. The SDK
// makes cidr mandatory, but an automatically created subnet has none to give (Huawei's Terraform
// provider sends {id, name} for it), so cidr is optional here.
type Nic struct {
	ID   *string `json:"id,omitzero" validate:"required,max=255,text"`
	Name *string `json:"name,omitzero" validate:"required,max=255,text"`
	Cidr *string `json:"cidr,omitzero" validate:"omitnil,max=255,text"`
	IP   *string `json:"ip,omitzero" validate:"omitnil,max=255,text"`
}

// SecurityGroup is SgObject: a security group of the template; an id of "autoCreate" asks SMS
// to create one.
type SecurityGroup struct {
	ID   *string `json:"id,omitzero" validate:"required,max=255,text"`
	Name *string `json:"name,omitzero" validate:"required,max=255,text"`
}

// PublicIP is PublicIp: the EIP of the target server. bandwidth_size is in Mbit/s, 1 to 2000 as
// the EIP service sells them.
type PublicIP struct {
	Type               *string `json:"type,omitzero" validate:"required,max=255,text"`
	BandwidthSize      *int32  `json:"bandwidth_size,omitzero" validate:"required,min=1,max=2000"`
	BandwidthShareType *string `json:"bandwidth_share_type,omitzero" validate:"omitnil,max=255,text"`
}

// TemplateDisk is a disk of the template: index counts from 0, size is in GB.
type TemplateDisk struct {
	ID        *int64  `json:"id,omitzero" validate:"omitnil,min=0"`
	Index     *int32  `json:"index,omitzero" validate:"required,min=0"`
	Name      *string `json:"name,omitzero" validate:"required,max=255,text"`
	Disktype  *string `json:"disktype,omitzero" validate:"required,max=255,text"`
	Size      *int64  `json:"size,omitzero" validate:"required,min=0"`
	DeviceUse *string `json:"device_use,omitzero" validate:"omitnil,max=255,text"`
}

func (*Template) arrayItem()      {}
func (*Nic) arrayItem()           {}
func (*SecurityGroup) arrayItem() {}
func (*TemplateDisk) arrayItem()  {}

// AutoCreate is the id by which a template's VPC, subnet or security group asks SMS to create one.
const AutoCreate = "autoCreate"

// isTemplateName reports whether s holds only what a template name may: Chinese characters,
// letters, digits, underscores and hyphens (the letters and digits of ASCII, as the console's
// rule reads).
func isTemplateName(s string) bool {
	for _, r := range s {
		switch {
		case r == '_', r == '-', r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)), unicode.Is(unicode.Han, r):
		default:
			return false
		}
	}
	return true
}

func (*CreateTemplateRequest) operation() string  { return "CreateTemplate" }
func (*UpdateTemplateRequest) operation() string  { return "UpdateTemplate" }
func (*DeleteTemplatesRequest) operation() string { return "DeleteTemplates" }

// DecodeCreateTemplate parses and validates a CreateTemplate body.
func (d *Decoder) DecodeCreateTemplate(data []byte) (*TemplateRequest, error) {
	var req CreateTemplateRequest
	if err := d.Decode(data, &req); err != nil {
		return nil, err
	}
	if err := req.Template.checkAutoCreate(); err != nil {
		return nil, err
	}
	return req.Template, nil
}

// DecodeUpdateTemplate parses and validates an UpdateTemplate body, recording which members its
// template named. It returns nil when the body holds no template (absent or null).
func (d *Decoder) DecodeUpdateTemplate(data []byte) (*TemplateRequest, error) {
	var req UpdateTemplateRequest
	if err := d.Decode(data, &req); err != nil {
		return nil, err
	}
	if req.Template == nil {
		return nil, nil
	}
	// The body decoded strictly above, so its template member is one valid JSON object.
	var raw struct {
		Template jsontext.Value `json:"template"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, jsonError(err, "request body")
	}
	fields, err := topLevelNames(raw.Template)
	if err != nil {
		return nil, jsonError(err, "request body")
	}
	t := req.Template
	t.Fields = fields
	// Every template has a name, and is or is not a general template: neither can be cleared.
	if t.Has("is_template") && t.IsTemplate == nil {
		return nil, &InvalidError{Field: "template.is_template", Rule: "must not be null"}
	}
	if err := t.checkAutoCreate(); err != nil {
		return nil, err
	}
	return t, nil
}

// checkAutoCreate holds the template to the API's rule for automatic creation: a subnet or
// security group list that asks for one ("autoCreate") holds only that one.
func (r *TemplateRequest) checkAutoCreate() error {
	nicIDs := make([]*string, len(r.Nics))
	for i, n := range r.Nics {
		nicIDs[i] = n.ID
	}
	sgIDs := make([]*string, len(r.SecurityGroups))
	for i, sg := range r.SecurityGroups {
		sgIDs[i] = sg.ID
	}
	for _, list := range []struct {
		field string
		ids   []*string
	}{{"template.nics", nicIDs}, {"template.security_groups", sgIDs}} {
		if len(list.ids) < 2 {
			continue
		}
		for i, id := range list.ids {
			if *id == AutoCreate {
				return &InvalidError{
					Field: list.field + "[" + strconv.Itoa(i) + "].id",
					Rule:  "is autoCreate in a list of " + strconv.Itoa(len(list.ids)) + ": one created automatically must be the only one",
				}
			}
		}
	}
	return nil
}

// DecodeDeleteTemplates parses and validates a DeleteTemplates body. It returns the ids with
// repeats left out, in the order they first appear.
func (d *Decoder) DecodeDeleteTemplates(data []byte) ([]string, error) {
	var req DeleteTemplatesRequest
	if err := d.Decode(data, &req); err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(req.IDs))
	for _, id := range req.IDs {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// ListTemplatesQuery holds the query parameters of GET /v3/vm/templates. Filters are exact
// matches; a nil filter, or an empty name, availability zone or region, does not filter.
type ListTemplatesQuery struct {
	Name             *string `json:"name" validate:"omitnil,max=255,text"`
	AvailabilityZone *string `json:"availability_zone" validate:"omitnil,max=255,text"`
	Region           *string `json:"region" validate:"omitnil,max=255,text"`
	ID               *string `json:"id" validate:"omitnil,task_id"`
	Limit            int32   `json:"limit" validate:"min=0,max=100"`
	Offset           int32   `json:"offset" validate:"min=0,max=65535"`
}

// DefaultTemplatesLimit is ListTemplates' page size when the query gives none.
const DefaultTemplatesLimit = 50

// DecodeListTemplatesQuery parses and validates the raw query string of ListTemplates; unknown
// and repeated parameters are refused, as for ListTasks.
func (d *Decoder) DecodeListTemplatesQuery(rawQuery string) (*ListTemplatesQuery, error) {
	params, err := QueryParams(rawQuery, "ListTemplates", "name", "availability_zone", "region",
		"id", "limit", "offset")
	if err != nil {
		return nil, err
	}
	q := &ListTemplatesQuery{Limit: DefaultTemplatesLimit}
	for _, name := range slices.Sorted(maps.Keys(params)) {
		val := params[name]
		switch name {
		case "name":
			q.Name = nonEmpty(val)
		case "availability_zone":
			q.AvailabilityZone = nonEmpty(val)
		case "region":
			q.Region = nonEmpty(val)
		case "id":
			q.ID = &val
		case "limit", "offset":
			// Out of int32's range comes back clamped, which the bounds then refuse by name.
			n, err := strconv.ParseInt(val, 10, 32)
			if err != nil && !errors.Is(err, strconv.ErrRange) {
				return nil, &InvalidError{Field: name, Rule: "must be an Integer"}
			}
			if name == "limit" {
				q.Limit = int32(n)
			} else {
				q.Offset = int32(n)
			}
		}
	}
	if err := d.Validate(q); err != nil {
		return nil, err
	}
	return q, nil
}

// CheckSeedTemplates refuses a seed file's templates if two have the same id or the same name,
// naming the later one: an import would store one over the other, or fail half-way.
func CheckSeedTemplates(templates []Template) error {
	ids := make(map[string]int, len(templates))
	names := make(map[string]int, len(templates))
	for i, t := range templates {
		for _, key := range []struct {
			field string
			seen  map[string]int
			value string
		}{{"id", ids, *t.ID}, {"name", names, *t.Name}} {
			if first, dup := key.seen[key.value]; dup {
				return &InvalidError{
					Field: "templates[" + strconv.Itoa(i) + "]." + key.field,
					Rule:  "repeats the " + key.field + " of templates[" + strconv.Itoa(first) + "] (" + key.value + ")",
				}
			}
			key.seen[key.value] = i
		}
	}
	return nil
}
