package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// This file holds the REST endpoints that are not on the decode/encode hot
// path: listing, versions, deletes, compatibility, config, mode, contexts.

// Subjects lists subjects, only those starting with prefix when it is not
// empty, soft-deleted ones too when deleted is true.
func (c *Client) Subjects(ctx context.Context, prefix string, deleted bool) ([]string, error) {
	q := url.Values{}
	if prefix != "" {
		q.Set("subjectPrefix", prefix)
	}
	if deleted {
		q.Set("deleted", "true")
	}
	var out []string
	err := c.call(ctx, request{method: http.MethodGet, path: "/subjects", query: q}, &out)
	return out, err
}

// Versions lists a subject's version numbers.
func (c *Client) Versions(ctx context.Context, subject string, deleted bool) ([]int, error) {
	var out []int
	err := c.call(ctx, request{method: http.MethodGet, path: "/subjects/" + escape(subject) + "/versions", query: deletedQuery(deleted)}, &out)
	return out, err
}

// SchemaVersion returns one version of a subject; version may be Latest.
// Numbered versions are cached (they never change); Latest is not, see
// LatestVersion.
func (c *Client) SchemaVersion(ctx context.Context, subject string, version int, deleted bool) (SubjectSchema, error) {
	if version == Latest || version <= 0 {
		return c.fetchVersion(ctx, subject, "latest", deleted)
	}
	key := SubjectVersion{Subject: subject, Version: version}
	if !deleted {
		// Soft-deleted versions are hidden without ?deleted=true, so only
		// the deleted=true answers are shared by both kinds of call.
		return c.fetchVersion(ctx, subject, strconv.Itoa(version), false)
	}
	if ss, ok := c.versions.get(key); ok {
		return ss, nil
	}
	return c.versionFlights.do(ctx, key, func(ctx context.Context) (SubjectSchema, error) {
		if ss, ok := c.versions.get(key); ok {
			return ss, nil
		}
		ss, err := c.fetchVersion(ctx, subject, strconv.Itoa(version), true)
		if err != nil {
			return SubjectSchema{}, err
		}
		c.versions.put(key, ss, 0)
		return ss, nil
	})
}

// LatestVersion returns a subject's latest version, reusing an answer for the
// LatestTTL option's duration.
func (c *Client) LatestVersion(ctx context.Context, subject string) (SubjectSchema, error) {
	if c.cfg.latestTTL == 0 {
		return c.fetchVersion(ctx, subject, "latest", false)
	}
	if ss, ok := c.latest.get(subject); ok {
		return ss, nil
	}
	return c.latestFlights.do(ctx, subject, func(ctx context.Context) (SubjectSchema, error) {
		if ss, ok := c.latest.get(subject); ok {
			return ss, nil
		}
		ss, err := c.fetchVersion(ctx, subject, "latest", false)
		if err != nil {
			return SubjectSchema{}, err
		}
		c.latest.put(subject, ss, c.cfg.latestTTL)
		return ss, nil
	})
}

func (c *Client) fetchVersion(ctx context.Context, subject, version string, deleted bool) (SubjectSchema, error) {
	var out SubjectSchema
	path := "/subjects/" + escape(subject) + "/versions/" + version
	if err := c.call(ctx, request{method: http.MethodGet, path: path, query: deletedQuery(deleted)}, &out); err != nil {
		return SubjectSchema{}, err
	}
	out.Type = out.Type.Normalized()
	if out.Subject == "" {
		out.Subject = subject
	}
	if out.Version <= 0 {
		return SubjectSchema{}, wrapf(http.MethodGet, path, fmt.Errorf("response has no version number"))
	}
	return out, nil
}

// SubjectsByID lists the subjects that hold the schema with the given id.
func (c *Client) SubjectsByID(ctx context.Context, id int, deleted bool) ([]string, error) {
	var out []string
	err := c.call(ctx, request{method: http.MethodGet, path: "/schemas/ids/" + strconv.Itoa(id) + "/subjects", query: deletedQuery(deleted)}, &out)
	return out, err
}

// VersionsByID lists the (subject, version) pairs that hold the schema with
// the given id.
func (c *Client) VersionsByID(ctx context.Context, id int, deleted bool) ([]SubjectVersion, error) {
	var out []SubjectVersion
	err := c.call(ctx, request{method: http.MethodGet, path: "/schemas/ids/" + strconv.Itoa(id) + "/versions", query: deletedQuery(deleted)}, &out)
	return out, err
}

// ReferencedBy lists the ids of schemas that reference a subject's version.
func (c *Client) ReferencedBy(ctx context.Context, subject string, version int) ([]int, error) {
	var out []int
	err := c.call(ctx, request{method: http.MethodGet, path: "/subjects/" + escape(subject) + "/versions/" + versionPath(version) + "/referencedby"}, &out)
	return out, err
}

// DeleteSubject deletes a subject (soft, or permanent when permanent is true;
// a permanent delete needs a soft delete first) and returns the versions it
// held. Cached answers for the subject are dropped.
func (c *Client) DeleteSubject(ctx context.Context, subject string, permanent bool) ([]int, error) {
	var out []int
	err := c.call(ctx, request{method: http.MethodDelete, path: "/subjects/" + escape(subject), query: permanentQuery(permanent)}, &out)
	c.forgetSubject(subject)
	return out, err
}

// DeleteVersion deletes one version of a subject (soft, or permanent) and
// returns its number.
func (c *Client) DeleteVersion(ctx context.Context, subject string, version int, permanent bool) (int, error) {
	var out int
	err := c.call(ctx, request{method: http.MethodDelete, path: "/subjects/" + escape(subject) + "/versions/" + versionPath(version), query: permanentQuery(permanent)}, &out)
	c.forgetSubject(subject)
	return out, err
}

// forgetSubject drops the per-subject caches after a delete: a re-register
// must reach the registry again. Schemas by id stay: ids are immutable.
func (c *Client) forgetSubject(subject string) {
	c.registered.deleteIf(func(k subjectKey) bool { return k.subject == subject })
	c.lookups.deleteIf(func(k subjectKey) bool { return k.subject == subject })
	c.versions.deleteIf(func(k SubjectVersion) bool { return k.Subject == subject })
	c.latest.deleteIf(func(k string) bool { return k == subject })
}

// CheckCompatibility asks whether s is compatible with one version of a
// subject (version may be Latest) under the subject's level. With verbose, the
// registry explains an incompatibility in Messages.
func (c *Client) CheckCompatibility(ctx context.Context, subject string, version int, s Schema, verbose bool) (CompatibilityResult, error) {
	return c.checkCompat(ctx, "/compatibility/subjects/"+escape(subject)+"/versions/"+versionPath(version), s, verbose)
}

// CheckCompatibilityAll asks whether s is compatible with the versions of a
// subject its level names (all of them for transitive levels).
func (c *Client) CheckCompatibilityAll(ctx context.Context, subject string, s Schema, verbose bool) (CompatibilityResult, error) {
	return c.checkCompat(ctx, "/compatibility/subjects/"+escape(subject)+"/versions", s, verbose)
}

func (c *Client) checkCompat(ctx context.Context, path string, s Schema, verbose bool) (CompatibilityResult, error) {
	var q url.Values
	if verbose {
		q = url.Values{"verbose": {"true"}}
	}
	var out struct {
		Compatible *bool           `json:"is_compatible"`
		Messages   json.RawMessage `json:"messages"`
		Reason     *string         `json:"reason"` // Apicurio's spelling of messages
	}
	if err := c.call(ctx, request{method: http.MethodPost, path: path, query: q, body: wireSchema(s)}, &out); err != nil {
		return CompatibilityResult{}, err
	}
	if out.Compatible == nil {
		return CompatibilityResult{}, wrapf(http.MethodPost, path, fmt.Errorf("response has no is_compatible"))
	}
	res := CompatibilityResult{Compatible: *out.Compatible, Messages: parseMessages(out.Messages)}
	if out.Reason != nil && *out.Reason != "" {
		res.Messages = append(res.Messages, *out.Reason)
	}
	return res, nil
}

// parseMessages accepts a list of strings, a list of anything (each item
// rendered as JSON) or a single string.
func parseMessages(raw json.RawMessage) []string {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var ss []string
	if json.Unmarshal(raw, &ss) == nil {
		return ss
	}
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) == nil {
		out := make([]string, 0, len(items))
		for _, it := range items {
			out = append(out, string(it))
		}
		return out
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return []string{s}
	}
	return []string{string(raw)}
}

// Config returns the compatibility configuration of a subject, or the global
// one when subject is empty. With defaultToGlobal false, a subject without its
// own configuration gives an error wrapping ErrNotFound.
func (c *Client) Config(ctx context.Context, subject string, defaultToGlobal bool) (Config, error) {
	var q url.Values
	if subject != "" {
		q = url.Values{"defaultToGlobal": {strconv.FormatBool(defaultToGlobal)}}
	}
	return c.configCall(ctx, request{method: http.MethodGet, path: configPath("/config", subject), query: q})
}

// SetConfig sets the compatibility configuration of a subject (global when
// subject is empty) and returns what the registry stored.
func (c *Client) SetConfig(ctx context.Context, subject string, cfg Config) (Config, error) {
	body := struct {
		Compatibility CompatibilityLevel `json:"compatibility,omitempty"`
		Normalize     *bool              `json:"normalize,omitempty"`
	}{cfg.Compatibility, cfg.Normalize}
	return c.configCall(ctx, request{method: http.MethodPut, path: configPath("/config", subject), body: body})
}

// DeleteConfig removes a subject's own configuration (the global one when
// subject is empty) and returns the configuration that was removed.
func (c *Client) DeleteConfig(ctx context.Context, subject string) (Config, error) {
	return c.configCall(ctx, request{method: http.MethodDelete, path: configPath("/config", subject)})
}

func (c *Client) configCall(ctx context.Context, req request) (Config, error) {
	var out struct {
		Level     CompatibilityLevel `json:"compatibilityLevel"`
		Compat    CompatibilityLevel `json:"compatibility"`
		Normalize *bool              `json:"normalize"`
	}
	if err := c.call(ctx, req, &out); err != nil {
		return Config{}, err
	}
	cfg := Config{Compatibility: out.Level, Normalize: out.Normalize}
	if cfg.Compatibility == "" {
		cfg.Compatibility = out.Compat
	}
	return cfg, nil
}

// Mode returns the mode of a subject, or the global mode when subject is
// empty.
func (c *Client) Mode(ctx context.Context, subject string, defaultToGlobal bool) (Mode, error) {
	var q url.Values
	if subject != "" {
		q = url.Values{"defaultToGlobal": {strconv.FormatBool(defaultToGlobal)}}
	}
	return c.modeCall(ctx, request{method: http.MethodGet, path: configPath("/mode", subject), query: q})
}

// SetMode sets the mode of a subject (global when subject is empty); force
// allows IMPORT on a registry that holds schemas.
func (c *Client) SetMode(ctx context.Context, subject string, m Mode, force bool) (Mode, error) {
	var q url.Values
	if force {
		q = url.Values{"force": {"true"}}
	}
	body := struct {
		Mode Mode `json:"mode"`
	}{m}
	return c.modeCall(ctx, request{method: http.MethodPut, path: configPath("/mode", subject), query: q, body: body})
}

// DeleteMode removes a subject's own mode and returns it.
func (c *Client) DeleteMode(ctx context.Context, subject string) (Mode, error) {
	return c.modeCall(ctx, request{method: http.MethodDelete, path: configPath("/mode", subject)})
}

func (c *Client) modeCall(ctx context.Context, req request) (Mode, error) {
	var out struct {
		Mode Mode `json:"mode"`
	}
	err := c.call(ctx, req, &out)
	return out.Mode, err
}

// Contexts lists the registry's schema contexts (Confluent names the default
// one ".").
func (c *Client) Contexts(ctx context.Context) ([]string, error) {
	var out []string
	err := c.call(ctx, request{method: http.MethodGet, path: "/contexts"}, &out)
	return out, err
}

// SchemaTypes lists the schema types the registry accepts.
func (c *Client) SchemaTypes(ctx context.Context) ([]string, error) {
	var out []string
	err := c.call(ctx, request{method: http.MethodGet, path: "/schemas/types"}, &out)
	return out, err
}

func configPath(root, subject string) string {
	if subject == "" {
		return root
	}
	return root + "/" + escape(subject)
}

func versionPath(v int) string {
	if v == Latest || v <= 0 {
		return "latest"
	}
	return strconv.Itoa(v)
}

func deletedQuery(deleted bool) url.Values {
	if !deleted {
		return nil
	}
	return url.Values{"deleted": {"true"}}
}

func permanentQuery(permanent bool) url.Values {
	if !permanent {
		return nil
	}
	return url.Values{"permanent": {"true"}}
}
