//go:build !console

package web

import "io/fs"

// Assets reports that this binary was built without the console (no -tags console),
// as `go test` and `go vet` builds are, so they never need npm.
func Assets() (fs.FS, bool) { return nil, false }
