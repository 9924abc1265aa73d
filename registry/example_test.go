package registry_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/sabot-kafka/sabot/registry"
	"github.com/sabot-kafka/sabot/registry/memregistry"
)

// A producer registers its schema once; a consumer resolves the id from each
// record's header, served from the cache after the first lookup.
func ExampleClient() {
	srv := httptest.NewServer(memregistry.New())
	defer srv.Close()
	ctx := context.Background()

	producer, err := registry.NewClient(srv.URL)
	if err != nil {
		panic(err)
	}
	subject, _ := registry.TopicNameStrategy("orders", false, "shop.Order")
	id, err := producer.Register(ctx, subject, registry.Schema{
		Text: `{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"long"}]}`,
	})
	if err != nil {
		panic(err)
	}

	consumer, err := registry.NewClient(srv.URL)
	if err != nil {
		panic(err)
	}
	s, err := consumer.Resolve(ctx, id)
	if err != nil {
		panic(err)
	}
	fmt.Println(subject, s.ID, s.Type)
	// Output: orders-value 1 AVRO
}

// References are resolved recursively: a decoder gets every schema it needs,
// dependencies first.
func ExampleClient_Resolve_references() {
	srv := httptest.NewServer(memregistry.New())
	defer srv.Close()
	ctx := context.Background()
	c, err := registry.NewClient(srv.URL)
	if err != nil {
		panic(err)
	}
	mustID := func(id int, err error) int {
		if err != nil {
			panic(err)
		}
		return id
	}
	mustID(c.Register(ctx, "money", registry.Schema{Type: registry.TypeProtobuf,
		Text: "syntax = \"proto3\";\npackage shop;\nmessage Money { int64 units = 1; }\n"}))
	id := mustID(c.Register(ctx, "orders-value", registry.Schema{Type: registry.TypeProtobuf,
		Text:       "syntax = \"proto3\";\npackage shop;\nimport \"shop/money.proto\";\nmessage Order { Money total = 1; }\n",
		References: []registry.Reference{{Name: "shop/money.proto", Subject: "money", Version: 1}},
	}))
	s, err := c.Resolve(ctx, id)
	if err != nil {
		panic(err)
	}
	for _, d := range s.Deps {
		fmt.Println("dependency:", d.Name)
	}
	// Output: dependency: shop/money.proto
}
