package registry

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Error codes of the Confluent Schema Registry REST API. A response's
// error_code is a five-digit code whose first three digits are the HTTP status;
// 409 is the older spelling of 40901.
const (
	CodeSubjectNotFound         = 40401
	CodeVersionNotFound         = 40402
	CodeSchemaNotFound          = 40403
	CodeSubjectSoftDeleted      = 40404
	CodeSubjectNotSoftDeleted   = 40405
	CodeVersionSoftDeleted      = 40406
	CodeVersionNotSoftDeleted   = 40407
	CodeSubjectConfigNotFound   = 40408
	CodeSubjectModeNotFound     = 40409
	CodeIncompatibleLegacy      = 409
	CodeIncompatible            = 40901
	CodeInvalidSchema           = 42201
	CodeInvalidVersion          = 42202
	CodeInvalidCompatibility    = 42203
	CodeInvalidMode             = 42204
	CodeOperationNotPermitted   = 42205
	CodeReferenceExists         = 42206
	CodeStoreError              = 50001
	CodeOperationTimeout        = 50002
	CodeForwardingError         = 50003
	CodeUnknownLeader           = 50004
	maxErrorMessage             = 512
	unsupportedEndpointHTTPCode = 404
)

// Sentinels that [*Error] values match with errors.Is, so callers branch on
// the kind of failure without knowing codes. [ErrNotFound] is declared with the
// shared schema types.
var (
	// ErrIncompatible: the schema breaks the subject's compatibility level
	// (codes 409 and 40901).
	ErrIncompatible = errors.New("registry: schema is incompatible")
	// ErrInvalidSchema: the registry rejected the schema text, its type or
	// its references (42201).
	ErrInvalidSchema = errors.New("registry: invalid schema")
	// ErrSoftDeleted: the subject or version is soft-deleted (40404, 40406),
	// or must be soft-deleted before a permanent delete (40405, 40407).
	ErrSoftDeleted = errors.New("registry: soft-delete state")
	// ErrReferenced: the schema is referenced by another and cannot be
	// deleted (42206).
	ErrReferenced = errors.New("registry: schema is still referenced")
	// ErrNotPermitted: the operation is refused in the current mode (42205).
	ErrNotPermitted = errors.New("registry: operation not permitted")
	// ErrUnsupported: the server answered 404 or 405 without a registry error
	// code (or with the bare HTTP status as code), which is how a server says
	// it does not implement the endpoint.
	ErrUnsupported = errors.New("registry: endpoint not supported by the server")
	// ErrReferenceCycle: a schema's references lead back to itself.
	ErrReferenceCycle = errors.New("registry: schema references form a cycle")
	// ErrNoAPI: the base URL answers HTTP 404 to the registry's own
	// endpoints too, so a 404 for a schema says nothing about the schema:
	// the URL's path is wrong, or a proxy in front has lost the registry.
	// It is never "not found" (IsNotFound is false): records must not be
	// dead-lettered for it.
	ErrNoAPI = errors.New("registry: no schema registry API at the base URL")
)

// Error is a failed registry request: the HTTP status and the registry's own
// error code and message. It never holds the base URL, query or credentials.
type Error struct {
	// Method and Path are the request's method and API path (relative to
	// the base URL, without the query).
	Method, Path string
	// Status is the HTTP status code.
	Status int
	// Code is the registry error code (0 when the body carried none).
	Code int
	// Message is the registry's message, trimmed to a few hundred bytes.
	Message string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("registry: ")
	b.WriteString(e.Method)
	b.WriteByte(' ')
	b.WriteString(e.Path)
	b.WriteString(": HTTP ")
	b.WriteString(strconv.Itoa(e.Status))
	if e.Code != 0 {
		b.WriteString(", error code ")
		b.WriteString(strconv.Itoa(e.Code))
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	return b.String()
}

// Is matches the sentinels above by error code.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrNotFound:
		switch e.Code {
		case CodeSubjectNotFound, CodeVersionNotFound, CodeSchemaNotFound,
			CodeSubjectConfigNotFound, CodeSubjectModeNotFound:
			return true
		}
	case ErrIncompatible:
		return e.Code == CodeIncompatible || e.Code == CodeIncompatibleLegacy
	case ErrInvalidSchema:
		return e.Code == CodeInvalidSchema
	case ErrSoftDeleted:
		return e.Code >= CodeSubjectSoftDeleted && e.Code <= CodeVersionNotSoftDeleted
	case ErrReferenced:
		return e.Code == CodeReferenceExists
	case ErrNotPermitted:
		return e.Code == CodeOperationNotPermitted
	case ErrUnsupported:
		return (e.Code == 0 || e.Code == e.Status) && (e.Status == unsupportedEndpointHTTPCode || e.Status == 405)
	}
	return false
}

// Temporary reports whether retrying the request may succeed: server-side
// failures (5xx statuses and 500xx codes) and rate limiting (429).
func (e *Error) Temporary() bool {
	return e.Status >= 500 || e.Code/100 == 500 || e.Status == http.StatusTooManyRequests
}

// IsNotFound reports whether err is the registry saying it does not have what
// was asked: an error wrapping [ErrNotFound] (codes 40401, 40402, 40403,
// 40408, 40409) or any other HTTP 404 answer — no error code, the bare status
// as code, or a code this client does not know. For a lookup by schema id or
// GUID every such answer means the id is unknown there (a registry asked for
// an id it never issued may well answer a bare 404), so a decoder treats the
// record as bad. It is false for outages: connection failures, timeouts, 5xx
// and 429; and for [ErrNoAPI], a base URL that is not a registry at all.
func IsNotFound(err error) bool {
	if errors.Is(err, ErrNoAPI) {
		return false
	}
	if errors.Is(err, ErrNotFound) {
		return true
	}
	var e *Error
	return errors.As(err, &e) && e.Status == http.StatusNotFound
}

// parseErrorBody builds the Error for a non-2xx response. Registries answer
// {"error_code": N, "message": "..."}; some answer plain text or HTML, which
// becomes the message.
func parseErrorBody(method, path string, status int, body []byte) *Error {
	e := &Error{Method: method, Path: path, Status: status}
	var wire struct {
		Code    json.RawMessage `json:"error_code"`
		Message json.RawMessage `json:"message"`
	}
	if err := json.Unmarshal(body, &wire); err == nil && (wire.Code != nil || wire.Message != nil) {
		e.Code = parseCode(wire.Code)
		var msg string
		if json.Unmarshal(wire.Message, &msg) != nil {
			msg = string(wire.Message)
		}
		e.Message = trimMessage(msg)
		return e
	}
	if looksLikeHTML(body) {
		return e
	}
	e.Message = trimMessage(string(body))
	return e
}

// parseCode accepts the error code as a JSON number or a numeric string.
func parseCode(raw json.RawMessage) int {
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		if v, err := n.Int64(); err == nil && v > 0 && v < 1e6 {
			return int(v)
		}
		return 0
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if v, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && v > 0 && v < 1e6 {
			return v
		}
	}
	return 0
}

func looksLikeHTML(b []byte) bool {
	s := strings.TrimSpace(string(b[:min(len(b), 64)]))
	return strings.HasPrefix(s, "<")
}

// trimMessage keeps messages readable in logs: one line, bounded, valid UTF-8.
func trimMessage(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > maxErrorMessage {
		cut := maxErrorMessage
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return strings.ToValidUTF8(s, "?")
}

// wrapf prefixes err with the request it belongs to.
func wrapf(method, path string, err error) error {
	return fmt.Errorf("registry: %s %s: %w", method, path, err)
}
