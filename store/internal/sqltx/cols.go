package sqltx

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/chatops/gateway/core"
)

// Scan destinations that read either store's encoding without reflection:
// database/sql hands them SQLite's int64, string and nil; pgx hands them
// int64, time.Time, string, []byte and nil (its sql.Scanner path).

// idCol scans an integer or NULL (zero) into a core.ID: (*idCol)(&x.ID).
type idCol core.ID

func (c *idCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c = 0
	case int64:
		*c = idCol(v)
	default:
		return fmt.Errorf("id column holds %T", src)
	}
	return nil
}

// intCol scans an integer into an int: (*intCol)(&x.N).
type intCol int

func (c *intCol) Scan(src any) error {
	v, ok := src.(int64)
	if !ok {
		return fmt.Errorf("integer column holds %T", src)
	}
	*c = intCol(v)
	return nil
}

// fromTS is the time of a stored value (unix microseconds or a time), in UTC.
func fromTS(src any) (time.Time, error) {
	switch v := src.(type) {
	case int64:
		return time.UnixMicro(v).UTC(), nil
	case time.Time:
		return v.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("time column holds %T", src)
}

// timeCol scans a time into a time.Time: (*timeCol)(&x.At).
type timeCol time.Time

func (c *timeCol) Scan(src any) error {
	v, err := fromTS(src)
	*c = timeCol(v)
	return err
}

// nullTimeCol scans a time or NULL into a *time.Time.
type nullTimeCol struct{ p **time.Time }

func (c nullTimeCol) Scan(src any) error {
	if src == nil {
		*c.p = nil
		return nil
	}
	v, err := fromTS(src)
	if err != nil {
		return err
	}
	*c.p = &v
	return nil
}

// textCol scans a text or NULL (empty) into a string.
type textCol string

func (c *textCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c = ""
	case string:
		*c = textCol(v)
	case []byte:
		*c = textCol(v)
	default:
		return fmt.Errorf("text column holds %T", src)
	}
	return nil
}

// jsonCol scans JSON text or NULL into a json.RawMessage of its own (nil
// for NULL).
type jsonCol json.RawMessage

func (c *jsonCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c = nil
	case string:
		*c = jsonCol(v)
	case []byte:
		*c = append(jsonCol(nil), v...)
	default:
		return fmt.Errorf("json column holds %T", src)
	}
	return nil
}

// tagsCol scans a JSON array of strings into a non-nil []string.
type tagsCol []string

func (c *tagsCol) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
	case string:
		if v == "[]" {
			*c = []string{}
			return nil
		}
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("tags column holds %T", src)
	}
	var tags []string
	if len(b) > 0 {
		if err := json.Unmarshal(b, &tags); err != nil {
			return fmt.Errorf("tags column: %w", err)
		}
	}
	if tags == nil {
		tags = []string{}
	}
	*c = tags
	return nil
}
