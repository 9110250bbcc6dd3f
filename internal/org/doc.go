// Package org is the organisation domain (capability C31): tenants, brands, regions
// and stores, the console users with their roles and data scopes, their login
// sessions, and the API keys of integrations.
//
// It is also the platform's authenticator: [Service.Authenticate] turns a bearer
// token (an "or_live_" API key or an "or_sess_" console session) into the
// [auth.Principal] every other domain reads from the request context.
//
// Data scope: a principal scoped to a brand, region or store sees only the stores in
// it (and the brands, regions and users around them); anything outside is reported as
// not found, exactly like a resource of another tenant.
package org
