package main

import (
	"context"
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kubelet/app"
)

// The kubelet command needs a real context: a nil one panics at start-up.
func main() {
	os.Exit(cli.Run(app.NewKubeletCommand(context.Background())))
}
