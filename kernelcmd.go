package main

import (
	"fmt"
	"io"
	"runtime"
	"strings"

	"github.com/godl-kernel/godl/kernel"
)

// kernelInfo describes godl in kernel_info_reply.
func kernelInfo() kernel.Info {
	goVersion := strings.TrimPrefix(runtime.Version(), "go")
	return kernel.Info{
		Implementation:        "godl",
		ImplementationVersion: Version,
		LanguageInfo: kernel.LanguageInfo{
			Name:           "go",
			Version:        goVersion,
			Mimetype:       "text/x-go",
			FileExtension:  ".go",
			PygmentsLexer:  "go",
			CodemirrorMode: "go",
		},
	}
}

// kernelCommand runs the kernel.
//
// TODO: wire kernel.New once the kernel package lands.
func kernelCommand(args []string, stderr io.Writer) int {
	fmt.Fprintln(stderr, "godl kernel: not built into this godl yet")
	return exitFailure
}
