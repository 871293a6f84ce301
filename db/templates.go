package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"smslab/sms"
)

// Server templates are rows of the templates table (queries/templates.sql), nested objects as
// JSON text. A template is bound to the tasks whose vm_template_id names it: while one does, it
// answers is_template "false" and cannot be deleted. So CreateTask binds a template by storing its
// id in the new task's vm_template_id, after loadTemplate has found it in the same write.

// TemplatePage is a page of ListTemplates and the number of templates matching its filters.
type TemplatePage struct {
	Count     int64
	Templates []sms.Template
}

// ListTemplates returns the templates matching every filter of q, newest first then by id,
// paged by q.Limit and q.Offset, with the number of matching templates, both from one state of
// the database.
func (s *Store) ListTemplates(ctx context.Context, q *sms.ListTemplatesQuery) (TemplatePage, error) {
	page, err := s.listTemplates(ctx, q)
	if err != nil {
		return TemplatePage{}, s.readError(err)
	}
	return page, nil
}

func (s *Store) listTemplates(ctx context.Context, q *sms.ListTemplatesQuery) (TemplatePage, error) {
	tx, err := s.reader.BeginTx(ctx, nil)
	if err != nil {
		return TemplatePage{}, err
	}
	defer tx.Rollback()
	qtx := s.readQueries.WithTx(tx)
	rows, err := qtx.ListTemplates(ctx, ListTemplatesParams{
		ID: q.ID, Name: q.Name, AvailabilityZone: q.AvailabilityZone, Region: q.Region,
		Limit: int64(q.Limit), Offset: int64(q.Offset),
	})
	if err != nil {
		return TemplatePage{}, err
	}
	count, err := qtx.CountTemplates(ctx, CountTemplatesParams{
		ID: q.ID, Name: q.Name, AvailabilityZone: q.AvailabilityZone, Region: q.Region,
	})
	if err != nil {
		return TemplatePage{}, err
	}
	page := TemplatePage{Count: count, Templates: make([]sms.Template, 0, len(rows))}
	for _, row := range rows {
		v, err := templateView(row.Template, row.Bound)
		if err != nil {
			return TemplatePage{}, err
		}
		page.Templates = append(page.Templates, v)
	}
	return page, nil
}

// GetTemplate returns the template with the given id as ShowTemplate shows it.
func (s *Store) GetTemplate(ctx context.Context, id string) (sms.Template, error) {
	row, err := loadTemplate(ctx, s.readQueries, id)
	if errors.Is(err, ErrTemplateNotFound) {
		return sms.Template{}, err
	}
	if err != nil {
		return sms.Template{}, s.readError(err)
	}
	return templateView(row.Template, row.Bound)
}

// loadTemplate reads the template with the given id, and whether a task is bound to it; a
// *TemplateNotFoundError if there is none.
func loadTemplate(ctx context.Context, q *Queries, id string) (GetTemplateRow, error) {
	row, err := q.GetTemplate(ctx, id)
	if errors.Is(err, sql.ErrNoRows) {
		return GetTemplateRow{}, &TemplateNotFoundError{ID: id}
	}
	return row, err
}

// CreateTemplate stores a new template and returns its id, a new UUID. A name another template
// holds is a *ConflictError.
func (s *Store) CreateTemplate(ctx context.Context, req *sms.TemplateRequest) (string, error) {
	t := Template{ID: sms.NewID(), IsTemplate: true, CreateDate: s.Now().UnixMilli()}
	if err := setTemplateFields(&t, req, func(string) bool { return true }); err != nil {
		return "", err
	}
	err := s.committer.write(ctx, inSavepoint, func(ctx context.Context, tx *writeTx) error {
		return storeTemplate(ctx, tx.Queries, t)
	})
	if err != nil {
		return "", err
	}
	return t.ID, nil
}

// UpdateTemplate applies the fields req names to the stored template with the given id: a field
// named replaces the stored value (null clears it; a nested object or array is replaced whole),
// any other is left as it is. A nil req changes nothing, but the template must exist.
func (s *Store) UpdateTemplate(ctx context.Context, id string, req *sms.TemplateRequest) error {
	return s.committer.write(ctx, inSavepoint, func(ctx context.Context, tx *writeTx) error {
		row, err := loadTemplate(ctx, tx.Queries, id)
		if err != nil || req == nil {
			return err
		}
		t := row.Template
		if err := setTemplateFields(&t, req, req.Has); err != nil {
			return err
		}
		return storeTemplate(ctx, tx.Queries, t)
	})
}

// DeleteTemplate deletes the template with the given id, unless a task is bound to it.
func (s *Store) DeleteTemplate(ctx context.Context, id string) error {
	return s.committer.write(ctx, inSavepoint, func(ctx context.Context, tx *writeTx) error {
		return removeTemplate(ctx, tx.Queries, id)
	})
}

// DeleteTemplates deletes the templates with the given ids, all or none: the first that cannot be
// deleted, in the order given, fails the whole write (unknown, or bound to a task).
func (s *Store) DeleteTemplates(ctx context.Context, ids []string) error {
	return s.committer.write(ctx, inSavepoint, func(ctx context.Context, tx *writeTx) error {
		for _, id := range ids {
			if err := removeTemplate(ctx, tx.Queries, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// removeTemplate deletes one template inside a write, whose savepoint undoes it if a task turns
// out to be bound to the template.
func removeTemplate(ctx context.Context, q *Queries, id string) error {
	n, err := q.DeleteTemplate(ctx, id)
	if err != nil {
		return err
	}
	if n == 0 {
		return &TemplateNotFoundError{ID: id}
	}
	task, err := q.GetTemplateTask(ctx, &id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return &ConflictError{Reason: fmt.Sprintf("The template %s is used by task %s (%s): a template a task uses cannot be deleted.",
		id, task.ID, task.State)}
}

// ImportTemplates stores templates from a seed file, replacing any template with the same id,
// all or nothing.
func (s *Store) ImportTemplates(ctx context.Context, templates []sms.Template) error {
	now := s.Now().UnixMilli()
	return s.committer.write(ctx, inSavepoint, func(ctx context.Context, tx *writeTx) error {
		return importTemplates(ctx, tx.Queries, templates, now)
	})
}

// importTemplates upserts templates through q at time now (epoch ms). The first is the newest,
// a millisecond apart from the next, so that a saved ListTemplates answer loads in its order.
func importTemplates(ctx context.Context, q *Queries, templates []sms.Template, now int64) error {
	for i, v := range templates {
		isTemplate := v.IsTemplate == nil || *v.IsTemplate == "true"
		req := sms.TemplateRequest{
			Name: v.Name, IsTemplate: &isTemplate, Region: v.Region, Projectid: v.Projectid,
			TargetServerName: v.TargetServerName, AvailabilityZone: v.AvailabilityZone,
			Volumetype: v.Volumetype, Flavor: v.Flavor, Vpc: v.Vpc, Nics: v.Nics,
			SecurityGroups: v.SecurityGroups, Publicip: v.Publicip, Disk: v.Disk,
			DataVolumeType: v.DataVolumeType, TargetPassword: v.TargetPassword, ImageID: v.ImageID,
		}
		t := Template{ID: *v.ID, CreateDate: now - int64(i)}
		err := setTemplateFields(&t, &req, func(string) bool { return true })
		if err == nil {
			err = storeTemplate(ctx, q, t)
		}
		if err != nil {
			return fmt.Errorf("template %s: %w", t.ID, err)
		}
	}
	return nil
}

// storeTemplate writes t, unless another template holds its name.
func storeTemplate(ctx context.Context, q *Queries, t Template) error {
	holder, err := q.GetTemplateIDByName(ctx, t.Name)
	switch {
	case err == nil && holder != t.ID:
		return &ConflictError{Reason: fmt.Sprintf("The template name %s is taken by template %s: template names are unique.", t.Name, holder)}
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return err
	}
	return q.UpsertTemplate(ctx, UpsertTemplateParams(t))
}

// setTemplateFields copies into t the fields of req for which has is true.
func setTemplateFields(t *Template, req *sms.TemplateRequest, has func(field string) bool) error {
	set := func(field string, apply func()) {
		if has(field) {
			apply()
		}
	}
	// The decoder refuses a request without a name, and an update that clears is_template.
	set("name", func() { t.Name = *req.Name })
	set("is_template", func() {
		if req.IsTemplate != nil {
			t.IsTemplate = *req.IsTemplate
		}
	})
	set("region", func() { t.Region = req.Region })
	set("projectid", func() { t.Projectid = req.Projectid })
	set("target_server_name", func() { t.TargetServerName = req.TargetServerName })
	set("availability_zone", func() { t.AvailabilityZone = req.AvailabilityZone })
	set("volumetype", func() { t.Volumetype = req.Volumetype })
	set("flavor", func() { t.Flavor = req.Flavor })
	set("data_volume_type", func() { t.DataVolumeType = req.DataVolumeType })
	set("target_password", func() { t.TargetPassword = req.TargetPassword })
	set("image_id", func() { t.ImageID = req.ImageID })
	var err error
	setJSON := func(field string, dst **string, encode func() (*string, error)) {
		if has(field) && err == nil {
			*dst, err = encode()
		}
	}
	setJSON("vpc", &t.Vpc, func() (*string, error) { return objectJSON(req.Vpc) })
	setJSON("nics", &t.Nics, func() (*string, error) { return arrayJSON(req.Nics) })
	setJSON("security_groups", &t.SecurityGroups, func() (*string, error) { return arrayJSON(req.SecurityGroups) })
	setJSON("publicip", &t.Publicip, func() (*string, error) { return objectJSON(req.Publicip) })
	setJSON("disk", &t.Disk, func() (*string, error) { return arrayJSON(req.Disk) })
	return err
}

// templateView projects a stored template into the ShowTemplate shape. is_template is "true"
// for a general template no task is bound to, else "false".
func templateView(t Template, bound bool) (sms.Template, error) {
	isTemplate := "false"
	if t.IsTemplate && !bound {
		isTemplate = "true"
	}
	v := sms.Template{
		ID: &t.ID, Name: &t.Name, IsTemplate: &isTemplate, Region: t.Region, Projectid: t.Projectid,
		TargetServerName: t.TargetServerName, AvailabilityZone: t.AvailabilityZone,
		Volumetype: t.Volumetype, Flavor: t.Flavor, DataVolumeType: t.DataVolumeType,
		TargetPassword: t.TargetPassword, ImageID: t.ImageID,
	}
	err := firstError(
		loadJSON(t.Vpc, &v.Vpc),
		loadJSON(t.Nics, &v.Nics),
		loadJSON(t.SecurityGroups, &v.SecurityGroups),
		loadJSON(t.Publicip, &v.Publicip),
		loadJSON(t.Disk, &v.Disk),
	)
	if err != nil {
		return sms.Template{}, fmt.Errorf("template %s: %w", t.ID, err)
	}
	return v, nil
}
