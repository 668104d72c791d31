package dyncreds

// #include "dyncreds.h"
import "C"

// WriteRole creates or updates a role from Vault's fields, e.g.
// {"credential_type": "iam_user", "policy_arns": [...]}.
func (e *Engine) WriteRole(name string, fields map[string]any) error {
	return withJSON(fields, func(text *C.char) error {
		return withStrings(func(c []*C.char) error {
			return e.call(func(h *C.dyncreds_engine, cerr **C.dyncreds_error) C.dyncreds_status {
				return C.dyncreds_role_write(h, c[0], text, cerr)
			})
		}, name)
	})
}

// ReadRole returns the role's fields.
func (e *Engine) ReadRole(name string) (map[string]any, error) {
	var role map[string]any
	err := withStrings(func(c []*C.char) error {
		return e.callJSON(&role, func(out **C.char, h *C.dyncreds_engine, cerr **C.dyncreds_error) C.dyncreds_status {
			return C.dyncreds_role_read(out, h, c[0], cerr)
		})
	}, name)
	return role, err
}

// ListRoles returns the role names.
func (e *Engine) ListRoles() ([]string, error) {
	var names []string
	err := e.callJSON(&names, func(out **C.char, h *C.dyncreds_engine, cerr **C.dyncreds_error) C.dyncreds_status {
		return C.dyncreds_role_list(out, h, cerr)
	})
	return names, err
}

// DeleteRole deletes the role; with revokeLeases its leases are revoked
// first (and the role stays if any fails).
func (e *Engine) DeleteRole(name string, revokeLeases bool) error {
	revoke := C.int(0)
	if revokeLeases {
		revoke = 1
	}
	return withStrings(func(c []*C.char) error {
		return e.call(func(h *C.dyncreds_engine, cerr **C.dyncreds_error) C.dyncreds_status {
			return C.dyncreds_role_delete(h, c[0], revoke, cerr)
		})
	}, name)
}
