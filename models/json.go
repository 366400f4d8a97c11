package models

import (
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"
)

// JSON is a JSONB column kept as raw bytes; nil is SQL NULL.
type JSON []byte

// Value writes the bytes as JSON text (NULL when empty).
func (j JSON) Value() (driver.Value, error) {
	if len(j) == 0 {
		return nil, nil
	}
	return string(j), nil
}

// Scan reads JSONB as text or bytes.
func (j *JSON) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*j = nil
	case []byte:
		*j = append((*j)[:0], v...)
	case string:
		*j = JSON(v)
	default:
		return fmt.Errorf("models: scan JSON from %T", src)
	}
	return nil
}

// MarshalJSON emits the raw document (null when empty).
func (j JSON) MarshalJSON() ([]byte, error) {
	if len(j) == 0 {
		return []byte("null"), nil
	}
	return j, nil
}

// UnmarshalJSON keeps a copy of the raw document.
func (j *JSON) UnmarshalJSON(b []byte) error {
	*j = append((*j)[:0], b...)
	return nil
}

// int64Array passes a list of ids as one PostgreSQL array parameter (gorm
// would otherwise expand a slice into a list of parameters).
type int64Array []int64

// Value writes the array literal {1,2,3}.
func (a int64Array) Value() (driver.Value, error) {
	b := make([]byte, 0, len(a)*8+2)
	b = append(b, '{')
	for i, v := range a {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, v, 10)
	}
	return string(append(b, '}')), nil
}

// stringArray passes a list of strings as one PostgreSQL text[] parameter.
type stringArray []string

// Value writes the array literal {"a","b"} with quotes and backslashes escaped.
func (a stringArray) Value() (driver.Value, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, s := range a {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		for _, r := range s {
			if r == '"' || r == '\\' {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String(), nil
}
