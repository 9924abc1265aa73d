package registry_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/sabot-kafka/sabot/registry"
	"github.com/sabot-kafka/sabot/registry/compat"
)

// TestSuiteReferences: schemas referencing schemas of other subjects
// resolve recursively, dependencies first, for each format; referenced
// versions cannot be deleted.
func TestSuiteReferences(t *testing.T) {
	suite(t, func(t *testing.T, tg target, c *registry.Client) {
		ctx := ctxT(t)
		// Avro: Order uses Money uses Currency, each in its own subject.
		currencySub, moneySub, orderSub := subject(t, c), subject(t, c), subject(t, c)
		mustRegister(t, c, currencySub, registry.Schema{Text: `{"type":"enum","name":"Currency","namespace":"shop","symbols":["EUR","USD"]}`})
		mustRegister(t, c, moneySub, registry.Schema{
			Text:       `{"type":"record","name":"Money","namespace":"shop","fields":[{"name":"units","type":"long"},{"name":"currency","type":"shop.Currency"}]}`,
			References: []registry.Reference{{Name: "shop.Currency", Subject: currencySub, Version: 1}},
		})
		orderID := mustRegister(t, c, orderSub, registry.Schema{
			Text:       `{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"total","type":"shop.Money"},{"name":"fee","type":"shop.Money"}]}`,
			References: []registry.Reference{{Name: "shop.Money", Subject: moneySub, Version: 1}},
		})
		rs, err := newClient(t, tg.url).Resolve(ctx, orderID)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, d := range rs.Deps {
			names = append(names, d.Name)
		}
		if !slices.Equal(names, []string{"shop.Currency", "shop.Money"}) {
			t.Fatalf("deps %v, want Currency before Money", names)
		}
		// The resolved schema is complete: it parses with no lookups.
		if _, err := compat.Parse(rs); err != nil {
			t.Fatalf("resolved Avro schema does not parse: %v", err)
		}
		ids, err := c.ReferencedBy(ctx, moneySub, 1)
		if err != nil || !slices.Equal(ids, []int{orderID}) {
			t.Fatalf("referenced by = %v, %v; want [%d]", ids, err, orderID)
		}
		_, err = c.DeleteSubject(ctx, moneySub, false)
		wantCode(t, err, registry.CodeReferenceExists)
		if !errors.Is(err, registry.ErrReferenced) {
			t.Fatalf("%v is not ErrReferenced", err)
		}

		// Protobuf: an import served by another subject.
		moneyProto, eventProto := subject(t, c), subject(t, c)
		mustRegister(t, c, moneyProto, registry.Schema{Type: registry.TypeProtobuf,
			Text: "syntax = \"proto3\";\npackage shop;\nmessage Money {\n  int64 units = 1;\n}\n"})
		eventID := mustRegister(t, c, eventProto, registry.Schema{Type: registry.TypeProtobuf,
			Text:       "syntax = \"proto3\";\npackage shop;\nimport \"shop/money.proto\";\nmessage Paid {\n  Money amount = 1;\n}\n",
			References: []registry.Reference{{Name: "shop/money.proto", Subject: moneyProto, Version: 1}},
		})
		prs, err := newClient(t, tg.url).Resolve(ctx, eventID)
		if err != nil {
			t.Fatal(err)
		}
		if len(prs.Deps) != 1 || prs.Deps[0].Name != "shop/money.proto" || prs.Deps[0].Schema.Type != registry.TypeProtobuf {
			t.Fatalf("protobuf deps %+v", prs.Deps)
		}
		if _, err := compat.Parse(prs); err != nil {
			t.Fatalf("resolved Protobuf schema does not compile: %v", err)
		}

		// JSON Schema: a $ref to another subject's schema.
		addrSub, personSub := subject(t, c), subject(t, c)
		mustRegister(t, c, addrSub, registry.Schema{Type: registry.TypeJSON,
			Text: `{"type":"object","properties":{"zip":{"type":"string"}}}`})
		personID := mustRegister(t, c, personSub, registry.Schema{Type: registry.TypeJSON,
			Text:       `{"type":"object","properties":{"home":{"$ref":"address.json"}}}`,
			References: []registry.Reference{{Name: "address.json", Subject: addrSub, Version: 1}},
		})
		jrs, err := newClient(t, tg.url).Resolve(ctx, personID)
		if err != nil {
			t.Fatal(err)
		}
		if len(jrs.Deps) != 1 || jrs.Deps[0].Name != "address.json" {
			t.Fatalf("json deps %+v", jrs.Deps)
		}
		if _, err := compat.Parse(jrs); err != nil {
			t.Fatalf("resolved JSON schema does not compile: %v", err)
		}

		// A reference to a version that does not exist is refused.
		_, err = c.Register(ctx, subject(t, c), registry.Schema{
			Text:       `{"type":"record","name":"X","fields":[{"name":"m","type":"shop.Money"}]}`,
			References: []registry.Reference{{Name: "shop.Money", Subject: moneySub, Version: 99}},
		})
		wantCode(t, err, registry.CodeInvalidSchema)
	})
}

// TestSuiteCompatibility: config per subject, the compatibility endpoints
// and enforcement on register.
func TestSuiteCompatibility(t *testing.T) {
	suite(t, func(t *testing.T, tg target, c *registry.Client) {
		ctx := ctxT(t)
		global, err := c.Config(ctx, "", false)
		if err != nil {
			t.Fatal(err)
		}
		if tg.apicurio {
			// Apicurio difference: with no global rule configured the level
			// reads NONE; Confluent's default is BACKWARD.
			if global.Compatibility != registry.CompatNone {
				t.Logf("apicurio: global level %s (another test may have set it)", global.Compatibility)
			}
		} else if global.Compatibility != registry.CompatBackward {
			t.Fatalf("global level %s, want BACKWARD", global.Compatibility)
		}

		v1 := avroRecord("R", "a")
		noDefault := avroRecord("R", "a", "b") // b has no default: BACKWARD-incompatible
		withDefault := registry.Schema{Text: `{"type":"record","name":"R","fields":[{"name":"a","type":"long"},{"name":"b","type":"long","default":0}]}`}

		// Before any subject config: the global level applies.
		fresh := subject(t, c)
		mustRegister(t, c, fresh, v1)
		_, err = c.Register(ctx, fresh, noDefault)
		if tg.apicurio {
			// Apicurio difference: no compatibility rule is enforced until
			// one is configured, so the incompatible schema is accepted.
			if err != nil {
				t.Fatalf("apicurio: register without config: %v", err)
			}
		} else {
			wantCode(t, err, registry.CodeIncompatible)
		}

		sub := subject(t, c)
		mustRegister(t, c, sub, v1)
		set, err := c.SetConfig(ctx, sub, registry.Config{Compatibility: registry.CompatBackward})
		if err != nil || set.Compatibility != registry.CompatBackward {
			t.Fatalf("set config: %+v, %v", set, err)
		}
		got, err := c.Config(ctx, sub, false)
		if err != nil || got.Compatibility != registry.CompatBackward {
			t.Fatalf("subject config: %+v, %v", got, err)
		}

		res, err := c.CheckCompatibility(ctx, sub, registry.Latest, noDefault, true)
		if err != nil {
			t.Fatal(err)
		}
		if res.Compatible || len(res.Messages) == 0 {
			t.Fatalf("incompatible schema: %+v", res)
		}
		if tg.apicurio {
			// Apicurio difference: the explanation comes as one "reason"
			// string rather than a "messages" list.
			if !strings.Contains(res.Messages[0], "Incompatible") {
				t.Fatalf("apicurio reason %q", res.Messages[0])
			}
		} else if !strings.Contains(strings.Join(res.Messages, " "), "READER_FIELD_MISSING_DEFAULT_VALUE") {
			t.Fatalf("messages %v do not name the rule", res.Messages)
		}
		res, err = c.CheckCompatibility(ctx, sub, 1, noDefault, true)
		if err != nil || res.Compatible {
			t.Fatalf("check against version 1: %+v, %v", res, err)
		}
		res, err = c.CheckCompatibilityAll(ctx, sub, withDefault, true)
		if err != nil || !res.Compatible || len(res.Messages) != 0 {
			t.Fatalf("compatible schema against all versions: %+v, %v", res, err)
		}

		_, err = c.Register(ctx, sub, noDefault)
		// Confluent's registry answers 40901 (older releases 409, the code
		// Apicurio still gives).
		if tg.apicurio {
			wantCode(t, err, registry.CodeIncompatibleLegacy)
		} else {
			wantCode(t, err, registry.CodeIncompatible)
		}
		if !errors.Is(err, registry.ErrIncompatible) {
			t.Fatalf("%v is not ErrIncompatible", err)
		}
		if id := mustRegister(t, c, sub, withDefault); id <= 0 {
			t.Fatal("no id")
		}

		old, err := c.DeleteConfig(ctx, sub)
		if err != nil || old.Compatibility != registry.CompatBackward {
			t.Fatalf("delete config: %+v, %v", old, err)
		}
		_, err = c.Config(ctx, sub, false)
		if tg.apicurio {
			// Apicurio difference: a subject without its own level reads the
			// global one even with defaultToGlobal=false (Confluent: 40408).
			if err != nil {
				t.Fatalf("apicurio: %v", err)
			}
		} else {
			wantCode(t, err, registry.CodeSubjectConfigNotFound)
		}

		_, err = c.SetConfig(ctx, sub, registry.Config{Compatibility: "SIDEWAYS"})
		var re *registry.Error
		if !errors.As(err, &re) {
			t.Fatalf("bad level: %v", err)
		}
		if tg.apicurio {
			// Apicurio difference: an unknown level is a plain-text HTTP 400
			// with no error code (Confluent: 42203).
			if re.Status != 400 || re.Code != 0 {
				t.Fatalf("apicurio: %v", err)
			}
		} else if re.Code != registry.CodeInvalidCompatibility {
			t.Fatalf("bad level: %v", err)
		}
	})
}

// TestSuiteModeIDsContexts covers the endpoints Apicurio implements least.
func TestSuiteModeIDsContexts(t *testing.T) {
	suite(t, func(t *testing.T, tg target, c *registry.Client) {
		ctx := ctxT(t)
		sub := subject(t, c)
		s := avroRecord("R", "a")
		id := mustRegister(t, c, sub, s)

		vs, err := c.VersionsByID(ctx, id, false)
		if err != nil || !slices.Contains(vs, registry.SubjectVersion{Subject: sub, Version: 1}) {
			t.Fatalf("versions by id: %v, %v", vs, err)
		}
		subs, err := c.SubjectsByID(ctx, id, false)
		if tg.apicurio {
			// Apicurio difference: GET /schemas/ids/{id}/subjects does not
			// exist (404 without a registry code).
			if !errors.Is(err, registry.ErrUnsupported) {
				t.Fatalf("apicurio: subjects by id: %v, %v", subs, err)
			}
		} else if err != nil || !slices.Equal(subs, []string{sub}) {
			t.Fatalf("subjects by id: %v, %v", subs, err)
		}

		contexts, err := c.Contexts(ctx)
		if err != nil || len(contexts) != 1 {
			t.Fatalf("contexts: %v, %v", contexts, err)
		}
		if want := "."; tg.apicurio {
			// Apicurio difference: the default context is spelled ":.:".
			if contexts[0] != ":.:" {
				t.Fatalf("apicurio: contexts %v", contexts)
			}
		} else if contexts[0] != want {
			t.Fatalf("contexts %v, want [.]", contexts)
		}

		mode, err := c.Mode(ctx, "", false)
		if tg.apicurio {
			// Apicurio difference: /mode is not supported ("Operation not
			// supported", 404 without a registry code).
			if !errors.Is(err, registry.ErrUnsupported) {
				t.Fatalf("apicurio: mode: %q, %v", mode, err)
			}
			return
		}
		if err != nil || mode != registry.ModeReadWrite {
			t.Fatalf("global mode %q, %v", mode, err)
		}
		if m, err := c.SetMode(ctx, sub, registry.ModeReadOnly, false); err != nil || m != registry.ModeReadOnly {
			t.Fatalf("set mode: %q, %v", m, err)
		}
		_, err = c.Register(ctx, sub, avroRecord("R"))
		wantCode(t, err, registry.CodeOperationNotPermitted)
		if !errors.Is(err, registry.ErrNotPermitted) {
			t.Fatalf("%v is not ErrNotPermitted", err)
		}
		if m, err := c.DeleteMode(ctx, sub); err != nil || m != registry.ModeReadOnly {
			t.Fatalf("delete mode: %q, %v", m, err)
		}
		_, err = c.Mode(ctx, sub, false)
		wantCode(t, err, registry.CodeSubjectModeNotFound)
		if m, err := c.Mode(ctx, sub, true); err != nil || m != registry.ModeReadWrite {
			t.Fatalf("mode with defaultToGlobal: %q, %v", m, err)
		}
		_, err = c.SetMode(ctx, "", registry.ModeImport, false)
		wantCode(t, err, registry.CodeOperationNotPermitted)
		_, err = c.SetMode(ctx, sub, "SOMETIMES", false)
		wantCode(t, err, registry.CodeInvalidMode)
	})
}

// TestSuiteGUID: schemas carry GUIDs the decoder can resolve from record
// headers.
func TestSuiteGUID(t *testing.T) {
	suite(t, func(t *testing.T, tg target, c *registry.Client) {
		ctx := ctxT(t)
		sub := subject(t, c)
		s := avroRecord("G", "a")
		id := mustRegister(t, c, sub, s)
		ss, err := c.SchemaVersion(ctx, sub, 1, false)
		if err != nil {
			t.Fatal(err)
		}
		if tg.apicurio {
			// Apicurio difference: no GUIDs; /schemas/guids/{guid} does not
			// exist, so GUID headers cannot be resolved against it.
			if ss.GUID != "" {
				t.Fatalf("apicurio reported guid %q", ss.GUID)
			}
			_, err := c.ResolveGUID(ctx, "0b4e4a5c-3f4e-8c1d-9a2b-1c2d3e4f5a6b")
			if !errors.Is(err, registry.ErrUnsupported) || errors.Is(err, registry.ErrNotFound) {
				t.Fatalf("apicurio: resolve guid: %v", err)
			}
			return
		}
		if len(ss.GUID) != 36 {
			t.Fatalf("guid %q", ss.GUID)
		}
		rs, err := newClient(t, tg.url).ResolveGUID(ctx, ss.GUID)
		if err != nil {
			t.Fatal(err)
		}
		if rs.ID != id || rs.Text != s.Text {
			t.Fatalf("resolved %+v, want id %d", rs, id)
		}
		_, err = c.ResolveGUID(ctx, "00000000-0000-8000-8000-000000000000")
		if !errors.Is(err, registry.ErrNotFound) {
			t.Fatalf("unknown guid: %v", err)
		}
	})
}
