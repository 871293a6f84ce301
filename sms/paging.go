package sms

import (
	"errors"
	"maps"
	"slices"
	"strconv"
)

// setInt32s parses the Integer query parameters named in dst that params holds. A whole number
// out of int32's range comes back clamped to it, which the field's bounds then refuse, naming
// the bound rather than calling the number no Integer (as ListTasks does).
func setInt32s(params map[string]string, dst map[string]*int32) error {
	for _, name := range slices.Sorted(maps.Keys(dst)) {
		val, ok := params[name]
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(val, 10, 32)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return &InvalidError{Field: name, Rule: "must be an Integer"}
		}
		*dst[name] = int32(n)
	}
	return nil
}

// parseBool parses a Boolean query parameter: true or false, as the SDK writes them.
func parseBool(name, val string) (*bool, error) {
	switch val {
	case "true":
		return new(true), nil
	case "false":
		return new(false), nil
	}
	return nil, &InvalidError{Field: name, Rule: "must be true or false"}
}
