package dyncreds

// #include "dyncreds.h"
import "C"

// WriteRootConfig writes config/root: access_key, secret_key, region,
// iam_endpoint, sts_endpoint, sts_region, max_retries, username_template.
func (e *Engine) WriteRootConfig(fields map[string]any) error { return e.writeConfig("root", fields) }

// ReadRootConfig reads config/root, which never includes secret_key.
func (e *Engine) ReadRootConfig() (map[string]any, error) { return e.readConfig("root") }

// WriteLeaseConfig writes config/lease: durations such as "768h".
func (e *Engine) WriteLeaseConfig(lease, leaseMax string) error {
	return e.writeConfig("lease", map[string]any{"lease": lease, "lease_max": leaseMax})
}

// ReadLeaseConfig reads config/lease.
func (e *Engine) ReadLeaseConfig() (map[string]any, error) { return e.readConfig("lease") }

// RotateRoot replaces the root key with a new one; returns its access key id.
func (e *Engine) RotateRoot() (string, error) {
	return e.callString(func(out **C.char, h *C.dyncreds_engine, cerr **C.dyncreds_error) C.dyncreds_status {
		return C.dyncreds_config_rotate_root(out, h, cerr)
	})
}

func (e *Engine) writeConfig(name string, fields map[string]any) error {
	return withJSON(fields, func(text *C.char) error {
		return withStrings(func(c []*C.char) error {
			return e.call(func(h *C.dyncreds_engine, cerr **C.dyncreds_error) C.dyncreds_status {
				return C.dyncreds_config_write(h, c[0], text, cerr)
			})
		}, name)
	})
}

func (e *Engine) readConfig(name string) (map[string]any, error) {
	var doc map[string]any
	err := withStrings(func(c []*C.char) error {
		return e.callJSON(&doc, func(out **C.char, h *C.dyncreds_engine, cerr **C.dyncreds_error) C.dyncreds_status {
			return C.dyncreds_config_read(out, h, c[0], cerr)
		})
	}, name)
	return doc, err
}
