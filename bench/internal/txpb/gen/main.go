// Command gen runs protoc-gen-go on transaction.proto without protoc: it
// compiles the file with protocompile, hands protoc-gen-go the
// CodeGeneratorRequest protoc would, and writes the file it answers with.
//
//	go build -o /tmp/protoc-gen-go google.golang.org/protobuf/cmd/protoc-gen-go
//	go run ./bench/internal/txpb/gen /tmp/protoc-gen-go
package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/bufbuild/protocompile"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/pluginpb"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run() error {
	if len(os.Args) != 2 {
		return fmt.Errorf("usage: gen path/to/protoc-gen-go")
	}
	// The file registers under a path of its own in the global registry.
	const path = "sabot/bench/transaction.proto"
	dir := filepath.Join("bench", "internal", "txpb")
	src, err := os.ReadFile(filepath.Join(dir, "transaction.proto")) // #nosec G304 -- a fixed path in the repository
	if err != nil {
		return err
	}
	c := protocompile.Compiler{Resolver: &protocompile.SourceResolver{Accessor: protocompile.SourceAccessorFromMap(map[string]string{path: string(src)})}}
	files, err := c.Compile(context.Background(), path)
	if err != nil {
		return err
	}
	req := &pluginpb.CodeGeneratorRequest{
		FileToGenerate: []string{path},
		Parameter:      proto.String("paths=source_relative"),
		ProtoFile:      []*descriptorpb.FileDescriptorProto{protodesc.ToFileDescriptorProto(files[0])},
	}
	in, err := proto.Marshal(req)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	cmd := exec.Command(os.Args[1]) // #nosec G204 G702 -- the plugin the caller names
	cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(in), &out, os.Stderr
	if err := cmd.Run(); err != nil {
		return err
	}
	var resp pluginpb.CodeGeneratorResponse
	if err := proto.Unmarshal(out.Bytes(), &resp); err != nil {
		return err
	}
	if resp.Error != nil {
		return fmt.Errorf("protoc-gen-go: %s", resp.GetError())
	}
	for _, f := range resp.File {
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f.GetName())), []byte(f.GetContent()), 0o600); err != nil {
			return err
		}
	}
	return nil
}
