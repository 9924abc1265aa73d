package registry

import (
	"fmt"
	"strings"
)

// CompatibilityLevel is a subject's (or the registry's) compatibility rule.
type CompatibilityLevel string

// The seven compatibility levels. BACKWARD: the new schema reads data written
// with the latest one; FORWARD: the latest reads data written with the new one;
// FULL: both. The transitive levels check against every earlier version, not
// only the latest.
const (
	CompatNone               CompatibilityLevel = "NONE"
	CompatBackward           CompatibilityLevel = "BACKWARD"
	CompatBackwardTransitive CompatibilityLevel = "BACKWARD_TRANSITIVE"
	CompatForward            CompatibilityLevel = "FORWARD"
	CompatForwardTransitive  CompatibilityLevel = "FORWARD_TRANSITIVE"
	CompatFull               CompatibilityLevel = "FULL"
	CompatFullTransitive     CompatibilityLevel = "FULL_TRANSITIVE"
)

// CompatibilityLevels lists every level.
var CompatibilityLevels = []CompatibilityLevel{
	CompatNone, CompatBackward, CompatBackwardTransitive, CompatForward,
	CompatForwardTransitive, CompatFull, CompatFullTransitive,
}

// ParseCompatibilityLevel accepts a level's name in any case.
func ParseCompatibilityLevel(s string) (CompatibilityLevel, error) {
	l := CompatibilityLevel(strings.ToUpper(strings.TrimSpace(s)))
	for _, known := range CompatibilityLevels {
		if l == known {
			return l, nil
		}
	}
	return "", fmt.Errorf("registry: unknown compatibility level %q", s)
}

// Backward reports whether the level requires the new schema to read old data.
func (l CompatibilityLevel) Backward() bool {
	return l == CompatBackward || l == CompatBackwardTransitive || l == CompatFull || l == CompatFullTransitive
}

// Forward reports whether the level requires old schemas to read new data.
func (l CompatibilityLevel) Forward() bool {
	return l == CompatForward || l == CompatForwardTransitive || l == CompatFull || l == CompatFullTransitive
}

// Transitive reports whether the level checks every earlier version.
func (l CompatibilityLevel) Transitive() bool {
	return l == CompatBackwardTransitive || l == CompatForwardTransitive || l == CompatFullTransitive
}

// Mode is a registry's or subject's write mode.
type Mode string

// The modes a Confluent registry knows.
const (
	ModeReadWrite        Mode = "READWRITE"
	ModeReadOnly         Mode = "READONLY"
	ModeReadOnlyOverride Mode = "READONLY_OVERRIDE"
	ModeImport           Mode = "IMPORT"
)

// Modes lists every mode.
var Modes = []Mode{ModeReadWrite, ModeReadOnly, ModeReadOnlyOverride, ModeImport}

// ParseMode accepts a mode's name in any case.
func ParseMode(s string) (Mode, error) {
	m := Mode(strings.ToUpper(strings.TrimSpace(s)))
	for _, known := range Modes {
		if m == known {
			return m, nil
		}
	}
	return "", fmt.Errorf("registry: unknown mode %q", s)
}

// ParseSchemaType accepts "AVRO", "PROTOBUF" or "JSON" in any case; the empty
// string is Avro, as in the API.
func ParseSchemaType(s string) (SchemaType, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "", string(TypeAvro):
		return TypeAvro, nil
	case string(TypeProtobuf):
		return TypeProtobuf, nil
	case string(TypeJSON):
		return TypeJSON, nil
	}
	return "", fmt.Errorf("registry: unknown schema type %q", s)
}

// Normalized returns the type with the API's empty spelling of Avro made
// explicit.
func (t SchemaType) Normalized() SchemaType {
	if t == "" {
		return TypeAvro
	}
	return t
}

// Latest names the latest version where a version number is expected.
const Latest = -1

// SubjectSchema is a schema as registered under a subject.
type SubjectSchema struct {
	Subject string `json:"subject"`
	Version int    `json:"version"`
	ID      int    `json:"id"`
	// GUID is the registry-independent id newer registries report (empty
	// when the server has none).
	GUID string `json:"guid,omitempty"`
	Schema
}

// SubjectVersion names one version of a subject.
type SubjectVersion struct {
	Subject string `json:"subject"`
	Version int    `json:"version"`
}

// CompatibilityResult is a registry's verdict on a schema.
type CompatibilityResult struct {
	Compatible bool
	// Messages explain an incompatibility (filled when verbose was asked and
	// the server gives reasons).
	Messages []string
}

// Config is a compatibility configuration (global or per subject).
type Config struct {
	Compatibility CompatibilityLevel
	// Normalize, when set, tells the registry to normalize schemas on
	// register and lookup.
	Normalize *bool
}
