package dyncreds

// #include "dyncreds.h"
import "C"

import "time"

// Lease is a lease as the store keeps it: never a secret.
type Lease struct {
	ID             string    `json:"id"`
	Mount          string    `json:"mount"`
	Role           string    `json:"role"`
	CredentialType string    `json:"credential_type"`
	UserName       string    `json:"user_name"`
	AccessKeyID    string    `json:"access_key_id"`
	ARN            string    `json:"arn"`
	IssuedAt       time.Time `json:"issued_at"`
	ExpiresAt      time.Time `json:"expires_at"`
	MaxExpiresAt   time.Time `json:"max_expires_at"`
	Renewable      bool      `json:"renewable"`
	State          string    `json:"state"` // "active" | "irrevocable"
	RevokeAttempts int       `json:"revoke_attempts"`
	LastError      string    `json:"last_error"`
}

// ForceRevokeReport says which leases were cleaned up in AWS, and which
// were dropped although AWS cleanup failed (their IAM users may remain).
type ForceRevokeReport struct {
	Revoked []string `json:"revoked"`
	Dropped []struct {
		LeaseID string `json:"lease_id"`
		Error   string `json:"error"`
	} `json:"dropped"`
}

// Lookup returns a lease.
func (e *Engine) Lookup(leaseID string) (*Lease, error) {
	var lease Lease
	err := e.leaseCall(&lease, leaseID, func(out **C.char, h *C.dyncreds_engine, id *C.char, cerr **C.dyncreds_error) C.dyncreds_status {
		return C.dyncreds_lease_lookup(out, h, id, cerr)
	})
	if err != nil {
		return nil, err
	}
	return &lease, nil
}

// ListLeases returns the leases under prefix ("" for all), in id order.
func (e *Engine) ListLeases(prefix string) ([]Lease, error) {
	var leases []Lease
	err := e.leaseCall(&leases, prefix, func(out **C.char, h *C.dyncreds_engine, p *C.char, cerr **C.dyncreds_error) C.dyncreds_status {
		return C.dyncreds_lease_list(out, h, p, cerr)
	})
	return leases, err
}

// Renew extends an iam_user lease by increment from now (0: the role's
// TTL), never past its max TTL.
func (e *Engine) Renew(leaseID string, increment time.Duration) (*Lease, error) {
	var lease Lease
	seconds := C.int64_t(increment / time.Second)
	err := e.leaseCall(&lease, leaseID, func(out **C.char, h *C.dyncreds_engine, id *C.char, cerr **C.dyncreds_error) C.dyncreds_status {
		return C.dyncreds_lease_renew(out, h, id, seconds, cerr)
	})
	if err != nil {
		return nil, err
	}
	return &lease, nil
}

// Revoke revokes a lease now: for iam_user, its IAM user is deleted.
func (e *Engine) Revoke(leaseID string) error {
	return withStrings(func(c []*C.char) error {
		return e.call(func(h *C.dyncreds_engine, cerr **C.dyncreds_error) C.dyncreds_status {
			return C.dyncreds_lease_revoke(h, c[0], cerr)
		})
	}, leaseID)
}

// RevokePrefix revokes every lease under prefix; returns how many.
func (e *Engine) RevokePrefix(prefix string) (int, error) {
	var count C.size_t
	err := withStrings(func(c []*C.char) error {
		return e.call(func(h *C.dyncreds_engine, cerr **C.dyncreds_error) C.dyncreds_status {
			return C.dyncreds_lease_revoke_prefix(&count, h, c[0], cerr)
		})
	}, prefix)
	return int(count), err
}

// RevokeForce drops the leases under prefix even when AWS cleanup fails.
func (e *Engine) RevokeForce(prefix string) (*ForceRevokeReport, error) {
	var report ForceRevokeReport
	err := e.leaseCall(&report, prefix, func(out **C.char, h *C.dyncreds_engine, p *C.char, cerr **C.dyncreds_error) C.dyncreds_status {
		return C.dyncreds_lease_revoke_force(out, h, p, cerr)
	})
	if err != nil {
		return nil, err
	}
	return &report, nil
}

// leaseCall runs a function taking one string and returning JSON into v.
func (e *Engine) leaseCall(v any, arg string, fn func(out **C.char, h *C.dyncreds_engine, arg *C.char, cerr **C.dyncreds_error) C.dyncreds_status) error {
	return withStrings(func(c []*C.char) error {
		return e.callJSON(v, func(out **C.char, h *C.dyncreds_engine, cerr **C.dyncreds_error) C.dyncreds_status {
			return fn(out, h, c[0], cerr)
		})
	}, arg)
}
