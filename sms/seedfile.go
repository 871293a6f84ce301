package sms

import (
	"bytes"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/go-json-experiment/json/jsontext"
)

// SeedFile is a seed file: a lab's state as smslab loads it at start. Each array has the shape
// of its list response's items (ListMigprojects, ListTemplates, ListTasks), but sources, whose ListServers items
// are too thin to make a source again, take ShowServer's shape. A saved ListTasks answer,
// {"count": N, "tasks": [...]}, is one; count is ignored.
type SeedFile struct {
	Count       int64        `json:"count,omitzero"`
	Migprojects []Migproject `json:"migprojects,omitzero" validate:"max=65535,dive"`
	Sources     []Source     `json:"sources,omitzero" validate:"max=65535,dive"`
	Templates   []Template   `json:"templates,omitzero" validate:"max=65535,dive"`
	Tasks       []Task       `json:"tasks,omitzero" validate:"max=65535,dive"`
}

// SeedArrays are the arrays a seed file loads, in the order it loads them: a source names its
// project, a task its source.
var SeedArrays = []string{"migprojects", "sources", "templates", "tasks"}

// UnknownMembers returns the JSON paths (tasks[3].nmae) of the members of the objects in data,
// a valid JSON document, that v's type (a pointer to one of this package's types) does not know
// and a decoder therefore ignores, in document order.
func UnknownMembers(data []byte, v any) ([]string, error) {
	var unknown []string
	dec := jsontext.NewDecoder(bytes.NewReader(data))
	err := walkMembers(dec, reflect.TypeOf(v), "", &unknown)
	return unknown, err
}

// walkMembers reads the next value from dec, noting the members its type t does not know.
func walkMembers(dec *jsontext.Decoder, t reflect.Type, path string, unknown *[]string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case dec.PeekKind() == '{' && t.Kind() == reflect.Struct:
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
		fields := jsonFields(t)
		for dec.PeekKind() != '}' {
			tok, err := dec.ReadToken()
			if err != nil {
				return err
			}
			name := tok.String()
			member := name
			if path != "" {
				member = path + "." + name
			}
			ft, ok := fields[name]
			if !ok {
				*unknown = append(*unknown, member)
				if err := dec.SkipValue(); err != nil {
					return err
				}
				continue
			}
			if err := walkMembers(dec, ft, member, unknown); err != nil {
				return err
			}
		}
		_, err := dec.ReadToken()
		return err
	case dec.PeekKind() == '[' && t.Kind() == reflect.Slice:
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
		for i := 0; dec.PeekKind() != ']'; i++ {
			if err := walkMembers(dec, t.Elem(), path+"["+strconv.Itoa(i)+"]", unknown); err != nil {
				return err
			}
		}
		_, err := dec.ReadToken()
		return err
	}
	return dec.SkipValue()
}

var fieldCache sync.Map // reflect.Type -> map[string]reflect.Type

// jsonFields maps the JSON names of struct type t's fields to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	if f, ok := fieldCache.Load(t); ok {
		return f.(map[string]reflect.Type)
	}
	fields := map[string]reflect.Type{}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields[name] = f.Type
	}
	fieldCache.Store(t, fields)
	return fields
}

// TopLevelNames returns the member names of the JSON object in data, in document order.
func TopLevelNames(data []byte) ([]string, error) {
	dec := jsontext.NewDecoder(bytes.NewReader(data))
	if _, err := dec.ReadToken(); err != nil {
		return nil, err
	}
	var names []string
	for dec.PeekKind() == '"' {
		tok, err := dec.ReadToken()
		if err != nil {
			return nil, err
		}
		names = append(names, tok.String())
		if err := dec.SkipValue(); err != nil {
			return nil, err
		}
	}
	return names, nil
}
