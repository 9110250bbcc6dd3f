package org

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // store time zones validate even on hosts without a zoneinfo database
	"unicode/utf8"

	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
)

// Config tunes password hashing, sessions and the login rate limit.
type Config struct {
	// Argon2Memory is the argon2id memory cost in KiB.
	Argon2Memory uint32
	// Argon2Time is the argon2id number of passes.
	Argon2Time uint32
	// Argon2Threads is the argon2id parallelism.
	Argon2Threads uint8
	// SessionTTL is how long a console session lasts after login.
	SessionTTL time.Duration
	// LoginLimit is how many failed logins per login name or client IP are allowed
	// within LoginWindow; further attempts are refused with errs.RateLimited.
	LoginLimit int
	// LoginWindow is the sliding window of the login rate limit.
	LoginWindow time.Duration
}

// DefaultConfig returns the production settings: argon2id with the OWASP parameters
// (19 MiB, 2 passes, 1 thread), 12-hour sessions and 5 failed logins per minute.
func DefaultConfig() Config {
	return Config{
		Argon2Memory:  19 * 1024,
		Argon2Time:    2,
		Argon2Threads: 1,
		SessionTTL:    12 * time.Hour,
		LoginLimit:    5,
		LoginWindow:   time.Minute,
	}
}

// TestConfig returns DefaultConfig with a cheap argon2id profile (64 KiB, 1 pass) so
// that test suites stay fast. Never use it in production.
func TestConfig() Config {
	c := DefaultConfig()
	c.Argon2Memory = 64
	c.Argon2Time = 1
	return c
}

// DefaultTimeZone is the time zone of a store created without one.
const DefaultTimeZone = "Asia/Shanghai"

// MinPasswordLength is the shortest password a user may have.
const MinPasswordLength = 10

// maxPasswordLength bounds the work a login with a huge password can cause.
const maxPasswordLength = 256

// Tenant is one retail company using the platform; every other row belongs to one.
type Tenant struct {
	ID        string
	Code      string
	Name      string
	CreatedAt time.Time
}

// BootstrapInput creates a tenant and its first administrator.
type BootstrapInput struct {
	TenantCode    string
	TenantName    string
	AdminLogin    string
	AdminName     string
	AdminPassword string
}

// Validate reports the first invalid field as an errs.Invalid error.
func (in *BootstrapInput) Validate() error {
	in.AdminLogin = normalizeLogin(in.AdminLogin)
	if err := checkCode("tenant_code", in.TenantCode); err != nil {
		return err
	}
	if err := checkName("tenant_name", in.TenantName, 200); err != nil {
		return err
	}
	if err := checkLogin("admin_login", in.AdminLogin); err != nil {
		return err
	}
	if err := checkName("admin_name", in.AdminName, 200); err != nil {
		return err
	}
	return checkPassword("admin_password", in.AdminPassword)
}

// BrandStatus says whether a brand is trading.
type BrandStatus string

// The brand statuses.
const (
	BrandActive   BrandStatus = "active"
	BrandInactive BrandStatus = "inactive"
)

// Brand is a banner under which a tenant runs stores (for example a hypermarket
// chain and a convenience chain of the same company).
type Brand struct {
	ID        string
	TenantID  string
	Code      string
	Name      string
	Status    BrandStatus
	CreatedAt time.Time
	UpdatedAt time.Time
}

// BrandCreate is the input of CreateBrand. An empty Status means active.
type BrandCreate struct {
	Code   string
	Name   string
	Status BrandStatus
}

// Validate reports the first invalid field as an errs.Invalid error.
func (in *BrandCreate) Validate() error {
	if in.Status == "" {
		in.Status = BrandActive
	}
	if err := checkCode("code", in.Code); err != nil {
		return err
	}
	if err := checkName("name", in.Name, 200); err != nil {
		return err
	}
	return checkBrandStatus(in.Status)
}

// BrandUpdate changes the fields that are not nil.
type BrandUpdate struct {
	Code   *string
	Name   *string
	Status *BrandStatus
}

// Validate reports the first invalid field as an errs.Invalid error.
func (in *BrandUpdate) Validate() error {
	if in.Code != nil {
		if err := checkCode("code", *in.Code); err != nil {
			return err
		}
	}
	if in.Name != nil {
		if err := checkName("name", *in.Name, 200); err != nil {
			return err
		}
	}
	if in.Status != nil {
		return checkBrandStatus(*in.Status)
	}
	return nil
}

// BrandFilter narrows FindBrands.
type BrandFilter struct {
	Status BrandStatus
	Q      string // substring of the name or code
	httpapi.PageParams
}

// Region is a geographic or management area that groups stores.
type Region struct {
	ID        string
	TenantID  string
	Code      string
	Name      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// RegionCreate is the input of CreateRegion.
type RegionCreate struct {
	Code string
	Name string
}

// Validate reports the first invalid field as an errs.Invalid error.
func (in *RegionCreate) Validate() error {
	if err := checkCode("code", in.Code); err != nil {
		return err
	}
	return checkName("name", in.Name, 200)
}

// RegionUpdate changes the fields that are not nil.
type RegionUpdate struct {
	Code *string
	Name *string
}

// Validate reports the first invalid field as an errs.Invalid error.
func (in *RegionUpdate) Validate() error {
	if in.Code != nil {
		if err := checkCode("code", *in.Code); err != nil {
			return err
		}
	}
	if in.Name != nil {
		return checkName("name", *in.Name, 200)
	}
	return nil
}

// RegionFilter narrows FindRegions.
type RegionFilter struct {
	Q string // substring of the name or code
	httpapi.PageParams
}

// StoreFormat is the kind of store.
type StoreFormat string

// The store formats.
const (
	Hypermarket     StoreFormat = "hypermarket"
	Supermarket     StoreFormat = "supermarket"
	Convenience     StoreFormat = "convenience"
	Specialty       StoreFormat = "specialty"
	DepartmentStore StoreFormat = "department_store"
)

// StoreFormats lists every store format.
func StoreFormats() []StoreFormat {
	return []StoreFormat{Hypermarket, Supermarket, Convenience, Specialty, DepartmentStore}
}

// StoreStatus is where a store is in its life.
type StoreStatus string

// The store statuses.
const (
	StoreOpen    StoreStatus = "open"
	StoreClosed  StoreStatus = "closed"
	StorePlanned StoreStatus = "planned"
)

// StoreStatuses lists every store status.
func StoreStatuses() []StoreStatus { return []StoreStatus{StoreOpen, StoreClosed, StorePlanned} }

// Store is a physical shop of a brand in a region.
type Store struct {
	ID           string
	TenantID     string
	BrandID      string
	RegionID     string
	Code         string
	Name         string
	Format       StoreFormat
	City         string
	Address      string
	Latitude     *float64
	Longitude    *float64
	FloorAreaM2  *int
	TimeZone     string // IANA name
	OpeningHours string // "08:00-22:00", or empty when unknown
	Status       StoreStatus
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// StoreCreate is the input of CreateStore. An empty TimeZone means Asia/Shanghai and
// an empty Status means open.
type StoreCreate struct {
	BrandID      string
	RegionID     string
	Code         string
	Name         string
	Format       StoreFormat
	City         string
	Address      string
	Latitude     *float64
	Longitude    *float64
	FloorAreaM2  *int
	TimeZone     string
	OpeningHours string
	Status       StoreStatus
}

// Validate applies the defaults and reports the first invalid field as an
// errs.Invalid error.
func (in *StoreCreate) Validate() error {
	if in.TimeZone == "" {
		in.TimeZone = DefaultTimeZone
	}
	if in.Status == "" {
		in.Status = StoreOpen
	}
	if in.BrandID == "" {
		return errs.Field("body.brand_id", "brand_id is required")
	}
	if in.RegionID == "" {
		return errs.Field("body.region_id", "region_id is required")
	}
	s := Store{Code: in.Code, Name: in.Name, Format: in.Format, City: in.City, Address: in.Address,
		Latitude: in.Latitude, Longitude: in.Longitude, FloorAreaM2: in.FloorAreaM2,
		TimeZone: in.TimeZone, OpeningHours: in.OpeningHours, Status: in.Status}
	return s.validate()
}

// StoreUpdate changes the fields that are not nil.
type StoreUpdate struct {
	BrandID      *string
	RegionID     *string
	Code         *string
	Name         *string
	Format       *StoreFormat
	City         *string
	Address      *string
	Latitude     *float64
	Longitude    *float64
	FloorAreaM2  *int
	TimeZone     *string
	OpeningHours *string
	Status       *StoreStatus
}

// Validate reports the first invalid field as an errs.Invalid error.
func (in *StoreUpdate) Validate() error {
	if in.BrandID != nil && *in.BrandID == "" {
		return errs.Field("body.brand_id", "brand_id must not be empty")
	}
	if in.RegionID != nil && *in.RegionID == "" {
		return errs.Field("body.region_id", "region_id must not be empty")
	}
	// Validate the set fields against a store that is valid everywhere else.
	s := Store{Code: "x", Name: "x", Format: Supermarket, City: "x", TimeZone: DefaultTimeZone, Status: StoreOpen}
	in.apply(&s)
	return s.validate()
}

// apply copies the set fields onto s.
func (in *StoreUpdate) apply(s *Store) {
	set(&s.BrandID, in.BrandID)
	set(&s.RegionID, in.RegionID)
	set(&s.Code, in.Code)
	set(&s.Name, in.Name)
	set(&s.Format, in.Format)
	set(&s.City, in.City)
	set(&s.Address, in.Address)
	if in.Latitude != nil {
		s.Latitude = new(*in.Latitude)
	}
	if in.Longitude != nil {
		s.Longitude = new(*in.Longitude)
	}
	if in.FloorAreaM2 != nil {
		s.FloorAreaM2 = new(*in.FloorAreaM2)
	}
	set(&s.TimeZone, in.TimeZone)
	set(&s.OpeningHours, in.OpeningHours)
	set(&s.Status, in.Status)
}

func (s *Store) validate() error {
	if err := checkCode("code", s.Code); err != nil {
		return err
	}
	if err := checkName("name", s.Name, 200); err != nil {
		return err
	}
	if !slices.Contains(StoreFormats(), s.Format) {
		return errs.Field("body.format", "format must be one of hypermarket, supermarket, convenience, specialty, department_store")
	}
	if err := checkName("city", s.City, 100); err != nil {
		return err
	}
	if utf8.RuneCountInString(s.Address) > 500 {
		return errs.Field("body.address", "address must be at most 500 characters")
	}
	if s.Latitude != nil && (math.IsNaN(*s.Latitude) || *s.Latitude < -90 || *s.Latitude > 90) {
		return errs.Field("body.latitude", "latitude must be -90..90")
	}
	if s.Longitude != nil && (math.IsNaN(*s.Longitude) || *s.Longitude < -180 || *s.Longitude > 180) {
		return errs.Field("body.longitude", "longitude must be -180..180")
	}
	if s.FloorAreaM2 != nil && (*s.FloorAreaM2 < 1 || *s.FloorAreaM2 > 10_000_000) {
		return errs.Field("body.floor_area_m2", "floor_area_m2 must be 1..10000000")
	}
	if err := checkTimeZone(s.TimeZone); err != nil {
		return err
	}
	if err := checkOpeningHours(s.OpeningHours); err != nil {
		return err
	}
	if !slices.Contains(StoreStatuses(), s.Status) {
		return errs.Field("body.status", "status must be one of open, closed, planned")
	}
	return nil
}

// StoreFilter narrows FindStores; empty fields do not filter.
type StoreFilter struct {
	BrandID  string
	RegionID string
	Format   StoreFormat
	City     string
	Q        string // substring of the name or code
	Status   StoreStatus
	httpapi.PageParams
}

// Count is the number of stores sharing a key (a format or a city).
type Count struct {
	Key   string
	Count int
}

// NamedCount is the number of stores of a brand or region, with its name.
type NamedCount struct {
	Key   string
	Name  string
	Count int
}

// StoreSummary counts the stores a principal can see, by format, city, region and
// brand, largest first.
type StoreSummary struct {
	Total    int
	ByFormat []Count
	ByCity   []Count
	ByRegion []NamedCount
	ByBrand  []NamedCount
}

// UserStatus says whether a user may log in.
type UserStatus string

// The user statuses.
const (
	UserActive   UserStatus = "active"
	UserDisabled UserStatus = "disabled"
)

// User is a console user. Its role gives the scopes (auth.RoleScopes) and its data
// scope (ScopeType, ScopeID) the brand, region or store it may see. The password
// hash never leaves the store layer.
type User struct {
	ID        string
	TenantID  string
	Login     string // lower-case, unique across tenants
	Name      string
	Role      auth.Role
	ScopeType auth.ScopeType
	ScopeID   string // empty for tenant scope
	Status    UserStatus
	CreatedAt time.Time
	UpdatedAt time.Time
}

// UserCreate is the input of CreateUser.
type UserCreate struct {
	Login     string
	Name      string
	Password  string
	Role      auth.Role
	ScopeType auth.ScopeType
	ScopeID   string
}

// Validate normalises the login and reports the first invalid field as an
// errs.Invalid error.
func (in *UserCreate) Validate() error {
	in.Login = normalizeLogin(in.Login)
	if err := checkLogin("login", in.Login); err != nil {
		return err
	}
	if err := checkName("name", in.Name, 200); err != nil {
		return err
	}
	if err := checkPassword("password", in.Password); err != nil {
		return err
	}
	if err := checkRole(in.Role); err != nil {
		return err
	}
	return checkScope(in.ScopeType, in.ScopeID)
}

// UserUpdate changes the fields that are not nil. Password sets a new password;
// ScopeType and ScopeID are checked together.
type UserUpdate struct {
	Name      *string
	Role      *auth.Role
	ScopeType *auth.ScopeType
	ScopeID   *string
	Status    *UserStatus
	Password  *string
}

// Validate reports the first invalid field as an errs.Invalid error.
func (in *UserUpdate) Validate() error {
	if in.Name != nil {
		if err := checkName("name", *in.Name, 200); err != nil {
			return err
		}
	}
	if in.Role != nil {
		if err := checkRole(*in.Role); err != nil {
			return err
		}
	}
	if in.ScopeType != nil && !auth.ValidScopeType(*in.ScopeType) {
		return errs.Field("body.scope_type", "scope_type must be one of tenant, brand, region, store")
	}
	if in.Status != nil && *in.Status != UserActive && *in.Status != UserDisabled {
		return errs.Field("body.status", "status must be active or disabled")
	}
	if in.Password != nil {
		return checkPassword("password", *in.Password)
	}
	return nil
}

// UserFilter narrows FindUsers; empty fields do not filter.
type UserFilter struct {
	Role      auth.Role
	Status    UserStatus
	ScopeType auth.ScopeType
	ScopeID   string
	Q         string // substring of the login or name
	httpapi.PageParams
}

// Session is a console login. Its token is shown once, at login, and stored only
// as a SHA-256 hash.
type Session struct {
	ID         string
	TenantID   string
	UserID     string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastSeenAt time.Time
	RevokedAt  *time.Time
	ClientIP   string
	UserAgent  string
}

// LoginInput is what a console user sends to log in, plus where the request came from.
type LoginInput struct {
	Login     string
	Password  string
	ClientIP  string
	UserAgent string
}

// APIKey is a machine credential of a tenant with an explicit set of scopes. Its
// secret is shown once, at creation, and stored only as a SHA-256 hash.
type APIKey struct {
	ID         string
	TenantID   string
	Name       string
	Prefix     string // the first 12 characters of the secret after "or_live_"
	Scopes     []auth.Scope
	CreatedBy  string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
	// TouchpointID is the touchpoint the key belongs to ("" for a general key).
	TouchpointID string
}

// APIKeyCreate is the input of CreateAPIKey. TouchpointID binds the key to one
// touchpoint; the identity domain sets it after checking the touchpoint.
type APIKeyCreate struct {
	Name         string
	Scopes       []auth.Scope
	TouchpointID string
}

// Validate removes duplicate scopes and reports the first invalid field as an
// errs.Invalid error.
func (in *APIKeyCreate) Validate() error {
	if err := checkName("name", in.Name, 100); err != nil {
		return err
	}
	if len(in.Scopes) == 0 {
		return errs.Field("body.scopes", "at least one scope is required")
	}
	var uniq []auth.Scope
	for i, sc := range in.Scopes {
		if !auth.ValidScope(sc) {
			return errs.Field("body.scopes["+strconv.Itoa(i)+"]", "unknown scope %q", sc)
		}
		if !slices.Contains(uniq, sc) {
			uniq = append(uniq, sc)
		}
	}
	in.Scopes = uniq
	return nil
}

// Identity describes the caller: a console user, an API key or the system.
type Identity struct {
	Kind      auth.Kind
	ID        string
	TenantID  string
	Login     string // empty for API keys
	Name      string
	Role      auth.Role
	ScopeType auth.ScopeType
	ScopeID   string
	Scopes    []auth.Scope
}

var (
	codePattern  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)
	loginPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._@-]{2,63}$`)
	hoursPattern = regexp.MustCompile(`^(\d\d):(\d\d)-(\d\d):(\d\d)$`)
)

func normalizeLogin(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func checkCode(field, v string) error {
	if !codePattern.MatchString(v) {
		return errs.Field("body."+field, "%s must be 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit", field)
	}
	return nil
}

func checkName(field, v string, maxLen int) error {
	if strings.TrimSpace(v) == "" {
		return errs.Field("body."+field, "%s is required", field)
	}
	if utf8.RuneCountInString(v) > maxLen {
		return errs.Field("body."+field, "%s must be at most %d characters", field, maxLen)
	}
	return nil
}

func checkLogin(field, v string) error {
	if !loginPattern.MatchString(v) {
		return errs.Field("body."+field, "%s must be 3-64 lower-case letters, digits, '.', '_', '@' or '-'", field)
	}
	return nil
}

func checkPassword(field, v string) error {
	n := utf8.RuneCountInString(v)
	if n < MinPasswordLength {
		return errs.Field("body."+field, "%s must be at least %d characters", field, MinPasswordLength)
	}
	if len(v) > maxPasswordLength {
		return errs.Field("body."+field, "%s must be at most %d bytes", field, maxPasswordLength)
	}
	return nil
}

func checkRole(r auth.Role) error {
	if !slices.Contains(auth.Roles(), r) {
		return errs.Field("body.role", "unknown role %q", r)
	}
	return nil
}

func checkScope(t auth.ScopeType, id string) error {
	if !auth.ValidScopeType(t) {
		return errs.Field("body.scope_type", "scope_type must be one of tenant, brand, region, store")
	}
	if t == auth.TenantScope && id != "" {
		return errs.Field("body.scope_id", "scope_id must be empty for tenant scope")
	}
	if t != auth.TenantScope && id == "" {
		return errs.Field("body.scope_id", "scope_id is required for %s scope", t)
	}
	return nil
}

func checkBrandStatus(s BrandStatus) error {
	if s != BrandActive && s != BrandInactive {
		return errs.Field("body.status", "status must be active or inactive")
	}
	return nil
}

func checkTimeZone(tz string) error {
	if tz == "" || tz == "Local" {
		return errs.Field("body.time_zone", "time_zone must be an IANA time zone such as Asia/Shanghai")
	}
	if _, err := time.LoadLocation(tz); err != nil {
		return errs.Field("body.time_zone", "unknown time zone %q", tz)
	}
	return nil
}

// checkOpeningHours accepts "" (unknown) or "HH:MM-HH:MM"; a closing time before the
// opening time means the store closes after midnight, and 24:00 may close the day.
func checkOpeningHours(v string) error {
	if v == "" {
		return nil
	}
	m := hoursPattern.FindStringSubmatch(v)
	bad := errs.Field("body.opening_hours", "opening_hours must look like 08:00-22:00")
	if m == nil {
		return bad
	}
	n := make([]int, 4)
	for i := range n {
		n[i], _ = strconv.Atoi(m[i+1])
	}
	open, closing := n[0]*60+n[1], n[2]*60+n[3]
	if n[0] > 23 || n[1] > 59 || n[3] > 59 || n[2] > 24 || closing > 24*60 || open == closing {
		return bad
	}
	return nil
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
