package org

// The events org publishes through the outbox, in the transaction of the change.
// Org consumes no events.
const (
	EventTenantCreated = "org.tenant.created"
	EventBrandCreated  = "org.brand.created"
	EventBrandUpdated  = "org.brand.updated"
	EventRegionCreated = "org.region.created"
	EventRegionUpdated = "org.region.updated"
	EventRegionDeleted = "org.region.deleted"
	EventStoreCreated  = "org.store.created"
	EventStoreUpdated  = "org.store.updated"
	EventUserCreated   = "org.user.created"
	EventUserUpdated   = "org.user.updated"
	EventAPIKeyCreated = "org.api_key.created"
	EventAPIKeyRevoked = "org.api_key.revoked"
)

// TenantEvent is the payload of org.tenant.created.
type TenantEvent struct {
	ID   string `json:"id"`
	Code string `json:"code"`
	Name string `json:"name"`
}

// BrandEvent is the payload of org.brand.created and org.brand.updated; Changed
// names the fields an update changed.
type BrandEvent struct {
	ID      string   `json:"id"`
	Code    string   `json:"code"`
	Name    string   `json:"name"`
	Status  string   `json:"status"`
	Changed []string `json:"changed,omitempty"`
}

// RegionEvent is the payload of org.region.created and org.region.updated.
type RegionEvent struct {
	ID      string   `json:"id"`
	Code    string   `json:"code"`
	Name    string   `json:"name"`
	Changed []string `json:"changed,omitempty"`
}

// StoreEvent is the payload of org.store.created and org.store.updated.
type StoreEvent struct {
	ID           string   `json:"id"`
	BrandID      string   `json:"brand_id"`
	RegionID     string   `json:"region_id"`
	Code         string   `json:"code"`
	Name         string   `json:"name"`
	Format       string   `json:"format"`
	City         string   `json:"city"`
	Latitude     *float64 `json:"latitude,omitempty"`
	Longitude    *float64 `json:"longitude,omitempty"`
	FloorAreaM2  *int     `json:"floor_area_m2,omitempty"`
	TimeZone     string   `json:"time_zone"`
	OpeningHours string   `json:"opening_hours,omitempty"`
	Status       string   `json:"status"`
	Changed      []string `json:"changed,omitempty"`
}

// UserEvent is the payload of org.user.created and org.user.updated. It never
// carries the password or its hash.
type UserEvent struct {
	ID        string   `json:"id"`
	Login     string   `json:"login"`
	Name      string   `json:"name"`
	Role      string   `json:"role"`
	ScopeType string   `json:"scope_type"`
	ScopeID   string   `json:"scope_id,omitempty"`
	Status    string   `json:"status"`
	Changed   []string `json:"changed,omitempty"`
}

// APIKeyEvent is the payload of org.api_key.created and org.api_key.revoked. It
// never carries the secret or its hash.
type APIKeyEvent struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	Prefix string   `json:"prefix"`
	Scopes []string `json:"scopes"`
	// TouchpointID is set for a touchpoint's credential.
	TouchpointID string `json:"touchpoint_id,omitempty"`
}

func brandEvent(b Brand, changed []string) BrandEvent {
	return BrandEvent{ID: b.ID, Code: b.Code, Name: b.Name, Status: string(b.Status), Changed: changed}
}

func regionEvent(r Region, changed []string) RegionEvent {
	return RegionEvent{ID: r.ID, Code: r.Code, Name: r.Name, Changed: changed}
}

func storeEvent(s Store, changed []string) StoreEvent {
	return StoreEvent{ID: s.ID, BrandID: s.BrandID, RegionID: s.RegionID, Code: s.Code, Name: s.Name,
		Format: string(s.Format), City: s.City, Latitude: s.Latitude, Longitude: s.Longitude,
		FloorAreaM2: s.FloorAreaM2, TimeZone: s.TimeZone, OpeningHours: s.OpeningHours,
		Status: string(s.Status), Changed: changed}
}

func userEvent(u User, changed []string) UserEvent {
	return UserEvent{ID: u.ID, Login: u.Login, Name: u.Name, Role: string(u.Role),
		ScopeType: string(u.ScopeType), ScopeID: u.ScopeID, Status: string(u.Status), Changed: changed}
}

func apiKeyEvent(k APIKey) APIKeyEvent {
	return APIKeyEvent{ID: k.ID, Name: k.Name, Prefix: k.Prefix, Scopes: scopeStrings(k.Scopes), TouchpointID: k.TouchpointID}
}
