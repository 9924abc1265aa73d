// Command gen writes the .pb.go files of the test messages without protoc:
// it compiles the .proto files with protocompile and runs protoc-gen-go's
// generator on the result. Run from the repository root:
//
//	go run ./testdata/protobuf/gen
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
	root := flag.String("root", "testdata/protobuf/proto", "import root of the .proto files")
	out := flag.String("out", "decode/protobuf/testpb", "directory for the generated files")
	flag.Parse()
	files := []string{
		"sabot/test/v1/common.proto",
		"sabot/test/v1/txn.proto",
		"sabot/test/v1/legacy.proto",
		"sabot/test/v1/editions.proto",
	}
	if err := run(*root, *out, files); err != nil {
		log.Fatal(err)
	}
}

func run(root, out string, files []string) error {
	c := protocompile.Compiler{
		Resolver: protocompile.WithStandardImports(&protocompile.SourceResolver{ImportPaths: []string{root}}),
	}
	compiled, err := c.Compile(context.Background(), files...)
	if err != nil {
		return err
	}
	req := &pluginpb.CodeGeneratorRequest{FileToGenerate: files}
	seen := map[string]bool{}
	var add func(fd protoreflect.FileDescriptor)
	add = func(fd protoreflect.FileDescriptor) {
		if seen[fd.Path()] {
			return
		}
		seen[fd.Path()] = true
		imps := fd.Imports()
		for i := 0; i < imps.Len(); i++ {
			add(imps.Get(i).FileDescriptor)
		}
		req.ProtoFile = append(req.ProtoFile, protodesc.ToFileDescriptorProto(fd))
	}
	for _, f := range compiled {
		add(f)
	}
	gen, err := protogen.Options{}.New(req)
	if err != nil {
		return err
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
		return fmt.Errorf("gen: %s", resp.GetError())
	}
	for _, f := range resp.File {
		path := filepath.Join(out, filepath.Base(f.GetName()))
		if err := os.WriteFile(path, []byte(f.GetContent()), 0o644); err != nil {
			return err
		}
		fmt.Println("wrote", path)
	}
	return nil
}
