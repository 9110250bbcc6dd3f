// Package web serves the OneRetail console: the TypeScript single-page application in
// this directory, built by Vite into dist/ and embedded into the binary with the
// `console` build tag.
package web

import (
	"bytes"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

// Handler serves the console's files, answering unknown paths with index.html so
// client-side routes work on reload. Without an embedded build it serves a page that
// says how to build the console.
func Handler() http.Handler {
	assets, ok := Assets()
	if !ok {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, notBuilt)
		})
	}
	files := http.FileServerFS(assets)
	index, _ := fs.ReadFile(assets, "index.html")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if name != "" && name != "index.html" {
			if st, err := fs.Stat(assets, name); err == nil && !st.IsDir() {
				if strings.HasPrefix(name, "assets/") {
					w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
				}
				files.ServeHTTP(w, r)
				return
			}
		}
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeContent(w, r, "index.html", time.Time{}, bytes.NewReader(index))
	})
}

const notBuilt = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>OneRetail</title></head>
<body style="font-family:sans-serif;max-width:40em;margin:4em auto">
<h1>OneRetail</h1><p>The API is running (<a href="/api/openapi.json">OpenAPI document</a>).
This binary was built without the console: run <code>make build</code> (or <code>make run</code>) to embed it.</p>
</body></html>`
