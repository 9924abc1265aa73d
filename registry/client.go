package registry

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
)

// Client talks to a Confluent-compatible Schema Registry. It is safe for
// concurrent use and starts no goroutines; there is nothing to close.
//
// Lookups by id (Resolve, SchemaByID, ResolveGUID) are cached for the life of
// the client (ids are immutable), so a registry outage does not stop decoding
// of schemas seen before. Register and Lookup make one request per distinct
// (subject, schema). LatestVersion answers are reused for a TTL. Concurrent
// misses for the same key share one request.
type Client struct {
	base *url.URL // no user info: credentials live in auth only
	hc   *http.Client
	auth string // Authorization header value
	cfg  config

	schemas    *clockCache[int, Schema]
	resolved   *clockCache[int, ResolvedSchema]
	guids      *clockCache[string, ResolvedSchema]
	registered *clockCache[subjectKey, int]
	lookups    *clockCache[subjectKey, SubjectSchema]
	versions   *clockCache[SubjectVersion, SubjectSchema]
	latest     *clockCache[string, SubjectSchema]

	schemaFlights   flightGroup[int, Schema]
	resolveFlights  flightGroup[int, ResolvedSchema]
	guidFlights     flightGroup[string, ResolvedSchema]
	registerFlights flightGroup[subjectKey, int]
	lookupFlights   flightGroup[subjectKey, SubjectSchema]
	versionFlights  flightGroup[SubjectVersion, SubjectSchema]
	latestFlights   flightGroup[string, SubjectSchema]

	syntheticIDs atomic.Int64 // ids for GUID schemas the registry gives no id for
	// apiSeen is set once the base URL answered like a registry (a 2xx, or a
	// registry not-found code): from then on a bare 404 for an id is taken
	// as that id being unknown, without asking checkAPI.
	apiSeen atomic.Bool
}

// subjectKey identifies a schema under a subject for the Register and Lookup
// caches: the subject, then the schema in its canonical cache form.
type subjectKey struct {
	subject string
	schema  string
	deleted bool
}

var (
	_ Resolver  = (*Client)(nil)
	_ Registrar = (*Client)(nil)
)

// NewClient returns a client for the registry API at baseURL (for example
// http://127.0.0.1:8081, or Apicurio's http://host:8080/apis/ccompat/v7).
// User info in the URL becomes basic auth and is removed from the URL.
func NewClient(baseURL string, opts ...Option) (*Client, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	u, err := url.Parse(strings.TrimSpace(baseURL))
	if err != nil {
		// url.Parse errors quote the input, which may hold a password.
		return nil, errors.New("registry: malformed base URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("registry: base URL must be http(s)://host[:port][/path], got scheme %q host %q", u.Scheme, u.Host)
	}
	if u.User != nil {
		if !cfg.basicSet && cfg.bearer == "" {
			pass, _ := u.User.Password()
			cfg.basicUser, cfg.basicPass, cfg.basicSet = u.User.Username(), pass, true
		}
		u.User = nil
	}
	u.RawQuery, u.Fragment = "", ""
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = strings.TrimSuffix(u.RawPath, "/")
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	hc := cfg.httpClient
	if hc == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 16
		tlsCfg, err := cfg.buildTLS()
		if err != nil {
			return nil, err
		}
		if tlsCfg != nil {
			tr.TLSClientConfig = tlsCfg
		}
		hc = &http.Client{Transport: tr}
	}
	c := &Client{
		base:       u,
		hc:         hc,
		cfg:        cfg,
		schemas:    newClockCache[int, Schema](cfg.idCacheSize),
		resolved:   newClockCache[int, ResolvedSchema](cfg.idCacheSize),
		guids:      newClockCache[string, ResolvedSchema](cfg.idCacheSize),
		registered: newClockCache[subjectKey, int](cfg.subjectCacheSize),
		lookups:    newClockCache[subjectKey, SubjectSchema](cfg.subjectCacheSize),
		versions:   newClockCache[SubjectVersion, SubjectSchema](cfg.subjectCacheSize),
		latest:     newClockCache[string, SubjectSchema](cfg.subjectCacheSize),
	}
	switch {
	case cfg.bearer != "":
		c.auth = "Bearer " + cfg.bearer
	case cfg.basicSet:
		c.auth = "Basic " + base64.StdEncoding.EncodeToString([]byte(cfg.basicUser+":"+cfg.basicPass))
	}
	return c, nil
}

// String names the registry without credentials.
func (c *Client) String() string { return "registry.Client(" + c.base.String() + ")" }

// GoString is String, so %#v does not print credentials either.
func (c *Client) GoString() string { return c.String() }

// Format prints String for every verb (%d or %x too would otherwise print
// the fields, the Authorization header among them).
func (c *Client) Format(f fmt.State, _ rune) { _, _ = fmt.Fprint(f, c.String()) }

// URL returns the base URL, without credentials.
func (c *Client) URL() string { return c.base.String() }

// Resolve returns the schema with the given id and everything its references
// reach, dependencies first. The result is cached for the life of the client
// and shared by every caller: treat its slices as read-only. An unknown id
// gives an error wrapping ErrNotFound.
func (c *Client) Resolve(ctx context.Context, id int) (ResolvedSchema, error) {
	if rs, ok := c.resolved.get(id); ok {
		return rs, nil
	}
	return c.resolveFlights.do(ctx, id, func(ctx context.Context) (ResolvedSchema, error) {
		if rs, ok := c.resolved.get(id); ok {
			return rs, nil
		}
		s, err := c.SchemaByID(ctx, id)
		if err != nil {
			return ResolvedSchema{}, err
		}
		deps, err := c.resolveReferences(ctx, s.References)
		if err != nil {
			return ResolvedSchema{}, fmt.Errorf("registry: resolving references of schema %d: %w", id, err)
		}
		rs := ResolvedSchema{ID: id, Schema: s, Deps: deps}
		c.resolved.put(id, rs, 0)
		return rs, nil
	})
}

// SchemaByID returns the schema with the given id (cached forever).
func (c *Client) SchemaByID(ctx context.Context, id int) (Schema, error) {
	if s, ok := c.schemas.get(id); ok {
		return s, nil
	}
	return c.schemaFlights.do(ctx, id, func(ctx context.Context) (Schema, error) {
		if s, ok := c.schemas.get(id); ok {
			return s, nil
		}
		var s Schema
		err := c.call(ctx, request{method: http.MethodGet, path: "/schemas/ids/" + strconv.Itoa(id)}, &s)
		if err != nil {
			return Schema{}, c.checkAPI(ctx, err)
		}
		s.Type = s.Type.Normalized()
		c.schemas.put(id, s, 0)
		return s, nil
	})
}

// ResolveGUID returns the schema a record header's GUID names, with its
// references resolved (cached forever). ID is the registry's id for it in the
// default context; when the registry reports none, ID is a negative number
// unique within this client, so callers keying plans by ID stay correct.
// Registries without GUID support answer with an error wrapping ErrUnsupported.
func (c *Client) ResolveGUID(ctx context.Context, guid string) (ResolvedSchema, error) {
	if rs, ok := c.guids.get(guid); ok {
		return rs, nil
	}
	return c.guidFlights.do(ctx, guid, func(ctx context.Context) (ResolvedSchema, error) {
		if rs, ok := c.guids.get(guid); ok {
			return rs, nil
		}
		var s Schema
		if err := c.call(ctx, request{method: http.MethodGet, path: "/schemas/guids/" + escape(guid)}, &s); err != nil {
			return ResolvedSchema{}, err
		}
		s.Type = s.Type.Normalized()
		id, err := c.idForGUID(ctx, guid)
		if err != nil {
			return ResolvedSchema{}, err
		}
		deps, err := c.resolveReferences(ctx, s.References)
		if err != nil {
			return ResolvedSchema{}, fmt.Errorf("registry: resolving references of schema %s: %w", guid, err)
		}
		rs := ResolvedSchema{ID: id, Schema: s, Deps: deps}
		c.guids.put(guid, rs, 0)
		return rs, nil
	})
}

// idForGUID asks for the ids a GUID has in each context and picks the default
// context's.
func (c *Client) idForGUID(ctx context.Context, guid string) (int, error) {
	var ids []struct {
		Context string `json:"context"`
		ID      int    `json:"id"`
	}
	err := c.call(ctx, request{method: http.MethodGet, path: "/schemas/guids/" + escape(guid) + "/ids"}, &ids)
	if err != nil && !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrUnsupported) {
		return 0, err
	}
	for _, x := range ids {
		if x.ID > 0 && (x.Context == "" || x.Context == "." || x.Context == ":.:") {
			return x.ID, nil
		}
	}
	if len(ids) > 0 && ids[0].ID > 0 {
		return ids[0].ID, nil
	}
	return -int(c.syntheticIDs.Add(1)), nil
}

// Register returns the id of s under subject, registering it when the subject
// does not hold it yet. One request per distinct (subject, schema) for the life
// of the client. An incompatible schema gives an error wrapping
// ErrIncompatible; a malformed one, ErrInvalidSchema.
func (c *Client) Register(ctx context.Context, subject string, s Schema) (int, error) {
	key := subjectKey{subject: subject, schema: cacheForm(s)}
	if id, ok := c.registered.get(key); ok {
		return id, nil
	}
	return c.registerFlights.do(ctx, key, func(ctx context.Context) (int, error) {
		if id, ok := c.registered.get(key); ok {
			return id, nil
		}
		var out struct {
			ID int `json:"id"`
		}
		req := request{
			method: http.MethodPost,
			path:   "/subjects/" + escape(subject) + "/versions",
			query:  c.normalizeQuery(),
			body:   wireSchema(s),
		}
		if err := c.call(ctx, req, &out); err != nil {
			return 0, err
		}
		if out.ID <= 0 {
			return 0, wrapf(req.method, req.path, fmt.Errorf("response has no schema id"))
		}
		c.registered.put(key, out.ID, 0)
		return out.ID, nil
	})
}

// Lookup returns the version of s registered under subject (and its id),
// including soft-deleted versions when deleted is true. A schema the subject
// does not hold gives an error wrapping ErrNotFound. Answers are cached.
func (c *Client) Lookup(ctx context.Context, subject string, s Schema, deleted bool) (SubjectSchema, error) {
	key := subjectKey{subject: subject, schema: cacheForm(s), deleted: deleted}
	if ss, ok := c.lookups.get(key); ok {
		return ss, nil
	}
	return c.lookupFlights.do(ctx, key, func(ctx context.Context) (SubjectSchema, error) {
		if ss, ok := c.lookups.get(key); ok {
			return ss, nil
		}
		q := c.normalizeQuery()
		if deleted {
			if q == nil {
				q = url.Values{}
			}
			q.Set("deleted", "true")
		}
		var out SubjectSchema
		req := request{method: http.MethodPost, path: "/subjects/" + escape(subject), query: q, body: wireSchema(s)}
		if err := c.call(ctx, req, &out); err != nil {
			return SubjectSchema{}, err
		}
		out.Type = out.Type.Normalized()
		if out.Subject == "" {
			out.Subject = subject
		}
		c.lookups.put(key, out, 0)
		if !deleted && out.ID > 0 {
			c.registered.put(subjectKey{subject: subject, schema: key.schema}, out.ID, 0)
		}
		return out, nil
	})
}

func (c *Client) normalizeQuery() url.Values {
	if !c.cfg.normalize {
		return nil
	}
	return url.Values{"normalize": {"true"}}
}

// wireSchema is a schema as request bodies carry it: Avro's type omitted,
// references always present as a list.
func wireSchema(s Schema) any {
	type body struct {
		Type       SchemaType  `json:"schemaType,omitempty"`
		Text       string      `json:"schema"`
		References []Reference `json:"references,omitempty"`
	}
	b := body(s)
	if b.Type.Normalized() == TypeAvro {
		b.Type = ""
	}
	return b
}

// cacheForm is the key under which a schema is cached per subject: type,
// text and references, unambiguously joined.
func cacheForm(s Schema) string {
	var b strings.Builder
	b.WriteString(string(s.Type.Normalized()))
	b.WriteByte(0)
	b.WriteString(strconv.Itoa(len(s.Text)))
	b.WriteByte(0)
	b.WriteString(s.Text)
	for _, r := range s.References {
		b.WriteByte(0)
		b.WriteString(r.Name)
		b.WriteByte(0)
		b.WriteString(r.Subject)
		b.WriteByte(0)
		b.WriteString(strconv.Itoa(r.Version))
	}
	return b.String()
}

// checkAPI vets a failed lookup before it is taken as "not found". A 404
// without a registry not-found code from a URL never yet seen answering like
// a registry may mean the URL is wrong (a missing /apis/ccompat/v7, a proxy
// route gone) rather than the id unknown: then every record would be
// dead-lettered as bad data. So the registry's own endpoints are asked once;
// if they are missing too the answer is ErrNoAPI, an outage to the caller,
// not the record's fault.
func (c *Client) checkAPI(ctx context.Context, err error) error {
	var e *Error
	if c.apiSeen.Load() || !errors.As(err, &e) || e.Status != http.StatusNotFound {
		return err
	}
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrSoftDeleted) { // a registry's own code
		c.apiSeen.Store(true)
		return err
	}
	// /schemas/types (Confluent 5.5+, Apicurio) is small; /subjects is
	// served by every version.
	var perr error
	for _, path := range []string{"/schemas/types", "/subjects"} {
		var ignored any
		if perr = c.call(ctx, request{method: http.MethodGet, path: path}, &ignored); perr == nil {
			return err // a registry: the id is unknown there
		}
		var pe *Error
		if !errors.As(perr, &pe) || pe.Status != http.StatusNotFound {
			return perr // it could not be asked: an outage, reported as such
		}
	}
	return fmt.Errorf("%w %s (/schemas/types and /subjects answer HTTP 404 too; check the URL's path: Apicurio serves the Confluent API under /apis/ccompat/v7): %w",
		ErrNoAPI, c.base, e)
}
