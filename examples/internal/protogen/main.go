// Command protogen writes the Go code (.pb.go) of .proto files without
// protoc: it compiles them with protocompile and runs protoc-gen-go's
// generator on the result, so the examples' generated types can be rebuilt
// with nothing but Go. It is run by go:generate directives, e.g.
//
//	go run ../../internal/protogen -root . -out . sabot/examples/v1/transaction.proto
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/bufbuild/protocompile"
	gengo "google.golang.org/protobuf/cmd/protoc-gen-go/internal_gengo"
	"google.golang.org/protobuf/compiler/protogen"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/pluginpb"
)

func main() {
	root := flag.String("root", ".", "import root of the .proto files")
	out := flag.String("out", ".", "directory for the generated files")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "Usage: protogen [-root dir] [-out dir] file.proto...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := generate(*root, *out, flag.Args()); err != nil {
		log.Fatal(err)
	}
}

func generate(root, out string, files []string) error {
	c := protocompile.Compiler{
		Resolver: protocompile.WithStandardImports(&protocompile.SourceResolver{ImportPaths: []string{root}}),
	}
	compiled, err := c.Compile(context.Background(), files...)
	if err != nil {
		return fmt.Errorf("protogen: %w", err)
	}
	// The request lists every file the generated ones import, dependencies
	// first, as protoc does.
	req := &pluginpb.CodeGeneratorRequest{FileToGenerate: files}
	seen := map[string]bool{}
	var add func(fd protoreflect.FileDescriptor)
	add = func(fd protoreflect.FileDescriptor) {
		if seen[fd.Path()] {
			return
		}
		seen[fd.Path()] = true
		for i := 0; i < fd.Imports().Len(); i++ {
			add(fd.Imports().Get(i).FileDescriptor)
		}
		req.ProtoFile = append(req.ProtoFile, protodesc.ToFileDescriptorProto(fd))
	}
	for _, f := range compiled {
		add(f)
	}
	gen, err := protogen.Options{}.New(req)
	if err != nil {
		return fmt.Errorf("protogen: %w", err)
	}
	gen.SupportedFeatures = gengo.SupportedFeatures
	gen.SupportedEditionsMinimum = gengo.SupportedEditionsMinimum
	gen.SupportedEditionsMaximum = gengo.SupportedEditionsMaximum
	for _, f := range gen.Files {
		if f.Generate {
			gengo.GenerateFile(gen, f)
		}
	}
	resp := gen.Response()
	if resp.Error != nil {
		return fmt.Errorf("protogen: %s", resp.GetError())
	}
	for _, f := range resp.File {
		path := filepath.Join(out, filepath.Base(f.GetName()))
		if err := os.WriteFile(path, []byte(f.GetContent()), 0o600); err != nil {
			return fmt.Errorf("protogen: %w", err)
		}
		fmt.Println("wrote", path)
	}
	return nil
}
