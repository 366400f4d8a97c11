package models

import (
	"database/sql/driver"
	"fmt"
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
