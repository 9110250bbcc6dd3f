// Package benchapi starts OneRetail for the load benchmarks (Start: database, app,
// tenant, API key, listener) and sends their API requests.
package benchapi

import (
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Do sends one request to base+path with a bearer token (when not empty), a JSON
// body (when not empty) and the extra headers, and returns the answer's body; an
// answer outside 2xx is an error that quotes it.
func Do(base, token, method, path, body string, headers map[string]string) ([]byte, error) {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, base+path, r)
	if err != nil {
		return nil, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if res.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%s %s: %s: %s", method, path, res.Status, raw)
	}
	return raw, nil
}
